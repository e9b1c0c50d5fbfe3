// pop3_login_delay: a login too soon after the last one is refused, refused
// logins do not move the last one, the time survives in the folder (a new
// process or a restart sees it), and user names stay inside the folder.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "lib/login/login_delay.hpp"

using postern::login::check_login_delay;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/logindelay-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

constexpr int64_t kT0 = 1'700'000'000'000;  // ms

}  // namespace

TEST_CASE("a second login within the delay is refused, after it allowed", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "login-delay").string();
  REQUIRE(check_login_delay(dir, "alice", 2, kT0).allowed);
  auto soon = check_login_delay(dir, "alice", 2, kT0 + 500);
  CHECK_FALSE(soon.allowed);
  CHECK(soon.wait_ms == 1500);
  CHECK(check_login_delay(dir, "bob", 2, kT0 + 500).allowed);  // per user
  // The refusal at +500 did not count: the delay runs from kT0.
  CHECK_FALSE(check_login_delay(dir, "alice", 2, kT0 + 1999).allowed);
  CHECK(check_login_delay(dir, "alice", 2, kT0 + 2000).allowed);
  CHECK_FALSE(check_login_delay(dir, "alice", 2, kT0 + 2100).allowed);  // now from kT0 + 2000
}

TEST_CASE("no delay records nothing; a clock set back does not lock a user out", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "login-delay").string();
  CHECK(check_login_delay(dir, "alice", 0, kT0).allowed);
  CHECK_FALSE(fs::exists(dir));
  REQUIRE(check_login_delay(dir, "alice", 60, kT0).allowed);
  CHECK(check_login_delay(dir, "alice", 60, kT0 - 3'600'000).allowed);
}

TEST_CASE("the last login is read back from the folder, as after a restart", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "login-delay").string();
  REQUIRE(check_login_delay(dir, "alice", 5, kT0).allowed);
  // Everything lives in the folder: a fresh process sees the same file.
  REQUIRE(entries(dir) == 1);
  std::string text;
  std::ifstream(fs::directory_iterator(dir)->path()) >> text;
  CHECK(text == std::to_string(kT0));
  CHECK_FALSE(check_login_delay(dir, "alice", 5, kT0 + 4000).allowed);
  CHECK((fs::status(dir).permissions() & fs::perms::all) == fs::perms::owner_all);
}

TEST_CASE("a damaged record lets the login through and is replaced", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "login-delay").string();
  REQUIRE(check_login_delay(dir, "alice", 5, kT0).allowed);
  std::ofstream(fs::directory_iterator(dir)->path()) << "garbage";
  CHECK(check_login_delay(dir, "alice", 5, kT0 + 1000).allowed);
  CHECK_FALSE(check_login_delay(dir, "alice", 5, kT0 + 2000).allowed);
}

TEST_CASE("login-delay user names cannot escape the folder", "[login]") {
  TempDir t;
  const std::string dir = (t.path / "login-delay").string();
  for (const char* user : {"../../etc/x", "..", ".hidden", "a/b"}) CHECK(check_login_delay(dir, user, 5, kT0).allowed);
  CHECK(entries(dir) == 4);
  for (const auto& e : fs::directory_iterator(dir)) CHECK_FALSE(e.path().filename().string().starts_with("."));
  CHECK(entries(t.path) == 1);  // nothing next to the folder
}
