// Logical lines and the postmap/aliases entry formats.
#include <catch2/catch.hpp>

#include "lib/maps/source_text.hpp"

using namespace postern::maps;

TEST_CASE("logical lines skip comments and blanks and join continuations", "[maps][source]") {
  std::vector<Diagnostic> diags;
  auto lines = logical_lines(" lead x\nk1 v1\n  more\n# comment\n\n k2\r\nk3\n\t# indented comment\n", "f", diags);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].line == 2);
  CHECK(lines[0].text == "k1 v1  more k2");
  CHECK(lines[1].line == 7);
  CHECK(lines[1].text == "k3");
  REQUIRE(diags.size() == 1);
  CHECK(diags[0].text() == "f, line 1: logical line must not start with whitespace: \" lead x\"");
}

TEST_CASE("streamed logical lines: same lines, continuations joined, last line flushed", "[maps][source]") {
  std::vector<Diagnostic> diags;
  std::vector<std::pair<int, std::string>> seen;
  for_each_logical_line("a 1\nb 2\n more\n\n  and more\nc 3", "f", diags,
                        [&](int line, std::string_view text) { seen.emplace_back(line, std::string(text)); });
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == std::make_pair(1, std::string("a 1")));
  CHECK(seen[1] == std::make_pair(2, std::string("b 2 more  and more")));
  CHECK(seen[2] == std::make_pair(6, std::string("c 3")));  // no newline at the end
  CHECK(diags.empty());
}

TEST_CASE("postmap entries as views point into the line", "[maps][source]") {
  std::string line = "  \"a b\"   value with  spaces  ";
  auto kv = split_key_value_view(line);
  REQUIRE(kv);
  CHECK(kv->key == "\"a b\"");
  CHECK(kv->value == "value with  spaces");
  CHECK(kv->key.data() >= line.data());
  CHECK(kv->value.data() + kv->value.size() <= line.data() + line.size());
  CHECK_FALSE(split_key_value_view("lonely"));
}

TEST_CASE("postmap entries: key whitespace value", "[maps][source]") {
  struct Row {
    const char* name;
    const char* line;
    bool ok;
    const char* key;
    const char* value;
  };
  const Row rows[] = {
      {"plain", "foo bar", true, "foo", "bar"},
      {"value keeps inner space, trims ends", "  foo   bar baz  ", true, "foo", "bar baz"},
      {"quoted key keeps quotes", "\"a b\" v", true, "\"a b\"", "v"},
      {"escaped quote in key", "\"a\\\"b\" v", true, "\"a\\\"b\"", "v"},
      {"no value", "lonely", false, "", ""},
      {"unterminated quote", "\"a b v", false, "", ""},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    auto kv = split_key_value(r.line);
    REQUIRE(kv.has_value() == r.ok);
    if (!r.ok) continue;
    CHECK(kv->key == r.key);
    CHECK(kv->value == r.value);
  }
}

TEST_CASE("aliases entries: name: value, value", "[maps][source]") {
  struct Row {
    const char* name;
    const char* line;
    bool ok;
    const char* key;
    const char* value;
  };
  const Row rows[] = {
      {"simple", "root: admin", true, "root", "admin"},
      {"no space", "postmaster:root", true, "postmaster", "root"},
      {"space before colon", "c : d", true, "c", "d"},
      {"spacing normalized", "a:  a  b , c,d ,  \"x  y\"@z (Cmt),  <u@v>", true, "a",
       "a b, c, d, \"x  y\"@z (Cmt), <u@v>"},
      {"quoted name", "\"quoted name\": a", true, "quoted name", "a"},
      {"include kept as text", "list: :include:/etc/list", true, "list", ":include:/etc/list"},
      {"pipe and file", "x: /tmp/f, |\"cmd x\"", true, "x", "/tmp/f, |\"cmd x\""},
      {"comma inside comment kept", "x: a (b, c)", true, "x", "a (b, c)"},
      {"missing colon", "bad line", false, "", ""},
      {"empty value", "b:", false, "", ""},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    auto kv = split_alias(r.line);
    REQUIRE(kv.has_value() == r.ok);
    if (!r.ok) continue;
    CHECK(kv->key == r.key);
    CHECK(kv->value == r.value);
  }
}
