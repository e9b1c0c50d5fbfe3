// Strict UTF-8 (what the MIME, IMAP and store libraries share) and the
// modified UTF-7 codec built on it.
#include <catch2/catch.hpp>

#include "lib/base/mutf7.hpp"
#include "lib/base/utf8.hpp"

using namespace postern;

TEST_CASE("utf8: sequences are decoded strictly", "[base][utf8]") {
  struct Row {
    const char* name;
    std::string text;
    size_t length;  // of the sequence at 0; 0 = invalid
    char32_t cp;
  } rows[] = {
      {"ASCII", "a", 1, 'a'},
      {"two bytes", "\xC3\xA9", 2, 0xE9},
      {"three bytes", "\xE2\x82\xAC", 3, 0x20AC},
      {"four bytes", "\xF0\x9F\x93\xA7", 4, 0x1F4E7},
      {"overlong", "\xC0\xAF", 0, 0},
      {"surrogate", "\xED\xA0\x80", 0, 0},
      {"beyond U+10FFFF", "\xF4\x90\x80\x80", 0, 0},
      {"truncated", "\xE2\x82", 0, 0},
      {"lone continuation", "\x80", 0, 0},
      {"bad continuation", "\xC3\x41", 0, 0},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    char32_t cp = 0;
    CHECK(utf8_sequence(r.text, 0, &cp) == r.length);
    if (r.length) CHECK(cp == r.cp);
    CHECK(utf8_valid(r.text) == (r.length == r.text.size()));
  }
}

TEST_CASE("utf8: decoding always moves on; sanitize and append round trip", "[base][utf8]") {
  std::string text = "a\xC3\xA9\xFF\xE2\x82";
  size_t i = 0;
  std::vector<char32_t> cps;
  while (i < text.size()) cps.push_back(utf8_next(text, i));
  CHECK(cps == std::vector<char32_t>{'a', 0xE9, kReplacementCharacter, kReplacementCharacter, kReplacementCharacter});
  CHECK(utf8_sanitize(text) == "a\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(utf8_valid(utf8_sanitize(text)));
  std::string out;
  for (char32_t cp : {char32_t('x'), char32_t(0xE9), char32_t(0x20AC), char32_t(0x1F4E7)}) utf8_append(out, cp);
  CHECK(out == "x\xC3\xA9\xE2\x82\xAC\xF0\x9F\x93\xA7");
}

TEST_CASE("mutf7: one spelling per name, reasons for refusals", "[base][mutf7]") {
  CHECK(*mutf7_encode("Donn\xC3\xA9""es") == "Donn&AOk-es");
  CHECK(*mutf7_decode("Donn&AOk-es") == "Donn\xC3\xA9""es");
  CHECK(*mutf7_decode("a&-b") == "a&b");
  CHECK_FALSE(mutf7_encode("caf\xC3").ok());
  struct Row {
    const char* wire;
    const char* reason;
  } rows[] = {
      {"&AOk", "'&' sequence without closing '-'"},
      {"&AOk-&AOk-", "adjacent modified BASE64 runs must be one"},
      {"&AGE-", "printable ASCII must not be encoded in modified BASE64"},
      {"caf\xC3\xA9", "8-bit or control character (names are sent in modified UTF-7)"},
  };
  for (const auto& r : rows) {
    INFO(r.wire);
    auto d = mutf7_decode(r.wire);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().message == r.reason);
  }
}
