// Unit tests for local's in-process identity switch (local/as_user.*): as
// root, work runs with the user's euid, egid and groups, creates files the
// user owns, and root comes back after success, failure and exceptions.
// Commands still run in a child that cannot regain root.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "lib/base/unique_fd.hpp"
#include "local/as_user.hpp"
#include "local/user_cache.hpp"

using namespace postern;

namespace {

std::vector<gid_t> current_groups() {
  std::vector<gid_t> groups(static_cast<std::size_t>(::getgroups(0, nullptr)));
  groups.resize(static_cast<std::size_t>(::getgroups(static_cast<int>(groups.size()), groups.data())));
  std::sort(groups.begin(), groups.end());
  return groups;
}

// An unprivileged account that exists on every Debian system.
local::UserIdentity nobody() {
  auto who = local::lookup_user("nobody");
  REQUIRE(who);
  REQUIRE(who->uid != 0);
  return *who;
}

struct RootState {
  uid_t euid = ::geteuid();
  gid_t egid = ::getegid();
  std::vector<gid_t> groups = current_groups();
  void require_unchanged() const {
    CHECK(::geteuid() == euid);
    CHECK(::getegid() == egid);
    CHECK(current_groups() == groups);
  }
};

}  // namespace

TEST_CASE("run_as switches euid, egid and groups in process and back", "[delivery][as_user]") {
  if (!local::privileged()) {
    WARN("skipped: switching users needs root");
    return;
  }
  const RootState before;
  const auto who = nobody();
  const pid_t me = ::getpid();
  uid_t seen_uid = 0, seen_real = 1;
  gid_t seen_gid = 0;
  std::vector<gid_t> seen_groups;
  REQUIRE(local::run_as(who, [&]() -> Status {
    seen_uid = ::geteuid();
    seen_real = ::getuid();
    seen_gid = ::getegid();
    seen_groups = current_groups();
    CHECK(::getpid() == me);  // no fork
    return {};
  }));
  CHECK(seen_uid == who.uid);
  CHECK(seen_real == 0);  // real and saved stay root: the user cannot signal local
  CHECK(seen_gid == who.gid);
  CHECK(std::find(seen_groups.begin(), seen_groups.end(), 0) == seen_groups.end());  // root's groups gone
  CHECK(std::find(seen_groups.begin(), seen_groups.end(), who.gid) != seen_groups.end());
  before.require_unchanged();
}

TEST_CASE("files created by run_as belong to the user", "[delivery][as_user]") {
  if (!local::privileged()) {
    WARN("skipped: switching users needs root");
    return;
  }
  char tmpl[] = "/tmp/postern-as-user-XXXXXX";
  const std::string dir = ::mkdtemp(tmpl);
  ::chmod(dir.c_str(), 0777);
  const auto who = nobody();
  const std::string path = dir + "/file";
  REQUIRE(local::run_as(who, [&]() -> Status {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
    if (!fd) return Error{"create failed", errno};
    return {};
  }));
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK(st.st_uid == who.uid);
  CHECK(st.st_gid == who.gid);
  // And the user's permissions, not root's, apply while switched.
  ::chmod(dir.c_str(), 0700);
  auto denied = local::run_as(who, [&]() -> Status {
    UniqueFd fd(::open((dir + "/other").c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600));
    if (!fd) return Error{"create failed", errno};
    return {};
  });
  REQUIRE_FALSE(denied);
  CHECK(denied.error().sys_errno == EACCES);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_CASE("root comes back after failed work and exceptions", "[delivery][as_user]") {
  if (!local::privileged()) {
    WARN("skipped: switching users needs root");
    return;
  }
  const RootState before;
  const auto who = nobody();
  auto failed = local::run_as(who, []() -> Status { return Error{"no room", ENOSPC}; });
  REQUIRE_FALSE(failed);
  CHECK(failed.error().sys_errno == ENOSPC);
  before.require_unchanged();
  CHECK_THROWS_AS(local::run_as(who, []() -> Status { throw std::runtime_error("boom"); }), std::runtime_error);
  before.require_unchanged();
  auto value = local::run_as_value(who, []() -> Result<std::string> { return std::to_string(::geteuid()); });
  REQUIRE(value);
  CHECK(*value == std::to_string(who.uid));
  before.require_unchanged();
}

TEST_CASE("a switch that fails half way undoes what it did", "[delivery][as_user]") {
  if (!local::privileged()) {
    WARN("skipped: switching users needs root");
    return;
  }
  const RootState before;
  auto who = nobody();
  who.gid = static_cast<gid_t>(-1);  // setegid refuses it, after the groups were set
  bool ran = false;
  auto r = local::run_as(who, [&]() -> Status {
    ran = true;
    return {};
  });
  CHECK_FALSE(r);
  CHECK_FALSE(ran);
  before.require_unchanged();
}

TEST_CASE("run_in_child_as runs in a child that cannot regain root", "[delivery][as_user]") {
  if (!local::privileged()) {
    WARN("skipped: switching users needs root");
    return;
  }
  const RootState before;
  const auto who = nobody();
  const pid_t me = ::getpid();
  auto r = local::run_in_child_as(who, [&]() -> Status {
    if (::getpid() == me) return Error{"ran in the parent", EINVAL};
    if (::getuid() != who.uid || ::geteuid() != who.uid) return Error{"not the user", EPERM};
    if (::setuid(0) == 0) return Error{"regained root", EPERM};
    return Error{"child says no", EDQUOT};
  });
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "child says no");  // message and errno come back
  CHECK(r.error().sys_errno == EDQUOT);
  before.require_unchanged();
}

TEST_CASE("UserCache answers as lookup_user and keeps only found accounts", "[delivery][as_user]") {
  local::UserCache users;
  auto direct = local::lookup_user("nobody");
  REQUIRE(direct);
  for (int i = 0; i < 2; ++i) {  // the second answer comes from the cache
    auto cached = users.find("nobody");
    REQUIRE(cached);
    CHECK(cached->uid == direct->uid);
    CHECK(cached->gid == direct->gid);
    CHECK(cached->home == direct->home);
    CHECK(cached->groups == direct->groups);
  }
  auto missing = users.find("no-such-user-postern-test");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().sys_errno == ENOENT);
}
