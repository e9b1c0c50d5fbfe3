// 8BITMIME to 7BIT conversion (lib/mime/downgrade.cpp): every output byte is
// 7-bit, lines stay short, and decoding each converted part gives back the
// original bytes; what is already 7-bit or encoded is left alone.
#include "lib/mime/downgrade.hpp"

#include <catch2/catch.hpp>

#include "lib/mime/decode.hpp"
#include "lib/mime/part.hpp"

using namespace postern::mime;

namespace {

std::size_t longest_line(std::string_view text) {
  std::size_t longest = 0, start = 0;
  for (;;) {
    auto nl = text.find("\r\n", start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    longest = std::max(longest, end - start);
    if (nl == std::string_view::npos) return longest;
    start = nl + 2;
  }
}

// The leaf parts of a parsed message, depth first.
void leaves(const Part& p, std::vector<const Part*>& out) {
  if (p.children.empty()) out.push_back(&p);
  for (const auto& c : p.children) leaves(c, out);
}

const std::string kUtf8 = "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln, caf\xc3\xa9";

}  // namespace

TEST_CASE("quoted-printable encoding", "[mime]") {
  CHECK(encode_quoted_printable("plain text") == "plain text");
  CHECK(encode_quoted_printable("caf\xc3\xa9") == "caf=C3=A9");
  CHECK(encode_quoted_printable("a=b") == "a=3Db");
  // White space before a line break is protected; inside a line it is not.
  CHECK(encode_quoted_printable("trailing \r\nand\ttab\t") == "trailing=20\r\nand\ttab=09");
  CHECK(encode_quoted_printable("lf only\nline") == "lf only\r\nline");
  // Long lines get soft breaks at or before 76 characters, never inside =XX.
  std::string longline(200, '\xe9');
  std::string encoded = encode_quoted_printable(longline);
  CHECK(longest_line(encoded) <= 76);
  CHECK(decode_quoted_printable(encoded) == longline);
  std::string mixed;
  for (int i = 0; i < 300; ++i) mixed += (i % 3 ? 'x' : '\xfc');
  CHECK(decode_quoted_printable(encode_quoted_printable(mixed)) == mixed);
  CHECK(longest_line(encode_quoted_printable(mixed)) <= 76);
}

TEST_CASE("a 7-bit message is sent as it is", "[mime]") {
  CHECK(!downgrade_to_7bit("Subject: hi\r\n\r\nplain\r\n"));
  CHECK(!downgrade_to_7bit("Content-Type: text/plain\r\nContent-Transfer-Encoding: 8bit\r\n\r\nascii only\r\n"));
}

TEST_CASE("a message without MIME header fields becomes MIME with a QP body", "[mime]") {
  const std::string raw = "From: a@example.org\r\nSubject: no mime\r\n\r\n" + kUtf8 + "\r\n.\r\nend\r\n";
  auto out = downgrade_to_7bit(raw);
  REQUIRE(out);
  CHECK(!has_8bit(*out));
  CHECK(out->find("MIME-Version: 1.0\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n") != std::string::npos);
  CHECK(out->starts_with("From: a@example.org\r\nSubject: no mime\r\n"));
  Part top = parse_message(*out);
  CHECK(top.encoding == "quoted-printable");
  CHECK(decode_transfer(top.body.in(*out), *top.encoding) == kUtf8 + "\r\n.\r\nend\r\n");
}

TEST_CASE("8-bit in a 7bit-labelled part is relabelled, base64 and QP parts stay", "[mime]") {
  const std::string b64 = "aGVsbG8gd29ybGQ=";
  const std::string qp = "already=20qp =C3=A9";
  const std::string raw =
      "MIME-Version: 1.0\r\n"
      "Subject: =?utf-8?q?caf=C3=A9?=\r\n"
      "Content-Type: multipart/mixed; boundary=\"outer\"\r\n"
      "\r\n"
      "preamble\r\n"
      "--outer\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 7bit\r\n"
      "\r\n" + kUtf8 + "\r\n"
      "--outer\r\n"
      "Content-Type: application/octet-stream\r\n"
      "Content-Transfer-Encoding: base64\r\n"
      "\r\n" + b64 + "\r\n"
      "--outer\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Transfer-Encoding: quoted-printable\r\n"
      "\r\n" + qp + "\r\n"
      "--outer--\r\n"
      "epilogue\r\n";
  auto out = downgrade_to_7bit(raw);
  REQUIRE(out);
  CHECK(!has_8bit(*out));
  CHECK(out->find("Content-Transfer-Encoding: 7bit") == std::string::npos);
  CHECK(out->find("preamble\r\n--outer\r\n") != std::string::npos);
  CHECK(out->find("\r\n--outer--\r\nepilogue\r\n") != std::string::npos);
  Part top = parse_message(*out);
  REQUIRE(top.children.size() == 3);
  const Part& text = top.children[0];
  CHECK(text.encoding == "quoted-printable");
  CHECK(text.charset() == "utf-8");
  CHECK(decode_transfer(text.body.in(*out), "quoted-printable") == kUtf8);
  CHECK(top.children[1].body.in(*out) == b64);
  CHECK(top.children[2].body.in(*out) == qp);
}

TEST_CASE("nested multipart and message/rfc822 are walked; 8bit labels on them become 7bit", "[mime]") {
  const std::string raw =
      "MIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=a\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "--a\r\n"
      "Content-Type: multipart/alternative; boundary=b\r\n"
      "\r\n"
      "--b\r\n"
      "Content-Type: text/plain; charset=iso-8859-1\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "K\xf6ln\r\n"
      "--b\r\n"
      "Content-Type: text/html; charset=utf-8\r\n"
      "\r\n"
      "<p>" + kUtf8 + "</p>\r\n"
      "--b--\r\n"
      "--a\r\n"
      "Content-Type: message/rfc822\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "Subject: inner\r\n"
      "Content-Type: text/plain; charset=utf-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n"
      "\r\n"
      "inner " + kUtf8 + "\r\n"
      "--a--\r\n";
  auto out = downgrade_to_7bit(raw);
  REQUIRE(out);
  CHECK(!has_8bit(*out));
  CHECK(out->find("Content-Transfer-Encoding: 8bit") == std::string::npos);
  Part top = parse_message(*out);
  CHECK(top.encoding == "7bit");
  std::vector<const Part*> parts;
  leaves(top, parts);
  REQUIRE(parts.size() == 3);
  CHECK(decode_transfer(parts[0]->body.in(*out), *parts[0]->encoding) == "K\xf6ln");
  CHECK(decode_transfer(parts[1]->body.in(*out), *parts[1]->encoding) == "<p>" + kUtf8 + "</p>");
  CHECK(decode_transfer(parts[2]->body.in(*out), *parts[2]->encoding) == "inner " + kUtf8);
  REQUIRE(top.children.size() == 2);
  CHECK(top.children[1].is_message_rfc822());
  CHECK(top.children[1].encoding == "7bit");
  CHECK(longest_line(*out) <= 76);
}

TEST_CASE("8-bit header fields are left as they are", "[mime]") {
  const std::string raw = "Subject: " + kUtf8 + "\r\n\r\nbody " + kUtf8 + "\r\n";
  auto out = downgrade_to_7bit(raw);
  REQUIRE(out);
  CHECK(out->starts_with("Subject: " + kUtf8 + "\r\n"));
  Part top = parse_message(*out);
  CHECK(!has_8bit(top.body.in(*out)));
}

TEST_CASE("a 7-bit line over 998 bytes is QP-encoded too", "[mime]") {
  const std::string longline(1500, 'a');
  auto out = downgrade_to_7bit("Subject: long\r\n\r\n" + longline + "\r\n");
  REQUIRE(out);
  CHECK(longest_line(*out) <= 998);
  Part top = parse_message(*out);
  CHECK(decode_quoted_printable(top.body.in(*out)) == longline + "\r\n");
}

TEST_CASE("LF-only messages keep LF line ends", "[mime]") {
  auto out = downgrade_to_7bit("Subject: lf\n\ncaf\xc3\xa9\n");
  REQUIRE(out);
  CHECK(out->find('\r') == std::string::npos);
  CHECK(out->find("Content-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9\n") != std::string::npos);
}
