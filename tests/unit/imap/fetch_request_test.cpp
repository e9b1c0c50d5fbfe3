// FETCH items: macros, sections, partials, response names, errors.
#include <catch2/catch.hpp>

#include "lib/imap/fetch_request.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;
using postern::imap::test::args_of;
using K = FetchItem::Kind;

namespace {
Parsed<FetchRequest> fetch(std::string_view text, FetchOptions options = {}) {
  auto args = args_of(text);
  return parse_fetch(args, options);
}
std::string names(const FetchRequest& r) {
  std::string out;
  for (const auto& i : r.items) out += i.response_name() + " ";
  return out;
}
}  // namespace

TEST_CASE("macros expand in RFC 3501 order", "[imap][fetch]") {
  auto all = fetch("all");
  REQUIRE(all);
  CHECK(names(*all) == "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE ");
  CHECK(names(*fetch("FAST")) == "FLAGS INTERNALDATE RFC822.SIZE ");
  CHECK(names(*fetch("FULL")) == "FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY ");
  CHECK_FALSE(fetch("(ALL)"));  // macros are not items
}

TEST_CASE("simple items and sets_seen", "[imap][fetch]") {
  auto r = fetch("(FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE RFC822.HEADER)");
  REQUIRE(r);
  CHECK(names(*r) == "FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODY BODYSTRUCTURE RFC822.HEADER ");
  CHECK_FALSE(r->sets_seen());
  CHECK(r->items[5].kind == K::body_structure);
  CHECK(fetch("RFC822")->sets_seen());
  CHECK(fetch("rfc822.text")->sets_seen());
  CHECK(fetch("BODY[]")->sets_seen());
  CHECK_FALSE(fetch("BODY.PEEK[]")->sets_seen());
  CHECK(fetch("BINARY[1]")->sets_seen());
  CHECK_FALSE(fetch("BINARY.PEEK[1]")->sets_seen());
}

TEST_CASE("sections and partials", "[imap][fetch]") {
  struct Row {
    const char* item;
    std::vector<unsigned> path;
    Section::Kind kind;
    std::vector<std::string> fields;
    const char* response;
  };
  const Row rows[] = {
      {"BODY[]", {}, Section::Kind::all, {}, "BODY[]"},
      {"BODY.PEEK[HEADER]", {}, Section::Kind::header, {}, "BODY[HEADER]"},
      {"body[text]", {}, Section::Kind::text, {}, "BODY[TEXT]"},
      {"BODY[1]", {1}, Section::Kind::all, {}, "BODY[1]"},
      {"BODY[1.2.3]", {1, 2, 3}, Section::Kind::all, {}, "BODY[1.2.3]"},
      {"BODY[4.2.MIME]", {4, 2}, Section::Kind::mime, {}, "BODY[4.2.MIME]"},
      {"BODY[3.HEADER]", {3}, Section::Kind::header, {}, "BODY[3.HEADER]"},
      {"BODY[2.TEXT]", {2}, Section::Kind::text, {}, "BODY[2.TEXT]"},
      {"BODY.PEEK[HEADER.FIELDS (Date From)]", {}, Section::Kind::header_fields, {"Date", "From"},
       "BODY[HEADER.FIELDS (Date From)]"},
      {"BODY[1.HEADER.FIELDS.NOT (\"X-Spam\")]", {1}, Section::Kind::header_fields_not, {"X-Spam"},
       "BODY[1.HEADER.FIELDS.NOT (X-Spam)]"},
  };
  for (const auto& row : rows) {
    INFO(row.item);
    auto item = parse_fetch_item(row.item);
    REQUIRE(item);
    CHECK(item->kind == K::body_section);
    CHECK(item->section.path == row.path);
    CHECK(item->section.kind == row.kind);
    CHECK(item->section.fields == row.fields);
    CHECK(item->response_name() == row.response);
    CHECK_FALSE(item->partial);
  }
  auto partial = parse_fetch_item("BODY.PEEK[1.TEXT]<100.2048>");
  REQUIRE(partial);
  REQUIRE(partial->partial);
  CHECK(partial->partial->offset == 100);
  CHECK(partial->partial->length == 2048);
  CHECK(partial->peek);
  CHECK(partial->response_name() == "BODY[1.TEXT]<100>");
  auto binary = parse_fetch_item("BINARY.SIZE[1.2]");
  REQUIRE(binary);
  CHECK(binary->kind == K::binary_size);
  CHECK(binary->response_name() == "BINARY.SIZE[1.2]");
  auto quoted = parse_fetch_item("BODY[HEADER.FIELDS (\"X-A\\\"b\")]");
  REQUIRE(quoted);
  CHECK(quoted->section.fields == std::vector<std::string>{"X-A\"b"});
  CHECK(quoted->response_name() == "BODY[HEADER.FIELDS (\"X-A\\\"b\")]");
  auto whole = fetch("(UID BODY.PEEK[HEADER.FIELDS (SUBJECT DATE)] FLAGS)");
  REQUIRE(whole);
  CHECK(whole->items.size() == 3);
}

