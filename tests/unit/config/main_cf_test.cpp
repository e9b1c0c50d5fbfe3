// main.cf parser and postconf -e/-X editing.
#include <catch2/catch.hpp>

#include "lib/config/config_error.hpp"
#include "lib/config/main_cf.hpp"

using postern::config::ConfigError;
using postern::config::edit_main_cf;
using postern::config::MainCf;

namespace {

struct ParseCase {
  const char* name;
  const char* text;
  std::vector<std::pair<std::string, std::string>> expect;
};

}  // namespace

TEST_CASE("main.cf: parses like Postfix", "[main_cf]") {
  const std::vector<ParseCase> cases = {
      {"simple", "a = b\n", {{"a", "b"}}},
      {"no spaces", "a=b\n", {{"a", "b"}}},
      {"tabs and trailing space", "a\t=\t b c \t\n", {{"a", "b c"}}},
      {"empty value", "a =\n", {{"a", ""}}},
      {"comment", "# x = y\na = 1\n", {{"a", "1"}}},
      {"indented comment", "   # x = y\na = 1\n", {{"a", "1"}}},
      {"hash inside value is data", "a = b # c\n", {{"a", "b # c"}}},
      {"continuation", "a = b\n  c\n\td\n", {{"a", "b c d"}}},
      {"comment inside continuation", "a = b\n# c\n  d\n", {{"a", "b d"}}},
      {"blank line inside continuation", "a =\n\n  b\n", {{"a", "b"}}},
      {"no final newline", "a = b", {{"a", "b"}}},
      {"crlf", "a = b\r\n", {{"a", "b"}}},
      {"set twice", "a = 1\na = 2\n", {{"a", "1"}, {"a", "2"}}},
      {"leading whitespace line ignored", "  x = 1\na = 2\n", {{"a", "2"}}},
      {"equals in value", "a = b=c\n", {{"a", "b=c"}}},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      MainCf cf = MainCf::parse(c.text, "/x/main.cf");
      REQUIRE(cf.entries().size() == c.expect.size());
      for (size_t i = 0; i < c.expect.size(); ++i) {
        CHECK(cf.entries()[i].name == c.expect[i].first);
        CHECK(cf.entries()[i].value == c.expect[i].second);
      }
    }
  }
}

TEST_CASE("main.cf: NUL byte in the middle of a file", "[main_cf]") {
  std::string text("a = b\0junk\nc = d\n", 17);
  MainCf cf = MainCf::parse(text, "/x/main.cf");
  REQUIRE(cf.entries().size() == 2);
  CHECK(cf.entries()[0].value == "b");
  CHECK(cf.find("c")->value == "d");
}

TEST_CASE("main.cf: line numbers and last-one-wins", "[main_cf]") {
  MainCf cf = MainCf::parse("# c\n\na = 1\n  2\nb = x\na = 3\n", "/x/main.cf");
  REQUIRE(cf.entries().size() == 3);
  CHECK(cf.entries()[0].line == 3);
  CHECK(cf.entries()[1].line == 5);
  CHECK(cf.find("a")->value == "3");
  CHECK(cf.find("a")->line == 6);
  CHECK(cf.find("zz") == nullptr);
}

TEST_CASE("main.cf: errors name file and line", "[main_cf]") {
  struct Bad {
    const char* name;
    const char* text;
    int line;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"missing =", "a = 1\nfoo bar\n", 2,
       "/x/main.cf, line 2: missing '=' after attribute name: \"foo bar\""},
      {"name only", "a\n", 1, "/x/main.cf, line 1: missing '=' after attribute name: \"a\""},
      {"missing name", "= foo\n", 1, "/x/main.cf, line 1: missing attribute name: \"= foo\""},
      {"space in name", "a b = c\n", 1,
       "/x/main.cf, line 1: missing '=' after attribute name: \"a b = c\""},
      {"error after continuation", "a = 1\n  2\n\nfoo\n", 4,
       "/x/main.cf, line 4: missing '=' after attribute name: \"foo\""},
      {"control chars shown as ?", "a\tb\n", 1,
       "/x/main.cf, line 1: missing '=' after attribute name: \"a?b\""},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      try {
        (void)MainCf::parse(c.text, "/x/main.cf");
        FAIL("no error");
      } catch (const ConfigError& e) {
        CHECK(e.line() == c.line);
        CHECK(e.file() == "/x/main.cf");
        CHECK(std::string(e.what()) == c.message);
      }
    }
  }
}

TEST_CASE("main.cf: garbage never crashes", "[main_cf]") {
  std::string huge = "a = " + std::string(4 << 20, 'x') + "\n";
  CHECK(MainCf::parse(huge, "m").find("a")->value.size() == (4u << 20));
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 131 + 7) & 0xff);
  try {
    (void)MainCf::parse(binary, "m");
  } catch (const ConfigError&) {
  }
  CHECK_NOTHROW(MainCf::parse(std::string(1000, '\n'), "m"));
  CHECK_NOTHROW(MainCf::parse(std::string(1000, ' '), "m"));
  CHECK_NOTHROW(MainCf::parse("", "m"));
}

TEST_CASE("main.cf: missing file is a ConfigError", "[main_cf]") {
  CHECK_THROWS_AS(MainCf::load("/nonexistent/postern/main.cf"), ConfigError);
}

TEST_CASE("edit_main_cf keeps comments and other lines", "[main_cf][edit]") {
  const std::string text =
      "# header comment\n"
      "myhostname = old.example.com\n"
      "# between\n"
      "mydestination = a,\n"
      "    b,\n"
      "  # indented comment belongs to the entry\n"
      "    c\n"
      "\n"
      "relayhost =\n";
  SECTION("replace a simple entry") {
    CHECK(edit_main_cf(text, {{"myhostname", "new.example.com"}}, {}) ==
          "# header comment\n"
          "myhostname = new.example.com\n"
          "# between\n"
          "mydestination = a,\n"
          "    b,\n"
          "  # indented comment belongs to the entry\n"
          "    c\n"
          "\n"
          "relayhost =\n");
  }
  SECTION("replace a continued entry") {
    CHECK(edit_main_cf(text, {{"mydestination", "x"}}, {}) ==
          "# header comment\n"
          "myhostname = old.example.com\n"
          "# between\n"
          "mydestination = x\n"
          "\n"
          "relayhost =\n");
  }
  SECTION("append a new entry") {
    CHECK(edit_main_cf(text, {{"home_mailbox", "Maildir/"}}, {}) == text + "home_mailbox = Maildir/\n");
  }
  SECTION("append to a file without a final newline") {
    CHECK(edit_main_cf("a = 1", {{"b", "2"}}, {}) == "a = 1\nb = 2\n");
  }
  SECTION("remove") {
    CHECK(edit_main_cf(text, {}, {"mydestination", "relayhost"}) ==
          "# header comment\n"
          "myhostname = old.example.com\n"
          "# between\n"
          "\n");
  }
  SECTION("duplicates collapse to one, last -e wins") {
    CHECK(edit_main_cf("a = 1\nb = 2\na = 3\n", {{"a", "x"}, {"a", "y"}}, {}) == "a = y\nb = 2\n");
  }
  SECTION("a name that only prefixes another is left alone") {
    CHECK(edit_main_cf("ab = 1\n", {{"a", "2"}}, {}) == "ab = 1\na = 2\n");
  }
  SECTION("comment naming the parameter is kept") {
    CHECK(edit_main_cf("#a = 1\n", {{"a", "2"}}, {}) == "#a = 1\na = 2\n");
  }
}
