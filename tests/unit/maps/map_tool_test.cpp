// postmap/postalias builds: syntax errors name file:line and keep the old table.
#include <catch2/catch.hpp>

#include "lib/log/log.hpp"
#include "lib/maps/map_tool.hpp"
#include "test_dir.hpp"

using namespace postern::maps;
using postern::maps::testing::TestDir;

namespace {

struct CaptureLog {
  std::vector<std::string> lines;
  CaptureLog() {
    postern::log::set_capture([this](postern::log::Level, std::string_view text) { lines.emplace_back(text); });
  }
  ~CaptureLog() { postern::log::set_capture(nullptr); }
  bool has(const std::string& s) const {
    for (const auto& l : lines)
      if (l.find(s) != std::string::npos) return true;
    return false;
  }
};

OpenFlags no_delay() {
  OpenFlags f;
  f.recheck_interval = std::chrono::milliseconds(0);
  return f;
}

}  // namespace

TEST_CASE("postmap build: a syntax error leaves the old table in place", "[maps][tool]") {
  TestDir dir;
  ToolOptions o;
  std::string src = dir.write("virtual", "a@example.com  alice\n");
  REQUIRE(build_table(o, src) == 0);
  auto t = open_table("hash:" + src, no_delay());
  REQUIRE(t);
  CHECK(t.value()->lookup("a@example.com").value == "alice");

  dir.write("virtual", "a@example.com  bob\nbroken\n");
  CaptureLog log;
  CHECK(build_table(o, src) == 1);
  CHECK(log.has(src + ", line 2: expected format: key whitespace value"));
  CHECK(log.has("virtual.db left unchanged"));
  CHECK(t.value()->lookup("a@example.com").value == "alice");
}

TEST_CASE("postmap build: duplicates warn and keep the first", "[maps][tool]") {
  TestDir dir;
  ToolOptions o;
  std::string src = dir.write("m", "Foo bar\nfoo dup\nkey: val\n");
  CaptureLog log;
  REQUIRE(build_table(o, "btree:" + src) == 0);
  CHECK(log.has(src + ".db: duplicate entry: \"foo\""));
  CHECK(log.has(src + ", line 3: record is in \"key: value\" format; is this an alias file?"));
  auto t = open_table("btree:" + src, no_delay());
  CHECK(t.value()->lookup("foo").value == "bar");
}

TEST_CASE("postalias build: aliases(5) syntax and Postfix's marker entries", "[maps][tool]") {
  TestDir dir;
  ToolOptions o;
  o.format = ToolOptions::Format::aliases;
  o.hostname = "mx.example.com";
  std::string src = dir.write("aliases", "Root: admin, \"x y\"@z\n# c\nlist: a,\n  b\ninc: :include:/etc/l\n");
  REQUIRE(build_table(o, src) == 0);
  auto t = open_table("hash:" + src, no_delay());
  REQUIRE(t);
  CHECK(t.value()->lookup("root").value == "admin, \"x y\"@z");
  CHECK(t.value()->lookup("list").value == "a, b");
  CHECK(t.value()->lookup("inc").value == ":include:/etc/l");
  CHECK(t.value()->lookup("@").value == "@");
  OpenFlags exact = no_delay();
  exact.fold_case = false;  // Postfix stores the YP_ stamps in upper case
  CHECK(open_table("hash:" + src, exact).value()->lookup("YP_MASTER_NAME").value == "mx.example.com");

  dir.write("aliases", "root: admin\nno pair here\n");
  CaptureLog log;
  CHECK(build_table(o, src) == 1);
  CHECK(log.has(src + ", line 2: need name:value pair"));
  CHECK(t.value()->lookup("list").value == "a, b");
}

TEST_CASE("default database type applies to bare file names", "[maps][tool]") {
  CHECK(with_type("/etc/aliases", "hash") == "hash:/etc/aliases");
  CHECK(with_type("btree:/etc/x", "hash") == "btree:/etc/x");
  CHECK(with_type("./odd:name", "hash") == "hash:./odd:name");
}
