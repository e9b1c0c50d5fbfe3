// texthash, inline, static, unix, fail, the registry and table lists.
#include <catch2/catch.hpp>

#include "lib/maps/table.hpp"
#include "test_dir.hpp"

using namespace postern::maps;
using postern::maps::testing::TestDir;

TEST_CASE("texthash reads postmap sources into memory", "[maps][texthash]") {
  TestDir dir;
  std::string path = dir.write("t", "Foo bar\nfoo dup\nbadline\nkey  multi word value\n");
  auto t = open_table("texthash:" + path);
  REQUIRE(t);
  CHECK(t.value()->lookup("FOO").value == "bar");
  CHECK(t.value()->lookup("key").value == "multi word value");
  CHECK(t.value()->lookup("badline").is_not_found());
  auto& d = t.value()->diagnostics();
  REQUIRE(d.size() == 2);
  CHECK(d[0].text() == path + ", line 2: duplicate entry: \"foo\"");
  CHECK(d[1].text() == path + ", line 3: expected format: key whitespace value");
}

TEST_CASE("inline tables", "[maps][inline]") {
  struct Row {
    const char* spec;
    const char* key;
    const char* expect;
  };
  const Row rows[] = {
      {"inline:{a=b, c=d}", "C", "d"},
      {"inline:{ a=b , { k = v with space } }", "k", "v with space"},
      {"inline:{a=b}", "zz", nullptr},
  };
  for (const auto& r : rows) {
    INFO(r.spec);
    auto t = open_table(r.spec);
    REQUIRE(t);
    auto res = t.value()->lookup(r.key);
    if (r.expect) CHECK(res.value == r.expect);
    else CHECK(res.is_not_found());
  }
  for (const char* bad : {"inline:{a}", "inline:a=b", "inline:{a=b", "inline:{}"}) {
    INFO(bad);
    CHECK_FALSE(open_table(bad));
  }
}

TEST_CASE("static tables answer every key", "[maps][static]") {
  CHECK(open_table("static:OK").value()->lookup("anything").value == "OK");
  CHECK(open_table("static:{ a b }").value()->lookup("x").value == "a b");
}

TEST_CASE("unix tables read passwd and group", "[maps][unix]") {
  auto pw = open_table("unix:passwd.byname");
  REQUIRE(pw);
  auto root = pw.value()->lookup("root");
  REQUIRE(root.is_found());
  CHECK(root.value.rfind("root:", 0) == 0);
  CHECK(root.value.find(":0:0:") != std::string::npos);
  CHECK(pw.value()->lookup("no-such-user-here").is_not_found());
  auto gr = open_table("unix:group.byname");
  REQUIRE(gr);
  CHECK(gr.value()->lookup("root").value.rfind("root:x:0:", 0) == 0);
  CHECK_FALSE(open_table("unix:shadow.byname"));
}

TEST_CASE("fail tables fail temporarily, never 'not found'", "[maps][fail]") {
  auto t = open_table("fail:test");
  REQUIRE(t);
  auto r = t.value()->lookup("x");
  CHECK(r.is_temp_fail());
  CHECK(r.value.find("fail:test") != std::string::npos);
}

TEST_CASE("unknown types and malformed names are errors", "[maps][registry]") {
  CHECK_FALSE(open_table("nosuch:/x"));
  CHECK_FALSE(open_table("/etc/aliases"));
  CHECK_FALSE(open_table("regexp:/nonexistent/file"));
}

TEST_CASE("table lists split on commas and space and keep braces whole", "[maps][list]") {
  auto parts = split_table_list("hash:/a, regexp:/b\tinline:{a=b, {c = d e}},static:x");
  REQUIRE(parts.size() == 4);
  CHECK(parts[0] == "hash:/a");
  CHECK(parts[1] == "regexp:/b");
  CHECK(parts[2] == "inline:{a=b, {c = d e}}");
  CHECK(parts[3] == "static:x");
}

TEST_CASE("table lists search in order and stop at a temporary failure", "[maps][list]") {
  auto list = TableList::open("inline:{a=1}, inline:{a=2, b=2} fail:x static:last");
  REQUIRE(list);
  CHECK(list->lookup("a").value == "1");
  CHECK(list->lookup("b").value == "2");
  CHECK(list->lookup("c").is_temp_fail());
  auto ok = TableList::open("inline:{a=1} static:last");
  CHECK(ok->lookup("c").value == "last");
}
