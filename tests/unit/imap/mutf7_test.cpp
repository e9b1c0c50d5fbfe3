// Modified UTF-7: round trips, RFC 3501's example, strict rejection.
#include <catch2/catch.hpp>

#include "lib/imap/mutf7.hpp"

using namespace postern::imap;

TEST_CASE("modified UTF-7 round trips", "[imap][mutf7]") {
  struct Row {
    const char* utf8;
    const char* wire;
  };
  const Row rows[] = {
      {"INBOX", "INBOX"},
      {"", ""},
      {"a&b", "a&-b"},
      {"&", "&-"},
      {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
       "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},  // RFC 3501 5.1.3
      {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
      {"\xc3\xa9t\xc3\xa9", "&AOk-t&AOk-"},
      {"\xf0\x9f\x93\xa7 Mail", "&2D3c5w- Mail"},  // U+1F4E7: a surrogate pair
      {"caf\xc3\xa9&bar", "caf&AOk-&-bar"},
      {"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "&BB8EQAQ4BDIENQRC-"},
  };
  for (const auto& row : rows) {
    INFO(row.wire);
    auto enc = mutf7_encode(row.utf8);
    REQUIRE(enc);
    CHECK(*enc == row.wire);
    auto dec = mutf7_decode(row.wire);
    REQUIRE(dec);
    CHECK(*dec == row.utf8);
  }
  // Every BMP code point outside printable ASCII survives a round trip.
  for (uint32_t cp = 0x80; cp < 0x10000; cp += 97) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    std::string utf8;
    if (cp < 0x800) {
      utf8 = {static_cast<char>(0xc0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3f))};
    } else {
      utf8 = {static_cast<char>(0xe0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
              static_cast<char>(0x80 | (cp & 0x3f))};
    }
    std::string name = "x" + utf8 + utf8 + "y" + utf8;
    auto enc = mutf7_encode(name);
    REQUIRE(enc);
    auto dec = mutf7_decode(*enc);
    REQUIRE(dec);
    CHECK(*dec == name);
  }
}

TEST_CASE("invalid modified UTF-7 is refused", "[imap][mutf7]") {
  struct Row {
    const char* name;
    const char* wire;
    const char* error;
  };
  const Row rows[] = {
      {"bare & at end", "abc&", "Invalid mailbox name: '&' sequence without closing '-'"},
      {"unterminated", "&AOk", "Invalid mailbox name: '&' sequence without closing '-'"},
      {"non-base64", "&AO!k-", "Invalid mailbox name: invalid character in modified BASE64"},
      {"standard base64 slash", "&U/BTFw-", "Invalid mailbox name: invalid character in modified BASE64"},
      {"printable ASCII encoded", "&AGE-", "Invalid mailbox name: printable ASCII must not be encoded in modified BASE64"},
      {"encoded ampersand", "&ACY-", "Invalid mailbox name: printable ASCII must not be encoded in modified BASE64"},
      {"bad padding bits", "&AOl-", "Invalid mailbox name: bad padding in modified BASE64"},
      {"extra base64 char", "&AOkA-", "Invalid mailbox name: bad padding in modified BASE64"},
      {"adjacent runs", "&AOk-&AOk-", "Invalid mailbox name: adjacent modified BASE64 runs must be one"},
      {"empty run", "a&-&-", nullptr},
      {"lone high surrogate", "&2D0-", "Invalid mailbox name: broken UTF-16 surrogate pair"},
      {"lone low surrogate", "&3Oc-", "Invalid mailbox name: broken UTF-16 surrogate pair"},
      {"raw 8-bit", "caf\xc3\xa9", "Invalid mailbox name: 8-bit or control character (names are sent in modified UTF-7)"},
      {"control", "a\tb", "Invalid mailbox name: 8-bit or control character (names are sent in modified UTF-7)"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto dec = mutf7_decode(row.wire);
    if (!row.error) {  // valid after all: "&-" is no BASE64 run
      CHECK(dec);
      continue;
    }
    REQUIRE_FALSE(dec);
    CHECK(dec.error().text == row.error);
  }
  CHECK_FALSE(mutf7_encode("caf\xc3"));          // truncated UTF-8
  CHECK_FALSE(mutf7_encode("\xc0\xaf"));         // overlong
  CHECK_FALSE(mutf7_encode("\xed\xa0\x80"));     // a surrogate in UTF-8
  CHECK_FALSE(mutf7_encode("\xf4\x90\x80\x80"));  // beyond U+10FFFF
}

TEST_CASE("mailbox names from and to the wire", "[imap][mutf7]") {
  CHECK(*mailbox_from_wire("inbox") == "INBOX");
  CHECK(*mailbox_from_wire("iNbOx/Sub") == "INBOX/Sub");
  CHECK(*mailbox_from_wire("inboxy") == "inboxy");
  CHECK(*mailbox_from_wire("Entw&APw-rfe") == "Entw\xc3\xbcrfe");
  CHECK(mailbox_from_wire("&AAE-").error().text == "Invalid mailbox name: control character");
  CHECK(mailbox_to_wire("Entw\xc3\xbcrfe") == "Entw&APw-rfe");
  CHECK(mailbox_to_wire("a&b") == "a&-b");
  // A name with broken UTF-8 (made outside IMAP) still comes out.
  CHECK(mailbox_to_wire("x\xff\xc3\xa9") == "x\xff&AOk-");
}
