// BODY and BODYSTRUCTURE text (RFC 3501 7.4.2) for tricky messages.
#include "lib/mime/body_structure.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

namespace {

std::string bs(const std::string& raw, bool extended = true) {
  return body_structure(raw, parse_message(raw), extended);
}

}  // namespace

TEST_CASE("a plain message: default type, charset and encoding", "[mime]") {
  std::string raw = crlf("Subject: x\n\nhello\nworld\n");
  CHECK(bs(raw, false) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 14 2)");
  CHECK(bs(raw) == "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 14 2 NIL NIL NIL NIL)");
}

TEST_CASE("single part fields: id, description, encoding, md5, disposition, language, location", "[mime]") {
  std::string raw = crlf(
      "Content-Type: application/pdf; name=\"a \\\"b\\\".pdf\"\n"
      "Content-ID: <c1@x>\n"
      "Content-Description: the \"report\"\n"
      "Content-Transfer-Encoding: base64\n"
      "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\n"
      "Content-Disposition: attachment; filename=r.pdf; size=4\n"
      "Content-Language: en-GB, fr\n"
      "Content-Location: r.pdf\n"
      "\n"
      "AAAA\n");
  CHECK(bs(raw) ==
        "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a \\\"b\\\".pdf\") \"<c1@x>\" \"the \\\"report\\\"\" "
        "\"BASE64\" 6 "
        "\"Q2hlY2sgSW50ZWdyaXR5IQ==\" (\"ATTACHMENT\" (\"FILENAME\" \"r.pdf\" \"SIZE\" \"4\")) (\"en-GB\" "
        "\"fr\") "
        "\"r.pdf\")");
  // Not a text part: no line count, no default charset.
  CHECK(bs(raw, false) ==
        "(\"APPLICATION\" \"PDF\" (\"NAME\" \"a \\\"b\\\".pdf\") \"<c1@x>\" \"the \\\"report\\\"\" "
        "\"BASE64\" 6)");
}

TEST_CASE("one language is a string; non-text parameters empty are NIL", "[mime]") {
  std::string raw = crlf("Content-Type: image/png\nContent-Language: de\n\nx");
  CHECK(bs(raw) == "(\"IMAGE\" \"PNG\" NIL NIL NIL \"7BIT\" 1 NIL NIL \"de\" NIL)");
}

TEST_CASE("multipart with extension data and nested message/rfc822", "[mime]") {
  std::string raw = crlf(
      "From: a@b\n"
      "Content-Type: multipart/mixed; boundary=\"o\"\n"
      "Content-Disposition: inline\n"
      "\n"
      "--o\n"
      "Content-Type: text/plain; charset=utf-8\n"
      "\n"
      "hi\n"
      "--o\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Subject: inner\n"
      "From: Joe <joe@x.org>\n"
      "\n"
      "one\n"
      "two\n"
      "--o--\n");
  std::string inner_env =
      "(NIL \"inner\" ((\"Joe\" NIL \"joe\" \"x.org\")) ((\"Joe\" NIL \"joe\" \"x.org\")) "
      "((\"Joe\" NIL \"joe\" \"x.org\")) NIL NIL NIL NIL NIL)";
  // The embedded message: 41 octets of header, 8 of body ("one\r\ntwo"), 5 lines.
  CHECK(bs(raw) ==
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 2 1 NIL NIL NIL NIL)"
        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 49 " +
            inner_env +
            " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 8 2 NIL NIL NIL NIL) 5 "
            "NIL NIL NIL NIL)"
            " \"MIXED\" (\"BOUNDARY\" \"o\") (\"INLINE\" NIL) NIL NIL)");
  CHECK(bs(raw, false) ==
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") NIL NIL \"7BIT\" 2 1)"
        "(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 49 " +
            inner_env +
            " (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 8 2) 5) \"MIXED\")");
}

TEST_CASE("multipart without any part shows one empty text part", "[mime]") {
  std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\nno parts here\n");
  CHECK(bs(raw, false) == "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0) \"MIXED\")");
  CHECK(bs(raw) ==
        "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 0 0 NIL NIL NIL NIL) \"MIXED\" "
        "(\"BOUNDARY\" \"b\") NIL NIL NIL)");
}

TEST_CASE("digest children are messages", "[mime]") {
  std::string raw = crlf("Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nb\n--d--\n");
  CHECK(bs(raw, false) ==
        "((\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 15 (NIL \"s\" NIL NIL NIL NIL NIL NIL NIL NIL) "
        "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1) 3) \"DIGEST\")");
}

TEST_CASE("8-bit and CR/LF in values go out as literals", "[mime]") {
  std::string raw = crlf("Content-Type: text/plain; name=\"caf\xc3\xa9\"\n\nx");
  CHECK(bs(raw, false) ==
        "(\"TEXT\" \"PLAIN\" (\"NAME\" {5}\r\ncaf\xc3\xa9 \"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1 1)");
}

TEST_CASE("depth capped structures stay well formed", "[mime]") {
  std::string raw;
  for (int i = 0; i < 150; ++i)
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
           std::to_string(i) + "\r\n";
  std::string out = bs(raw);
  int depth = 0, max_depth = 0;
  bool in_quote = false;
  for (char c : out) {
    if (c == '"') in_quote = !in_quote;
    if (in_quote) continue;
    if (c == '(') max_depth = std::max(max_depth, ++depth);
    if (c == ')') --depth;
    REQUIRE(depth >= 0);
  }
  CHECK(depth == 0);
  CHECK(max_depth > 100);
}
