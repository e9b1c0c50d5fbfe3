// SEARCH programs: every RFC 3501 key, folding of aliases, OR/NOT/parens,
// CHARSET, ESEARCH RETURN, and the errors.
#include <catch2/catch.hpp>

#include "lib/imap/flags.hpp"
#include "lib/imap/search_key.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;
using postern::imap::test::args_of;
using K = SearchKey::Kind;

namespace {

// A compact rendering of the tree: AND(...) OR(a,b) NOT(x) FLAG(1) ...
std::string show(const SearchKey& k) {
  auto kids = [&] {
    std::string s;
    for (size_t i = 0; i < k.children.size(); ++i) s += (i ? "," : "") + show(k.children[i]);
    return s;
  };
  switch (k.kind) {
    case K::all: return "ALL";
    case K::and_: return "AND(" + kids() + ")";
    case K::or_: return "OR(" + kids() + ")";
    case K::not_: return "NOT(" + kids() + ")";
    case K::sequence: return "SEQ(" + k.set.to_string() + ")";
    case K::uid: return "UID(" + k.set.to_string() + ")";
    case K::flag: return "FLAG(" + std::string(system_flag_name(k.flag_bit)) + ")";
    case K::keyword: return "KW(" + k.text + ")";
    case K::header: return "HDR(" + k.field + ":" + k.text + ")";
    case K::body: return "BODY(" + k.text + ")";
    case K::text: return "TEXT(" + k.text + ")";
    case K::before: return "BEFORE(" + format_date(k.date) + ")";
    case K::on: return "ON(" + format_date(k.date) + ")";
    case K::since: return "SINCE(" + format_date(k.date) + ")";
    case K::sent_before: return "SENTBEFORE(" + format_date(k.date) + ")";
    case K::sent_on: return "SENTON(" + format_date(k.date) + ")";
    case K::sent_since: return "SENTSINCE(" + format_date(k.date) + ")";
    case K::larger: return "LARGER(" + std::to_string(k.size) + ")";
    case K::smaller: return "SMALLER(" + std::to_string(k.size) + ")";
    case K::modseq: return "MODSEQ(" + std::to_string(k.size) + ")";
  }
  return "?";
}

Parsed<SearchProgram> search(std::string_view text, SearchOptions options = {}) {
  auto args = args_of(text);
  return parse_search(args, options);
}

std::string tree(std::string_view text) {
  auto p = search(text);
  if (!p) return "ERROR " + p.error().text;
  return show(p->root);
}

}  // namespace

TEST_CASE("every RFC 3501 search key", "[imap][search]") {
  struct Row {
    const char* args;
    const char* tree;
  };
  const Row rows[] = {
      {"ALL", "AND(ALL)"},
      {"ANSWERED DELETED DRAFT FLAGGED SEEN RECENT",
       "AND(FLAG(\\Answered),FLAG(\\Deleted),FLAG(\\Draft),FLAG(\\Flagged),FLAG(\\Seen),FLAG(\\Recent))"},
      {"UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNSEEN",
       "AND(NOT(FLAG(\\Answered)),NOT(FLAG(\\Deleted)),NOT(FLAG(\\Draft)),NOT(FLAG(\\Flagged)),NOT(FLAG(\\Seen)))"},
      {"NEW", "AND(AND(FLAG(\\Recent),NOT(FLAG(\\Seen))))"},
      {"OLD", "AND(NOT(FLAG(\\Recent)))"},
      {"KEYWORD $Junk UNKEYWORD Work", "AND(KW($Junk),NOT(KW(Work)))"},
      {"FROM alice TO \"bob smith\" CC x BCC y SUBJECT {5+}\r\nhello",
       "AND(HDR(From:alice),HDR(To:bob smith),HDR(Cc:x),HDR(Bcc:y),HDR(Subject:hello))"},
      {"HEADER X-Mailer \"\"", "AND(HDR(X-Mailer:))"},
      {"BODY word TEXT \"two words\"", "AND(BODY(word),TEXT(two words))"},
      {"BEFORE 1-Feb-1994 ON 01-feb-1994 SINCE \"31-Dec-2023\"",
       "AND(BEFORE(1-Feb-1994),ON(1-Feb-1994),SINCE(31-Dec-2023))"},
      {"SENTBEFORE 1-Jan-2000 SENTON 29-Feb-2000 SENTSINCE 2-Mar-2001",
       "AND(SENTBEFORE(1-Jan-2000),SENTON(29-Feb-2000),SENTSINCE(2-Mar-2001))"},
      {"LARGER 1000 SMALLER 4294967295", "AND(LARGER(1000),SMALLER(4294967295))"},
      {"1:3,7 UID 10:*", "AND(SEQ(1:3,7),UID(10:*))"},
      {"*", "AND(SEQ(*))"},
      {"seen not deleted", "AND(FLAG(\\Seen),NOT(FLAG(\\Deleted)))"},
  };
  for (const auto& row : rows) {
    INFO(row.args);
    CHECK(tree(row.args) == row.tree);
  }
}

