// Identity switches for delivery work (see as_user.hpp). Runs in local (root).
#include "local/as_user.hpp"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"

namespace postern::local {

// The user's supplementary groups, looked up in the long-lived process:
// initgroups() in a fresh child loaded the NSS modules afresh for every
// delivery (about 60 ms each with systemd's module), which capped local.
static Result<std::vector<gid_t>> supplementary_groups(const UserIdentity& who) {
  std::vector<gid_t> groups(32);
  for (;;) {
    int count = static_cast<int>(groups.size());
    if (::getgrouplist(who.name.c_str(), who.gid, groups.data(), &count) >= 0) {
      groups.resize(static_cast<std::size_t>(count));
      return groups;
    }
    if (count <= static_cast<int>(groups.size())) return Error{"cannot list the groups of " + who.name, EIO};
    groups.resize(static_cast<std::size_t>(count));
  }
}

Result<UserIdentity> lookup_user(const std::string& name) {
  struct passwd pw{};
  struct passwd* found = nullptr;
  std::vector<char> buf(16384);
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0) return sys_error("getpwnam " + name, rc);
  if (!found) return Error{"unknown user: \"" + name + "\"", ENOENT};
  UserIdentity who{pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell ? pw.pw_shell : "", {}};
  auto groups = supplementary_groups(who);
  if (!groups) return groups.error();
  who.groups = std::move(*groups);
  return who;
}

bool privileged() { return ::geteuid() == 0; }

EffectiveIdentity::EffectiveIdentity(const UserIdentity& who) {
  saved_gid_ = ::getegid();
  int count = ::getgroups(0, nullptr);
  if (count > 0) {
    saved_groups_.resize(static_cast<std::size_t>(count));
    count = ::getgroups(count, saved_groups_.data());
  }
  if (count < 0) {
    status_ = sys_error("getgroups");
    return;
  }
  saved_groups_.resize(static_cast<std::size_t>(count));
  // Groups and gid first: only root may change them.
  if (::setgroups(who.groups.size(), who.groups.data()) != 0) {
    status_ = sys_error("cannot set the groups of " + who.name);
    return;
  }
  groups_set_ = true;
  if (::setegid(who.gid) != 0) {
    status_ = sys_error("cannot switch to the group of " + who.name);
    return;
  }
  gid_set_ = true;
  if (::seteuid(who.uid) != 0) {
    status_ = sys_error("cannot switch to user " + who.name);
    return;
  }
  uid_set_ = true;
  if (::geteuid() != who.uid || ::getegid() != who.gid) status_ = Error{"identity switch to " + who.name + " did not hold", EPERM};
}

EffectiveIdentity::~EffectiveIdentity() { restore(); }

void EffectiveIdentity::restore() {
  // Root again before anything else: the rest needs it.
  if (uid_set_ && ::seteuid(0) != 0) log::panic("cannot switch back to root: %m");
  if (gid_set_ && ::setegid(saved_gid_) != 0) log::panic("cannot restore group %u: %m", static_cast<unsigned>(saved_gid_));
  if (groups_set_ && ::setgroups(saved_groups_.size(), saved_groups_.data()) != 0) {
    log::panic("cannot restore the supplementary groups: %m");
  }
  uid_set_ = gid_set_ = groups_set_ = false;
}

Status run_as(const UserIdentity& who, const std::function<Status()>& work) {
  if (!privileged()) return work();
  EffectiveIdentity as(who);
  if (!as.status()) return as.status();
  return work();
}

Result<std::string> run_as_value(const UserIdentity& who, const std::function<Result<std::string>()>& work) {
  if (!privileged()) return work();
  EffectiveIdentity as(who);
  if (!as.status()) return as.status().error();
  return work();
}

Status run_in_child_as(const UserIdentity& who, const std::function<Status()>& work) {
  if (!privileged()) return work();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error("pipe");
  UniqueFd rd(fds[0]);
  UniqueFd wr(fds[1]);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("fork");
  if (pid == 0) {
    rd.reset();
    Status result;
    if (::setgroups(who.groups.size(), who.groups.data()) != 0 || ::setresgid(who.gid, who.gid, who.gid) != 0 ||
        ::setresuid(who.uid, who.uid, who.uid) != 0) {
      result = sys_error("cannot switch to user " + who.name);
    } else if (::setresuid(0, 0, 0) == 0 && who.uid != 0) {
      result = Error{"could regain root after switching to " + who.name, EPERM};
    } else {
      result = work();
    }
    // errno, then the message: enough for the parent to classify the failure.
    std::string out = result.ok() ? std::string("0 ") : std::to_string(result.error().sys_errno ? result.error().sys_errno : EIO) + " " + result.error().message;
    (void)write_all(wr.get(), out);
    wr.reset();
    ::_exit(0);
  }
  wr.reset();
  std::string reply;
  char buf[1024];
  for (;;) {
    ssize_t n = ::read(rd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    reply.append(buf, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (reply.empty()) return Error{"delivery process for " + who.name + " died", EIO};
  auto space = reply.find(' ');
  int err = std::atoi(reply.substr(0, space).c_str());
  if (err == 0) return {};
  return Error{space == std::string::npos ? "" : reply.substr(space + 1), err};
}

}  // namespace postern::local
