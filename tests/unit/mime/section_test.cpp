// BODY[section] contents (RFC 3501 6.4.5).
#include "lib/mime/section.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;
using Kind = Section::Kind;

namespace {

const std::string kMixed = crlf(
    "From: a@b\n"
    "Subject: test\n"
    "Content-Type: multipart/mixed; boundary=o\n"
    "\n"
    "--o\n"
    "Content-Type: text/plain\n"
    "\n"
    "first\n"
    "--o\n"
    "Content-Type: message/rfc822\n"
    "X-Part: two\n"
    "\n"
    "Subject: inner\n"
    "From: i@x\n"
    "Content-Type: multipart/alternative; boundary=i\n"
    "\n"
    "--i\n"
    "\n"
    "inner plain\n"
    "--i\n"
    "Content-Type: text/html\n"
    "\n"
    "<b>inner</b>\n"
    "--i--\n"
    "--o\n"
    "Content-Type: multipart/related; boundary=r\n"
    "\n"
    "--r\n"
    "\n"
    "related one\n"
    "--r--\n"
    "--o--\n");

std::optional<std::string> fetch(const std::string& raw, std::vector<unsigned> path, Kind kind = Kind::all,
                                 std::vector<std::string> fields = {}) {
  Section s;
  s.path = std::move(path);
  s.kind = kind;
  s.fields = std::move(fields);
  return fetch_section(raw, parse_message(raw), s);
}

}  // namespace

TEST_CASE("whole message, HEADER and TEXT", "[mime]") {
  CHECK(fetch(kMixed, {}) == kMixed);
  CHECK(fetch(kMixed, {}, Kind::header) ==
        crlf("From: a@b\nSubject: test\nContent-Type: multipart/mixed; boundary=o\n\n"));
  CHECK(fetch(kMixed, {}, Kind::text)->substr(0, 5) == "--o\r\n");
  CHECK_FALSE(fetch(kMixed, {}, Kind::mime));
}

TEST_CASE("part numbers in multiparts and embedded messages", "[mime]") {
  CHECK(fetch(kMixed, {1}) == "first");
  CHECK(fetch(kMixed, {1}, Kind::mime) == crlf("Content-Type: text/plain\n\n"));
  CHECK(fetch(kMixed, {2}, Kind::mime) == crlf("Content-Type: message/rfc822\nX-Part: two\n\n"));
  // BODY[2] of a message/rfc822 part is the whole embedded message.
  CHECK(fetch(kMixed, {2})->substr(0, 16) == "Subject: inner\r\n");
  CHECK(fetch(kMixed, {2}, Kind::header) ==
        crlf("Subject: inner\nFrom: i@x\nContent-Type: multipart/alternative; boundary=i\n\n"));
  CHECK(fetch(kMixed, {2}, Kind::text)->substr(0, 5) == "--i\r\n");
  CHECK(fetch(kMixed, {2, 1}) == "inner plain");
  CHECK(fetch(kMixed, {2, 2}) == "<b>inner</b>");
  CHECK(fetch(kMixed, {2, 2}, Kind::mime) == crlf("Content-Type: text/html\n\n"));
  CHECK(fetch(kMixed, {3, 1}) == "related one");
}

TEST_CASE("sections that do not exist", "[mime]") {
  CHECK_FALSE(fetch(kMixed, {0}));
  CHECK_FALSE(fetch(kMixed, {4}));
  CHECK_FALSE(fetch(kMixed, {1, 1}));
  CHECK_FALSE(fetch(kMixed, {2, 3}));
  CHECK_FALSE(fetch(kMixed, {1}, Kind::header));  // HEADER of a part that is not a message
  CHECK_FALSE(fetch(kMixed, {1}, Kind::text));
  CHECK_FALSE(fetch(kMixed, {3, 1, 1}));
  CHECK_FALSE(fetch(kMixed, {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}));
}

TEST_CASE("HEADER.FIELDS and HEADER.FIELDS.NOT keep order, folding and the blank line", "[mime]") {
  std::string raw = crlf("Subject: a\n folded\nFrom: x@y\nTo: z@w\nfrom: second@y\n\nbody\n");
  CHECK(fetch(raw, {}, Kind::header_fields, {"FROM"}) == crlf("From: x@y\nfrom: second@y\n\n"));
  CHECK(fetch(raw, {}, Kind::header_fields, {"subject", "to"}) == crlf("Subject: a\n folded\nTo: z@w\n\n"));
  CHECK(fetch(raw, {}, Kind::header_fields, {"X-None"}) == "\r\n");
  CHECK(fetch(raw, {}, Kind::header_fields_not, {"from", "subject"}) == crlf("To: z@w\n\n"));
  CHECK(fetch(kMixed, {2}, Kind::header_fields, {"From"}) == crlf("From: i@x\n\n"));
  CHECK_FALSE(fetch(kMixed, {1}, Kind::header_fields, {"From"}));
}

TEST_CASE("BODY[1] of a single-part message is its body", "[mime]") {
  std::string raw = crlf("Subject: s\nContent-Type: text/plain\n\nthe body\n");
  CHECK(fetch(raw, {1}) == crlf("the body\n"));
  CHECK(fetch(raw, {1}, Kind::mime) == crlf("Subject: s\nContent-Type: text/plain\n\n"));
  CHECK(fetch(raw, {}, Kind::text) == crlf("the body\n"));
  CHECK_FALSE(fetch(raw, {2}));
  CHECK_FALSE(fetch(raw, {1, 1}));
}

TEST_CASE("a top-level message/rfc822: part 1 is the embedded message, 1.1 its body", "[mime]") {
  std::string raw = crlf("Content-Type: message/rfc822\n\nSubject: in\n\ninner body\n");
  CHECK(fetch(raw, {1}) == crlf("Subject: in\n\ninner body\n"));
  CHECK(fetch(raw, {1, 1}) == crlf("inner body\n"));
  CHECK(fetch(raw, {1}, Kind::header) == crlf("Subject: in\n\n"));
}

TEST_CASE("a header without the empty line still ends HEADER.FIELDS with one", "[mime]") {
  std::string raw = "Subject: only\r\nFrom: f@x";
  CHECK(fetch(raw, {}, Kind::header_fields, {"from"}) == "From: f@x\r\n\r\n");
}
