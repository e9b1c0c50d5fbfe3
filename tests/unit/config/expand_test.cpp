// $name expansion: every form, laziness, loops.
#include <catch2/catch.hpp>

#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"

using postern::config::Config;
using postern::config::ConfigError;

TEST_CASE("expansion: all forms", "[expand]") {
  Config c = Config::from_text(
      "myhostname = mail.example.com\n"
      "mydomain = example.com\n"
      "empty =\n"
      "full = yes\n"
      "nested = ${full?[$myhostname]}\n"
      "user_list = a, $mydomain\n",
      "/cfg");
  struct Row {
    const char* name;
    const char* text;
    const char* expect;
  };
  const std::vector<Row> rows = {
      {"$name", "$myhostname", "mail.example.com"},
      {"${name}", "${myhostname}", "mail.example.com"},
      {"$(name)", "$(myhostname)", "mail.example.com"},
      {"adjacent text", "x$mydomain.y", "xexample.com.y"},
      {"$$", "a$$b", "a$b"},
      {"$$name is literal", "$$mydomain", "$mydomain"},
      {"lone $ at end", "cost$", "cost$"},
      {"$ before punctuation", "a$-b", "a$-b"},
      {"?: set", "${full?on}", "on"},
      {"?: empty", "${empty?on}", ""},
      {"?: unknown", "${nosuch?on}", ""},
      {":: set", "${full:off}", ""},
      {":: empty", "${empty:off}", "off"},
      {":: unknown", "${nosuch:off}", "off"},
      {"? with expansion inside", "${full?$mydomain}", "example.com"},
      {"?{}:{} true", "${full?{yes}:{no}}", "yes"},
      {"?{}:{} false", "${empty?{yes}:{no}}", "no"},
      {"?{}:{} spaced", "${empty ? {yes} : {no}}", ""},  // name must end at '?'
      {"?{x}", "${full?{x y}}", "x y"},
      {"nested parameter", "$nested", "[mail.example.com]"},
      {"unknown is empty", "<$nosuch>", "<>"},
      {"user-defined", "$user_list", "a, example.com"},
      {"relational ==", "${{$mydomain} == {example.com} ? {same} : {diff}}", "same"},
      {"relational !=", "${{a} != {b} ? {diff} : {same}}", "diff"},
      {"relational <", "${{2} < {10} ? {lt} : {ge}}", "lt"},
      {"relational >=", "${{2} >= {10} ? {ge} : {lt}}", "lt"},
      {"relational no else", "${{a} == {b} ? {x}}", ""},
      {"<level", "${{3.6} <level {3.10} ? {older} : {newer}}", "older"},
      {">=level", "${{3.7} >=level {2} ? {yes} : {no}}", "yes"},
      {"default expression", "${{$compatibility_level} <level {2} ? {subnet} : {host}}", "subnet"},
  };
  for (const auto& r : rows) {
    SECTION(r.name) {
      if (std::string(r.name) == "?{}:{} spaced") {
        CHECK_THROWS_AS(c.expand(r.text), ConfigError);
      } else {
        CHECK(c.expand(r.text) == r.expect);
      }
    }
  }
}

TEST_CASE("expansion: lazy — a later setting changes an earlier reference", "[expand]") {
  Config c = Config::from_text("myorigin = $mydomain\nmydomain = example.org\n", "/cfg");
  CHECK(c.get("myorigin") == "example.org");
  CHECK(c.raw("myorigin") == "$mydomain");
  c.set_override("mydomain", "example.net");
  CHECK(c.get("myorigin") == "example.net");
}

TEST_CASE("expansion: loops are ConfigErrors with file and line", "[expand]") {
  Config c = Config::from_text("# c\na = $b\nb = ${c}\nc = x$(a)\nself = $self\nok = 1\n", "/cfg");
  struct Row {
    const char* name;
    const char* message;
  };
  const std::vector<Row> rows = {
      {"a", "/cfg/main.cf, line 2: unreasonable macro call nesting: \"a\""},
      {"b", "/cfg/main.cf, line 3: unreasonable macro call nesting: \"b\""},
      {"self", "/cfg/main.cf, line 5: unreasonable macro call nesting: \"self\""},
  };
  for (const auto& r : rows) {
    SECTION(r.name) {
      try {
        (void)c.get(r.name);
        FAIL("no error");
      } catch (const ConfigError& e) {
        CHECK(std::string(e.what()) == r.message);
      }
    }
  }
  CHECK(c.get("ok") == "1");
  // A loop only matters when the value is used (laziness).
  CHECK_THROWS_AS(c.expand("$a"), ConfigError);
}

TEST_CASE("expansion: a loop through defaults", "[expand]") {
  Config c = Config::from_text("myhostname = $myorigin\n", "/cfg");  // myorigin = $myhostname
  CHECK_THROWS_AS(c.get("myorigin"), ConfigError);
}

TEST_CASE("expansion: malformed text is an error, never a crash", "[expand]") {
  Config c = Config::from_text("", "/cfg");
  for (const char* text : {"${", "${myhostname", "$(x", "${{a} == {b}}", "${{a} <=> {b} ? {x}}",
                           "${{a} < {b} ? {x}}", "${}", "${a!b}"}) {
    CAPTURE(text);
    CHECK_THROWS_AS(c.expand(text), ConfigError);
  }
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "${x:";
  deep += "y";
  for (int i = 0; i < 5000; ++i) deep += "}";
  CHECK_THROWS_AS(c.expand(deep), ConfigError);
}
