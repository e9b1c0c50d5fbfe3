// Transfer decoding, charsets and RFC 2047 header decoding.
#include "lib/mime/decode.hpp"

#include <catch2/catch.hpp>

#include "tests/unit/mime/test_messages.hpp"

using namespace postern::mime;
using postern::mime::testing::crlf;

TEST_CASE("base64", "[mime]") {
  CHECK(decode_base64("aGVsbG8gd29ybGQ=") == "hello world");
  CHECK(decode_base64("aGVs\r\nbG8=") == "hello");
  CHECK(decode_base64("aGVsbA") == "hell");
  CHECK(decode_base64("a!G@V#s$") == "hel");  // junk skipped
  CHECK(decode_base64("") == "");
}

TEST_CASE("quoted-printable", "[mime]") {
  CHECK(decode_quoted_printable("caf=C3=A9") == "caf\xc3\xa9");
  CHECK(decode_quoted_printable("lower=c3=a9") == "lower\xc3\xa9");
  CHECK(decode_quoted_printable("soft=\r\nbreak") == "softbreak");
  CHECK(decode_quoted_printable("soft= \t\nbreak") == "softbreak");
  CHECK(decode_quoted_printable("bad=ZZ and =") == "bad=ZZ and ");
  CHECK(decode_quoted_printable("a = b") == "a = b");
  CHECK(decode_transfer("Zm9v", "BASE64") == "foo");
  CHECK(decode_transfer("Zm9v", "8bit") == "Zm9v");
}

TEST_CASE("charsets to UTF-8", "[mime]") {
  CHECK(to_utf8("caf\xe9", "ISO-8859-1") == "caf\xc3\xa9");
  CHECK(to_utf8("\x80", "windows-1252") == "\xe2\x82\xac");
  CHECK(to_utf8("\xa4", "iso-8859-15") == "\xe2\x82\xac");  // through iconv
  CHECK(to_utf8("\xf0\xd2\xc9\xd7\xc5\xd4", "koi8-r") == "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
  CHECK(to_utf8("\xcf\xf0\xe8\xe2\xe5\xf2", "windows-1251") ==
        "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
  CHECK(to_utf8("\x1b$B$3$s$K$A$O\x1b(B", "iso-2022-jp") ==
        "\xe3\x81\x93\xe3\x82\x93\xe3\x81\xab\xe3\x81\xa1\xe3\x81\xaf");
  CHECK(to_utf8(std::string("h\0i\0", 4), "utf-16le") == "hi");  // 7-bit bytes, but not ASCII
  CHECK(to_utf8(std::string("\0h\0i", 4), "UCS-2BE") == "hi");
  CHECK(to_utf8("+AOk-", "utf-7") == "\xc3\xa9");
  CHECK(to_utf8("caf\xc3\xa9", "us-ascii") == "caf\xc3\xa9");  // mislabelled UTF-8 stays
  CHECK(to_utf8("caf\xe9", "us-ascii") == "caf\xc3\xa9");      // mislabelled Latin-1
  CHECK(to_utf8("caf\xe9", "x-no-such-charset") == "caf\xc3\xa9");
  CHECK(to_utf8("caf\xe9", "../../etc/x") == "caf\xc3\xa9");
  CHECK(to_utf8("bad\xff", "utf-8") == "bad\xef\xbf\xbd");
  CHECK(to_utf8("a\xff"
                "b",
                "shift_jis")
            .find("\xef\xbf\xbd") != std::string::npos);
  CHECK(is_utf8("caf\xc3\xa9"));
  CHECK_FALSE(is_utf8("\xc0\x80"));      // overlong
  CHECK_FALSE(is_utf8("\xed\xa0\x80"));  // surrogate
}

TEST_CASE("RFC 2047 encoded words", "[mime]") {
  struct Row {
    const char* name;
    const char* in;
    const char* out;
  };
  const Row rows[] = {
      {"plain", "hello world", "hello world"},
      {"Q", "=?ISO-8859-1?Q?caf=E9_cr=E8me?=", "caf\xc3\xa9 cr\xc3\xa8me"},
      {"B", "=?utf-8?B?Y2Fmw6k=?=", "caf\xc3\xa9"},
      {"lower-case b and q", "=?utf-8?b?Y2Fmw6k=?= =?utf-8?q?x?=", "caf\xc3\xa9x"},
      {"adjacent words: white space between them dropped", "=?utf-8?q?a?=  \t =?utf-8?q?b?=", "ab"},
      {"folded adjacent words", "=?utf-8?q?a?=\r\n =?utf-8?q?b?=", "ab"},
      {"text between words kept", "=?utf-8?q?a?= and =?utf-8?q?b?=", "a and b"},
      {"space before and after kept", "x =?utf-8?q?a?= y", "x a y"},
      {"mixed charsets",
       "=?iso-8859-1?q?=E9?= =?koi8-r?b?8NLJ1w==?=", "\xc3\xa9\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2"},
      {"multi-byte character split across words",
       "=?utf-8?b?w6k=?= =?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "\xc3\xa9\xe2\x82\xac"},
      {"language suffix", "=?utf-8*en?q?hi?=", "hi"},
      {"unknown encoding left as is", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
      {"unterminated left as is", "=?utf-8?q?abc", "=?utf-8?q?abc"},
      {"space inside left as is", "=?utf-8?q?a b?=", "=?utf-8?q?a b?="},
      {"empty charset left as is",
       "=?"
       "?q?a?=",
       "=?"
       "?q?a?="},
      {"inside a word (lenient)", "re:=?utf-8?q?x?=", "re:x"},
      {"raw 8-bit UTF-8 kept", "caf\xc3\xa9", "caf\xc3\xa9"},
      {"raw Latin-1 read as Windows-1252", "caf\xe9", "caf\xc3\xa9"},
      {"unknown charset word", "=?x-bogus?q?caf=E9?=", "caf\xc3\xa9"},
      {"empty encoded text",
       "a =?utf-8?q?"
       "?= b",
       "a  b"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(decode_header(row.in) == row.out);
  }
}

TEST_CASE("decoded_text applies transfer encoding then charset", "[mime]") {
  std::string raw =
      crlf("Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: base64\n\nY2Fm6Q==\n");
  Part p = parse_message(raw);
  CHECK(decoded_text(raw, p) == "caf\xc3\xa9");
}
