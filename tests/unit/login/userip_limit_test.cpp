// mail_max_userip_connections counting: the limit, stale entries of dead
// sessions, and file names that stay inside the folder.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lib/login/userip_limit.hpp"

using postern::login::UserIpSlot;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/userip-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

void touch(const fs::path& p) { std::ofstream(p).put('\n'); }

pid_t dead_pid() {
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid;
}

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("the limit counts live sessions of one user and address", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "userip").string();
  {
    UserIpSlot none;
    CHECK(UserIpSlot::acquire(dir, "alice", "192.0.2.1", 0, none) == UserIpSlot::Outcome::ok);
    CHECK_FALSE(none.held());  // 0: no limit, nothing recorded
  }
  UserIpSlot first;
  REQUIRE(UserIpSlot::acquire(dir, "alice", "192.0.2.1", 5, first) == UserIpSlot::Outcome::ok);
  REQUIRE(first.held());
  touch(fs::path(dir) / "alice@192.0.2.1.1");  // another live session (PID 1 always exists)
  UserIpSlot second;
  CHECK(UserIpSlot::acquire(dir, "alice", "192.0.2.1", 2, second) == UserIpSlot::Outcome::over_limit);
  CHECK_FALSE(second.held());
  UserIpSlot other_user, other_ip;
  CHECK(UserIpSlot::acquire(dir, "bob", "192.0.2.1", 1, other_user) == UserIpSlot::Outcome::ok);
  CHECK(UserIpSlot::acquire(dir, "alice", "192.0.2.2", 1, other_ip) == UserIpSlot::Outcome::ok);
}

TEST_CASE("a session that ended or was killed does not count", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "userip").string();
  {
    UserIpSlot slot;
    REQUIRE(UserIpSlot::acquire(dir, "alice", "::1", 1, slot) == UserIpSlot::Outcome::ok);
    CHECK(entries(dir) == 1);
  }
  CHECK(entries(dir) == 0);  // released with the slot
  const fs::path stale = fs::path(dir) / ("alice@%3A%3A1." + std::to_string(dead_pid()));
  touch(stale);
  UserIpSlot slot;
  CHECK(UserIpSlot::acquire(dir, "alice", "::1", 1, slot) == UserIpSlot::Outcome::ok);
  CHECK_FALSE(fs::exists(stale));  // cleaned up while counting
}

TEST_CASE("user names cannot escape the folder", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "userip").string();
  UserIpSlot slot;
  REQUIRE(UserIpSlot::acquire(dir, "../../etc/x", "192.0.2.1", 3, slot) == UserIpSlot::Outcome::ok);
  REQUIRE(entries(dir) == 1);
  for (const auto& e : fs::directory_iterator(dir)) CHECK(e.path().filename().string().find('/') == std::string::npos);
  CHECK(entries(t.path) == 1);  // nothing next to the folder
}

TEST_CASE("the daemon releases the slots of a connection process that ended", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "userip").string();
  fs::create_directory(dir);
  touch(fs::path(dir) / "alice@192.0.2.1.4242");
  touch(fs::path(dir) / "bob@192.0.2.1.4242");
  touch(fs::path(dir) / "alice@192.0.2.1.14242");  // another PID ending in the same digits
  touch(fs::path(dir) / "alice@192.0.2.1.1");
  postern::login::release_userip_slots(dir, 4242);
  CHECK_FALSE(fs::exists(fs::path(dir) / "alice@192.0.2.1.4242"));
  CHECK_FALSE(fs::exists(fs::path(dir) / "bob@192.0.2.1.4242"));
  CHECK(fs::exists(fs::path(dir) / "alice@192.0.2.1.14242"));
  CHECK(fs::exists(fs::path(dir) / "alice@192.0.2.1.1"));
  CHECK(entries(dir) == 2);
  postern::login::release_userip_slots((t.path / "missing").string(), 1);  // no folder: nothing to do
}
