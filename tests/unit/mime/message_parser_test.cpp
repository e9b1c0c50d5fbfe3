// parse_message: the MIME tree over tricky messages.
#include <catch2/catch.hpp>

#include "lib/mime/part.hpp"
#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

TEST_CASE("a message without Content-Type is text/plain us-ascii", "[mime]") {
  std::string raw = crlf("Subject: hi\n\nline one\nline two\n");
  Part p = parse_message(raw);
  CHECK(p.type == "text");
  CHECK(p.subtype == "plain");
  CHECK(p.charset() == "us-ascii");
  CHECK_FALSE(p.has_content_type);
  CHECK(p.header.in(raw) == "Subject: hi\r\n\r\n");
  CHECK(p.body.in(raw) == "line one\r\nline two\r\n");
  CHECK(p.body_lines == 2);
  CHECK(p.children.empty());
}

TEST_CASE("Content-Type parameters: quoting, comments, case, RFC 2231", "[mime]") {
  std::string raw = crlf(
      "Content-Type: Text/HTML (a comment) ; CharSet=\"UTF-8\";\n"
      "  format=flowed; name*0=\"long \"; name*1=\"file.txt\"; title*=us-ascii'en'a%20b\n"
      "Content-Disposition: ATTACHMENT; filename*0*=utf-8''%e2%82%ac; filename*1=\" rate.pdf\"\n"
      "Content-Transfer-Encoding: Quoted-Printable\n"
      "Content-ID: <id@x>\n"
      "Content-Language: en, de (German)\n"
      "Content-Location: http://example.com/\n"
      " a/b\n"
      "\n"
      "body\n");
  Part p = parse_message(raw);
  CHECK(p.type == "text");
  CHECK(p.subtype == "html");
  CHECK(p.charset() == "utf-8");
  REQUIRE(p.params.size() == 4);
  CHECK(p.params[0].name == "charset");
  CHECK(p.params[0].value == "UTF-8");
  CHECK(p.params[1].name == "format");
  CHECK(p.params[2].name == "name");
  CHECK(p.params[2].value == "long file.txt");
  CHECK(p.params[3].name == "title*");
  CHECK(p.params[3].value == "us-ascii'en'a%20b");
  CHECK(p.disposition == "attachment");
  REQUIRE(p.disposition_params.size() == 1);
  CHECK(p.disposition_params[0].name == "filename*");
  CHECK(p.disposition_params[0].value == "utf-8''%e2%82%ac%20rate.pdf");
  CHECK(p.encoding == "quoted-printable");
  CHECK(p.id == "<id@x>");
  CHECK(p.languages == std::vector<std::string>{"en", "de"});
  CHECK(p.location == "http://example.com/a/b");
}

TEST_CASE("an invalid Content-Type means text/plain", "[mime]") {
  for (const char* value : {"text", "/plain", "", "; charset=utf-8", "text/"}) {
    INFO(value);
    std::string raw = std::string("Content-Type: ") + value + "\r\n\r\nx";
    Part p = parse_message(raw);
    CHECK(p.type == "text");
    CHECK(p.subtype == "plain");
    CHECK(p.params.empty());
  }
  // A missing ';' before a parameter is forgiven.
  Part p = parse_message("Content-Type: text/plain charset=utf-8\r\n\r\nx");
  CHECK(p.charset() == "utf-8");
}

