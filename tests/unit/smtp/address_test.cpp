// Path syntax tests beyond what the command tests cover.
#include <catch2/catch.hpp>

#include "lib/smtp/address.hpp"

using namespace postern::smtp;

TEST_CASE("domains and literals", "[smtp][address]") {
  struct Row {
    const char* name;
    const char* text;
    bool lenient;
    bool ok;
  } domains[] = {
      {"simple", "example.com", false, true},
      {"digits", "123.example", false, true},
      {"hyphen inside", "a-b.example", false, true},
      {"hyphen end", "a-.example", false, false},
      {"empty label", "a..example", false, false},
      {"trailing dot", "example.com.", false, false},
      {"underscore strict", "a_b.example", false, false},
      {"underscore lenient", "a_b.example", true, true},
      {"long label", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example", false, false},
  };
  for (const auto& row : domains)
    SECTION(row.name) { CHECK(valid_domain(row.text, row.lenient) == row.ok); }

  CHECK(valid_address_literal("[10.0.0.1]"));
  CHECK_FALSE(valid_address_literal("[10.0.0]"));
  CHECK_FALSE(valid_address_literal("[10.0.0.1.2]"));
  CHECK_FALSE(valid_address_literal("[1000.0.0.1]"));
  CHECK(valid_address_literal("[IPv6:::1]"));
  CHECK(valid_address_literal("[ipv6:2001:db8::192.0.2.1]"));
  CHECK_FALSE(valid_address_literal("[IPv6:]"));
  CHECK(valid_address_literal("[x-tag:anything]"));
  CHECK_FALSE(valid_address_literal("[]"));
}

TEST_CASE("utf-8 validation", "[smtp][address]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("J\xC3\xB6rg"));
  CHECK(valid_utf8("\xF0\x9F\x93\xA7"));
  CHECK_FALSE(valid_utf8("\xC0\xAF"));          // overlong
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // surrogate
  CHECK_FALSE(valid_utf8("\xE2\x82"));          // truncated
  CHECK_FALSE(valid_utf8("\xF5\x80\x80\x80"));  // above U+10FFFF
}

TEST_CASE("rest after the path", "[smtp][address]") {
  std::string_view rest;
  auto p = parse_path("<a@b.example> SIZE=1", PathOptions{}, &rest);
  REQUIRE(p);
  CHECK(rest == " SIZE=1");
  auto q = parse_path("<\"a>b\"@c.example> X", PathOptions{true}, &rest);
  REQUIRE(q);
  CHECK(q->local_part == "\"a>b\"");
  CHECK(rest == " X");
  CHECK_FALSE(parse_path("<a@b.example>X", PathOptions{true}, &rest));
}