TEST_CASE("malformed FETCH items", "[imap][fetch]") {
  struct Row {
    const char* args;
    const char* error;
  };
  const Row rows[] = {
      {"FOO", "Unknown FETCH item 'FOO'"},
      {"()", "FETCH: empty list of data items"},
      {"(FLAGS \"UID\")", "FETCH: invalid data item (quoted string)"},
      {"BODY[0]", "Invalid section: part numbers start at 1"},
      {"BODY[1.]", "Invalid section: '.' at the end"},
      {"BODY[1..2]", "Invalid section '1..2'"},
      {"BODY[MIME]", "Invalid section: MIME needs a part number"},
      {"BODY[HEADERS]", "Invalid section 'HEADERS'"},
      {"BODY[HEADER.FIELDS]", "HEADER.FIELDS needs a list of field names"},
      {"BODY[HEADER.FIELDS ()]", "HEADER.FIELDS needs at least one field name"},
      {"BODY[HEADER.FIELDS (a:b)]", "Invalid header field name 'a:b'"},
      {"BODY[HEADER.FIELDS DATE]", "HEADER.FIELDS needs a parenthesized list of field names"},
      {"BODY[]<1>", "Invalid partial '<1>': expected <offset.length>"},
      {"BODY[]<1.0>", "Invalid partial '<1.0>': offset and a non-zero length"},
      {"BODY[]<a.5>", "Invalid partial '<a.5>': offset and a non-zero length"},
      {"BODY[]<4294967296.1>", "Invalid partial '<4294967296.1>': offset and a non-zero length"},
      {"BINARY[TEXT]", "BINARY sections are part numbers only"},
      {"BINARY.SIZE[1]<0.5>", "BINARY.SIZE takes no <partial>"},
      {"MODSEQ", "MODSEQ needs CONDSTORE to be enabled"},
      {"FLAGS (CHANGEDSINCE 5)", "FETCH: unknown modifier atom CHANGEDSINCE"},
      {"FLAGS UID RFC822", "FETCH: too many arguments"},
  };
  for (const auto& row : rows) {
    INFO(row.args);
    auto r = fetch(row.args);
    REQUIRE_FALSE(r);
    CHECK(r.error().text == row.error);
  }
  // Deeply nested section paths are capped.
  std::string deep = "BODY[";
  for (int i = 0; i < 150; ++i) deep += "1.";
  deep += "TEXT]";
  auto d = fetch(deep);
  REQUIRE_FALSE(d);
  CHECK(d.error().text == "Invalid section: nested deeper than 100 parts");
  CHECK(fetch("(FLAGS)")->items.size() == 1);
}

TEST_CASE("CONDSTORE room: MODSEQ and CHANGEDSINCE behind an option", "[imap][fetch]") {
  FetchOptions condstore;
  condstore.condstore = true;
  auto r = fetch("(FLAGS) (CHANGEDSINCE 12345)", condstore);
  REQUIRE(r);
  CHECK(r->changed_since == uint64_t(12345));
  CHECK(r->has(K::modseq));
}
