// String helpers: Postfix list splitting, trimming, case, numbers.
#include <catch2/catch.hpp>

#include "lib/base/strings.hpp"

using namespace postern;

TEST_CASE("split_list follows Postfix list syntax", "[strings]") {
  struct Row {
    const char* name;
    const char* input;
    std::vector<std::string> expected;
  };
  const Row rows[] = {
      {"commas and spaces", "a, b,c  d", {"a", "b", "c", "d"}},
      {"empty fields dropped", ",,a,,", {"a"}},
      {"tabs and newlines", "a\tb\n c", {"a", "b", "c"}},
      {"empty", "", {}},
      {"only separators", " , ,", {}},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(split_list(row.input) == row.expected);
  }
}

TEST_CASE("trim and case helpers", "[strings]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("") == "");
  CHECK(trim_left("  x ") == "x ");
  CHECK(trim_right("  x ") == "  x");
  CHECK(to_lower("MiXeD.Example") == "mixed.example");
  CHECK(to_upper("ehlo") == "EHLO");
  CHECK(iequals("MAIL", "mail"));
  CHECK_FALSE(iequals("MAIL", "mails"));
  CHECK(istarts_with("MAIL FROM:<a@b>", "mail from:"));
  CHECK_FALSE(istarts_with("MA", "mail"));
}

TEST_CASE("parse_long accepts whole decimal numbers only", "[strings]") {
  CHECK(parse_long("0") == 0);
  CHECK(parse_long("10240000") == 10240000);
  CHECK(parse_long("-5") == -5);
  CHECK_FALSE(parse_long(""));
  CHECK_FALSE(parse_long("12k"));
  CHECK_FALSE(parse_long(" 1"));
  CHECK_FALSE(parse_long("99999999999999999999999"));
}

TEST_CASE("join is the inverse of split for simple lists", "[strings]") {
  CHECK(join({"a", "b", "c"}, ", ") == "a, b, c");
  CHECK(join({}, ",") == "");
}