TEST_CASE("nested multiparts with message/rfc822 inside", "[mime]") {
  std::string raw = crlf(
      "From: a@b\n"
      "Content-Type: multipart/mixed; boundary=outer\n"
      "\n"
      "preamble\n"
      "--outer\n"
      "Content-Type: multipart/alternative; boundary=\"inner\"\n"
      "\n"
      "--inner\n"
      "\n"
      "plain\n"
      "--inner\n"
      "Content-Type: text/html\n"
      "\n"
      "<p>html</p>\n"
      "--inner--\n"
      "--outer\n"
      "Content-Type: message/rfc822\n"
      "\n"
      "Subject: inner\n"
      "Content-Type: text/plain; charset=iso-8859-1\n"
      "\n"
      "embedded\n"
      "--outer--\n"
      "epilogue\n");
  Part p = parse_message(raw);
  REQUIRE(p.is_multipart());
  REQUIRE(p.children.size() == 2);
  const Part& alt = p.children[0];
  CHECK(alt.subtype == "alternative");
  REQUIRE(alt.children.size() == 2);
  CHECK(alt.children[0].header.in(raw) == "\r\n");
  CHECK(alt.children[0].body.in(raw) == "plain");
  CHECK(alt.children[0].body_lines == 1);
  CHECK(alt.children[1].subtype == "html");
  CHECK(alt.children[1].body.in(raw) == "<p>html</p>");
  const Part& msg = p.children[1];
  CHECK(msg.is_message_rfc822());
  REQUIRE(msg.children.size() == 1);
  const Part& inner = msg.children[0];
  CHECK(inner.header.in(raw) == "Subject: inner\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n");
  CHECK(inner.body.in(raw) == "embedded");
  CHECK(inner.charset() == "iso-8859-1");
  CHECK(msg.body.in(raw).substr(0, 15) == "Subject: inner\r");
}

TEST_CASE("multipart/digest parts default to message/rfc822", "[mime]") {
  std::string raw = crlf(
      "Content-Type: multipart/digest; boundary=d\n"
      "\n"
      "--d\n"
      "\n"
      "Subject: one\n"
      "\n"
      "first\n"
      "--d\n"
      "Content-Type: text/plain\n"
      "\n"
      "not a message\n"
      "--d--\n");
  Part p = parse_message(raw);
  REQUIRE(p.children.size() == 2);
  CHECK(p.children[0].is_message_rfc822());
  REQUIRE(p.children[0].children.size() == 1);
  CHECK(p.children[0].children[0].header.in(raw) == "Subject: one\r\n\r\n");
  CHECK(p.children[1].type == "text");
}

TEST_CASE("missing and unterminated boundaries", "[mime]") {
  SECTION("no close delimiter: the last part runs to the end") {
    std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n");
    Part p = parse_message(raw);
    REQUIRE(p.children.size() == 2);
    CHECK(p.children[1].body.in(raw) == "two\r\n");
  }
  SECTION("no delimiter line at all: no children") {
    std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\njust text\n");
    Part p = parse_message(raw);
    CHECK(p.is_multipart());
    CHECK(p.children.empty());
  }
  SECTION("no boundary parameter") {
    std::string raw = crlf("Content-Type: multipart/mixed\n\n--b\n\none\n");
    CHECK(parse_message(raw).children.empty());
  }
  SECTION("an inner multipart without its close delimiter ends at the outer one") {
    std::string raw = crlf(
        "Content-Type: multipart/mixed; boundary=o\n\n"
        "--o\nContent-Type: multipart/mixed; boundary=i\n\n--i\n\ninner\n"
        "--o\n\nsecond\n--o--\n");
    Part p = parse_message(raw);
    REQUIRE(p.children.size() == 2);
    REQUIRE(p.children[0].children.size() == 1);
    CHECK(p.children[0].children[0].body.in(raw) == "inner");
    CHECK(p.children[1].body.in(raw) == "second");
  }
  SECTION("boundary-like text is not a delimiter") {
    std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b\n\n x--b\n--bx\n--b--\n");
    Part p = parse_message(raw);
    REQUIRE(p.children.size() == 1);
    CHECK(p.children[0].body.in(raw) == " x--b\r\n--bx");
  }
  SECTION("delimiter with trailing white space; adjacent delimiters give an empty part") {
    std::string raw = crlf("Content-Type: multipart/mixed; boundary=b\n\n--b  \n--b\n\nx\n--b-- \n");
    Part p = parse_message(raw);
    REQUIRE(p.children.size() == 2);
    CHECK(p.children[0].header.length == 0);
    CHECK(p.children[0].body.length == 0);
    CHECK(p.children[1].body.in(raw) == "x");
  }
  SECTION("a header without an empty line is all header") {
    std::string raw = "Subject: x\r\nFrom: y\r\n";
    Part p = parse_message(raw);
    CHECK(p.header.length == raw.size());
    CHECK(p.body.length == 0);
    CHECK(p.body.offset == raw.size());
  }
}

