// SEARCH helpers: HEADER, BODY, TEXT on decoded, case-folded text.
#include "lib/mime/text_search.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

namespace {

const std::string kMessage = crlf(
    "From: =?iso-8859-1?q?Andr=E9?= <andre@example.org>\n"
    "Subject: =?utf-8?b?UmVwb3J0IMOcYmVyc2ljaHQ=?=\n"
    "X-Tag: one\n"
    "X-Tag: two\n"
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain; charset=iso-8859-1\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "Gr=FC=DFe aus K=F6ln, sch=\n"
    "=F6ne Stadt\n"
    "--b\n"
    "Content-Type: application/octet-stream\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "c2VjcmV0IGJpbmFyeQ==\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "Subject: =?utf-8?q?Inner_Subj=C3=A9ct?=\n"
    "\n"
    "inner body words\n"
    "--b\n"
    "Content-Type: text/html; charset=utf-8\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "PHA+0J/RgNC40LLQtdGCPC9wPg==\n"
    "--b--\n");

}  // namespace

TEST_CASE("case folding", "[mime]") {
  CHECK(fold_case("HeLLo") == "hello");
  CHECK(fold_case("\xc3\x9c"
                  "BER") ==
        "\xc3\xbc"
        "ber");                                                                // Ü -> ü
  CHECK(fold_case("\xd0\x9f\xd0\xa0\xd0\x98") == "\xd0\xbf\xd1\x80\xd0\xb8");  // ПРИ -> при
  CHECK(fold_case("\xce\xa3") == "\xcf\x83");                                  // Σ -> σ
  CHECK(fold_case("\xc5\x81") == "\xc5\x82");                                  // Ł -> ł
  CHECK(fold_case("\xff") == "\xef\xbf\xbd");
}

TEST_CASE("HEADER searches decoded values of the named field", "[mime]") {
  Part p = parse_message(kMessage);
  CHECK(header_contains(kMessage, p, "from", "andr\xc3\xa9"));
  CHECK(header_contains(kMessage, p, "FROM", "EXAMPLE.ORG"));
  CHECK(header_contains(kMessage, p, "subject",
                        "\xc3\xbc"
                        "bersicht"));
  CHECK(header_contains(kMessage, p, "x-tag", "two"));  // every field of that name
  CHECK_FALSE(header_contains(kMessage, p, "subject", "andre"));
  CHECK(header_contains(kMessage, p, "x-tag", ""));  // empty string: the field exists
  CHECK_FALSE(header_contains(kMessage, p, "x-missing", ""));
  // The embedded message's header is not the message's header.
  CHECK_FALSE(header_contains(kMessage, p, "subject", "inner"));
}

TEST_CASE("BODY searches decoded text parts and embedded messages", "[mime]") {
  Part p = parse_message(kMessage);
  CHECK(body_contains(kMessage, p,
                      "GR\xc3\x9c\xc3\x9f"
                      "E"));                                 // QP + Latin-1, folded
  CHECK(body_contains(kMessage, p, "sch\xc3\xb6ne stadt"));  // across a soft line break
  CHECK(body_contains(kMessage, p,
                      "inner subj\xc3\xa9"
                      "ct"));  // embedded header, decoded
  CHECK(body_contains(kMessage, p, "INNER BODY"));
  CHECK(body_contains(kMessage, p, "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));  // base64 UTF-8 HTML
  CHECK_FALSE(body_contains(kMessage, p, "secret"));                                      // not a text part
  CHECK_FALSE(body_contains(kMessage, p, "andre@example"));  // header is not body
  CHECK_FALSE(body_contains(kMessage, p, "=FC"));            // encoded form is not searched
}

TEST_CASE("TEXT searches header and body", "[mime]") {
  Part p = parse_message(kMessage);
  CHECK(text_contains(kMessage, p, "andre@example"));
  CHECK(text_contains(kMessage, p, "x-tag: one"));
  CHECK(text_contains(kMessage, p, "k\xc3\xb6ln"));
  CHECK_FALSE(text_contains(kMessage, p, "nowhere to be found"));
}

TEST_CASE("a prepared needle is reusable", "[mime]") {
  Needle n("Hello");
  CHECK(n.found_in("say HELLO"));
  CHECK_FALSE(n.found_in("hell"));
  std::string plain = crlf("Subject: x\n\nhello there\n");
  CHECK(body_contains(plain, parse_message(plain), n));
}