TEST_CASE("OR, NOT and parentheses nest", "[imap][search]") {
  CHECK(tree("OR SEEN FLAGGED") == "AND(OR(FLAG(\\Seen),FLAG(\\Flagged)))");
  CHECK(tree("OR (SEEN FROM a) NOT OR 1 2") ==
        "AND(OR(AND(FLAG(\\Seen),HDR(From:a)),NOT(OR(SEQ(1),SEQ(2)))))");
  CHECK(tree("NOT NOT (OR OR 1 2 3 UNSEEN)") ==
        "AND(NOT(NOT(AND(OR(OR(SEQ(1),SEQ(2)),SEQ(3)),NOT(FLAG(\\Seen))))))");
  CHECK(tree("((((ALL))))") == "AND(AND(AND(AND(AND(ALL)))))");
  CHECK(tree("OR SEEN") == "ERROR SEARCH: missing search key");
  CHECK(tree("NOT") == "ERROR SEARCH: missing search key");
  CHECK(tree("()") == "ERROR SEARCH: empty parentheses");
  // Deep chains are capped instead of exhausting the stack.
  std::string nots;
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  CHECK(tree(nots + "ALL") == "ERROR SEARCH nested too deeply (limit 64)");
  std::string ors;
  for (int i = 0; i < 100; ++i) ors += "OR 1 ";
  CHECK(tree(ors + "2") == "ERROR SEARCH nested too deeply (limit 64)");
  std::string ok;
  for (int i = 0; i < 60; ++i) ok += "NOT ";
  CHECK(tree(ok + "ALL").rfind("AND(NOT(NOT(", 0) == 0);
}

TEST_CASE("CHARSET", "[imap][search]") {
  auto utf8 = search("CHARSET UTF-8 SUBJECT \"\xc3\xa9t\xc3\xa9\"");
  REQUIRE(utf8);
  CHECK(utf8->charset == "UTF-8");
  CHECK(show(utf8->root) == "AND(HDR(Subject:\xc3\xa9t\xc3\xa9))");
  CHECK(search("charset us-ascii ALL")->charset == "US-ASCII");
  CHECK(search("ALL")->charset == "US-ASCII");
  auto bad = search("CHARSET ISO-8859-1 ALL");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == "BADCHARSET (US-ASCII UTF-8)");
  CHECK(bad.error().text == "Unsupported charset ISO-8859-1");
  auto missing = search("CHARSET");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code.empty());
  // CHARSET is only recognised first.
  CHECK(tree("ALL CHARSET UTF-8") == "ERROR SEARCH: unknown search key 'CHARSET'");
}