TEST_CASE("LF-only input parses like CRLF", "[mime]") {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nhello\n--b--\n";
  Part p = parse_message(raw);
  REQUIRE(p.children.size() == 1);
  CHECK(p.children[0].body.in(raw) == "hello");
  CHECK(p.children[0].header.in(raw) == "Content-Type: text/plain\n\n");
}

TEST_CASE("8-bit header bytes and broken lines do not stop parsing", "[mime]") {
  std::string raw = crlf(
      "Subject: caf\xe9\nno colon here\n continuation\nContent-Type: text/plain; charset=\xff\n\nbody\n");
  Part p = parse_message(raw);
  CHECK(p.charset() == "\xff");
  CHECK(p.body.in(raw) == "body\r\n");
}

TEST_CASE("deep nesting is capped", "[mime]") {
  std::string raw;
  for (int i = 0; i < 300; ++i) raw += "Content-Type: message/rfc822\r\n\r\n";
  raw += "body\r\n";
  Part p = parse_message(raw);
  unsigned depth = 0;
  const Part* cur = &p;
  while (!cur->children.empty()) {
    cur = &cur->children[0];
    ++depth;
  }
  CHECK(depth == kMaxNesting);

  std::string mp;
  for (int i = 0; i < 300; ++i)
    mp += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
          std::to_string(i) + "\r\n";
  Part q = parse_message(mp);
  depth = 0;
  cur = &q;
  while (!cur->children.empty()) {
    cur = &cur->children[0];
    ++depth;
  }
  CHECK(depth == kMaxNesting);
}

TEST_CASE("part count is capped", "[mime]") {
  std::string raw = "Content-Type: multipart/mixed; boundary=b\r\n\r\n";
  for (size_t i = 0; i < kMaxParts + 500; ++i) raw += "--b\r\n\r\nx\r\n";
  Part p = parse_message(raw);
  CHECK(p.children.size() == kMaxParts - 1);
}

TEST_CASE("an absurdly long boundary leaves the multipart opaque", "[mime]") {
  std::string b(300, 'x');
  std::string raw =
      "Content-Type: multipart/mixed; boundary=" + b + "\r\n\r\n--" + b + "\r\n\r\nx\r\n--" + b + "--\r\n";
  Part p = parse_message(raw);
  CHECK(p.is_multipart());
  CHECK(p.children.empty());
  std::string ok(70, 'y');
  raw = "Content-Type: multipart/mixed; boundary=\"" + ok + "\"\r\n\r\n--" + ok + "\r\n\r\nx\r\n--" + ok +
        "--\r\n";
  CHECK(parse_message(raw).children.size() == 1);
}

TEST_CASE("unquoted parameter values with spaces", "[mime]") {
  Part p = parse_message("Content-Type: application/pdf; name=My report.pdf; x=1\r\n\r\n");
  CHECK(p.param("name") == "My report.pdf");
  CHECK(p.param("x") == "1");
  Part q = parse_message("Content-Type: text/plain; charset=utf-8 format=flowed\r\n\r\n");
  CHECK(q.param("charset") == "utf-8");
  CHECK(q.param("format") == "flowed");
  Part r = parse_message("Content-Type: text/plain; charset=us-ascii (Plain text)\r\n\r\n");
  CHECK(r.param("charset") == "us-ascii");
}
