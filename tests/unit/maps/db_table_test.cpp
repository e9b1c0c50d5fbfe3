// hash: and btree: tables: NUL conventions, case folding, atomic rebuilds
// and re-opening after a rebuild.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "lib/maps/db_builder.hpp"
#include "lib/maps/db_file.hpp"
#include "lib/maps/table.hpp"
#include "test_dir.hpp"

using namespace postern::maps;
using postern::maps::testing::TestDir;

namespace {

OpenFlags no_delay() {
  OpenFlags f;
  f.recheck_interval = std::chrono::milliseconds(0);
  return f;
}

void build(const std::string& db, DbKind kind, NulMode nul,
           const std::vector<std::pair<std::string, std::string>>& entries) {
  BuildOptions o;
  o.kind = kind;
  o.nul = nul;
  auto b = DbBuilder::start(db, o);
  REQUIRE(b);
  for (auto& [k, v] : entries) REQUIRE(b->put(k, v, false));
  REQUIRE(b->commit());
}

}  // namespace

TEST_CASE("hash and btree tables read keys with and without a trailing NUL", "[maps][db]") {
  for (auto kind : {DbKind::hash, DbKind::btree}) {
    for (auto nul : {NulMode::with_nul, NulMode::without_nul}) {
      TestDir dir;
      std::string type = kind == DbKind::hash ? "hash" : "btree";
      INFO(type << (nul == NulMode::with_nul ? " with NUL" : " without NUL"));
      build(dir.path("t.db"), kind, nul, {{"Foo", "bar"}, {"x@example.com", "y"}});
      auto t = open_table(type + ":" + dir.path("t"), no_delay());
      REQUIRE(t);
      CHECK(t.value()->lookup("foo").value == "bar");
      CHECK(t.value()->lookup("FOO").value == "bar");  // the query is folded too
      CHECK(t.value()->lookup("X@Example.COM").value == "y");
      CHECK(t.value()->lookup("nope").is_not_found());
      int n = 0;
      REQUIRE(t.value()->for_each([&](std::string_view k, std::string_view v) {
        ++n;
        CHECK(k.find('\0') == std::string_view::npos);
        CHECK(v.find('\0') == std::string_view::npos);
      }));
      CHECK(n == 2);
    }
  }
}

TEST_CASE("raw records are stored the way Postfix stores them", "[maps][db]") {
  TestDir dir;
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"Key", "Value"}});
  auto f = DbFile::open_read(dir.path("t.db"), DbKind::hash);
  REQUIRE(f);
  auto v = f->get(std::string("key\0", 4));
  REQUIRE(v);
  REQUIRE(v.value());
  CHECK(*v.value() == std::string("Value\0", 6));
}

TEST_CASE("without case folding keys keep their case", "[maps][db]") {
  TestDir dir;
  BuildOptions o;
  o.fold_case = false;
  auto b = DbBuilder::start(dir.path("t.db"), o);
  REQUIRE(b);
  REQUIRE(b->put("Foo", "upper", false));
  REQUIRE(b->put("foo", "lower", false));
  REQUIRE(b->commit());
  OpenFlags f = no_delay();
  f.fold_case = false;
  auto t = open_table("hash:" + dir.path("t"), f);
  REQUIRE(t);
  CHECK(t.value()->lookup("Foo").value == "upper");
  CHECK(t.value()->lookup("foo").value == "lower");
}

TEST_CASE("duplicates keep the first value unless replace is asked", "[maps][db]") {
  TestDir dir;
  auto b = DbBuilder::start(dir.path("t.db"), BuildOptions{});
  REQUIRE(b);
  CHECK(*b->put("k", "first", false));
  CHECK_FALSE(*b->put("K", "second", false));
  CHECK(*b->put("j", "1", false));
  CHECK(*b->put("j", "2", true));  // -r: replaced
  REQUIRE(b->commit());
  auto t = open_table("hash:" + dir.path("t"), no_delay());
  CHECK(t.value()->lookup("k").value == "first");
  CHECK(t.value()->lookup("j").value == "2");
}

TEST_CASE("an open table sees a rebuilt file without being reopened by hand", "[maps][db]") {
  TestDir dir;
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"k", "old"}});
  auto t = open_table("hash:" + dir.path("t"), no_delay());
  REQUIRE(t);
  CHECK(t.value()->lookup("k").value == "old");
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"k", "new"}});
  CHECK(t.value()->lookup("k").value == "new");
}

TEST_CASE("with a recheck interval the table keeps its snapshot until the interval passes", "[maps][db]") {
  TestDir dir;
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"k", "old"}});
  OpenFlags f;
  f.recheck_interval = std::chrono::milliseconds(200);
  auto t = open_table("hash:" + dir.path("t"), f);
  REQUIRE(t);
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"k", "new"}});
  CHECK(t.value()->lookup("k").value == "old");
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  CHECK(t.value()->lookup("k").value == "new");
}

TEST_CASE("an abandoned build leaves the old table and no temp file", "[maps][db]") {
  TestDir dir;
  build(dir.path("t.db"), DbKind::hash, NulMode::with_nul, {{"k", "old"}});
  {
    auto b = DbBuilder::start(dir.path("t.db"), BuildOptions{});
    REQUIRE(b);
    REQUIRE(b->put("k", "half", true));
  }  // no commit
  auto t = open_table("hash:" + dir.path("t"), no_delay());
  CHECK(t.value()->lookup("k").value == "old");
  CHECK_FALSE(std::filesystem::exists(dir.path("t.db.tmp." + std::to_string(::getpid()))));
}

TEST_CASE("incremental builds start from the existing records", "[maps][db]") {
  TestDir dir;
  build(dir.path("t.db"), DbKind::btree, NulMode::with_nul, {{"a", "1"}, {"b", "2"}});
  BuildOptions o;
  o.kind = DbKind::btree;
  o.start_from_existing = true;
  auto b = DbBuilder::start(dir.path("t.db"), o);
  REQUIRE(b);
  CHECK(*b->remove("A"));
  CHECK_FALSE(*b->remove("zz"));
  REQUIRE(b->put("c", "3", false));
  REQUIRE(b->commit());
  auto t = open_table("btree:" + dir.path("t"), no_delay());
  CHECK(t.value()->lookup("a").is_not_found());
  CHECK(t.value()->lookup("b").value == "2");
  CHECK(t.value()->lookup("c").value == "3");
}

TEST_CASE("a missing database is an open error, not an empty table", "[maps][db]") {
  TestDir dir;
  auto t = open_table("hash:" + dir.path("absent"));
  REQUIRE_FALSE(t);
  CHECK(t.error().message.find("absent.db") != std::string::npos);
}