TEST_CASE("ESEARCH RETURN options", "[imap][search]") {
  auto p = search("RETURN (MIN COUNT) CHARSET UTF-8 UNSEEN");
  REQUIRE(p);
  CHECK(p->result.requested);
  CHECK(p->result.min);
  CHECK(p->result.count);
  CHECK_FALSE(p->result.max);
  CHECK_FALSE(p->result.all);
  auto empty = search("RETURN () ALL");
  REQUIRE(empty);
  CHECK(empty->result.all);
  CHECK_FALSE(search("ALL")->result.requested);
  CHECK(search("RETURN (SAVE) ALL").error().text == "SEARCH: unknown RETURN option atom SAVE");
  SearchOptions res;
  res.searchres = true;
  auto saved = search("RETURN (SAVE) UID $", res);
  REQUIRE(saved);
  CHECK(saved->result.save);
  CHECK(saved->uses_saved);
  CHECK(search("RETURN MIN ALL").error().text == "SEARCH: RETURN needs a list of options");
}

TEST_CASE("CONDSTORE room: MODSEQ behind an option", "[imap][search]") {
  SearchOptions condstore;
  condstore.condstore = true;
  auto p = search("MODSEQ 620162338", condstore);
  REQUIRE(p);
  CHECK(show(p->root) == "AND(MODSEQ(620162338))");
  auto entry = search("MODSEQ \"/flags/\\\\draft\" all 620162338 SEEN", condstore);
  REQUIRE(entry);
  CHECK(show(entry->root) == "AND(MODSEQ(620162338),FLAG(\\Seen))");
}

TEST_CASE("malformed search programs", "[imap][search]") {
  struct Row {
    const char* args;
    const char* error;
  };
  const Row rows[] = {
      {"BOGUS", "SEARCH: unknown search key 'BOGUS'"},
      {"SINCE 31-Feb-2020", "SEARCH: invalid date '31-Feb-2020' (expected e.g. 1-Feb-1994)"},
      {"SINCE 1-Foo-2020", "SEARCH: invalid date '1-Foo-2020' (expected e.g. 1-Feb-1994)"},
      {"BEFORE 2020-01-01", "SEARCH: invalid date '2020-01-01' (expected e.g. 1-Feb-1994)"},
      {"ON 1-Jan-20", "SEARCH: invalid date '1-Jan-20' (expected e.g. 1-Feb-1994)"},
      {"SINCE", "SEARCH: SINCE needs an argument"},
      {"LARGER x", "SEARCH: LARGER needs a number"},
      {"LARGER -1", "SEARCH: LARGER needs a number"},
      {"SMALLER 99999999999", "SEARCH: SMALLER needs a number"},
      {"UID", "SEARCH: UID needs a sequence set"},
      {"UID 0", "Invalid sequence set: 0 is not a valid message number or UID"},
      {"1:", "Invalid sequence set: range '1:': empty number"},
      {"HEADER", "SEARCH: HEADER needs an argument"},
      {"HEADER \"a b\" x", "SEARCH: invalid header field name"},
      {"FROM (a)", "SEARCH: FROM needs a string, got a list"},
      {"KEYWORD \\Seen", "SEARCH: invalid keyword '\\Seen'"},
      {"\"ALL\"", "SEARCH: expected a search key, got quoted string"},
      {"$", "Invalid sequence set: '$' (SEARCHRES) is not enabled"},
      {"MODSEQ 5", "SEARCH: unknown search key 'MODSEQ'"},
  };
  for (const auto& row : rows) {
    INFO(row.args);
    auto p = search(row.args);
    REQUIRE_FALSE(p);
    CHECK(p.error().text == row.error);
  }
  CHECK(parse_search({}).error().text == "SEARCH needs at least one search key");
  // Client text echoed in a BAD is printable and short: no CRLF can forge a reply.
  auto forged = search("SINCE {29+}\r\nx\r\n* OK [ALERT] forged\r\n12345");
  REQUIRE_FALSE(forged);
  CHECK(forged.error().text == "SEARCH: invalid date 'x??* OK [ALERT] forged??12345' (expected e.g. 1-Feb-1994)");
  auto long_key = search(std::string(100, 'K'));
  REQUIRE_FALSE(long_key);
  CHECK(long_key.error().text == "SEARCH: unknown search key '" + std::string(40, 'K') + "...'");
}
