// Running one piece of delivery work with a recipient's uid/gid: fork,
// setgroups (groups looked up in the parent) + setresgid + setresuid in the child, run, report the Status
// back through a pipe. As a non-root user (tests, the sandbox) the work runs
// in-process as the current user. Runs in local (root).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "lib/base/result.hpp"

namespace postern::local {

struct UserIdentity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
};

// getpwnam(); not found is nullopt-like: Error with sys_errno ENOENT.
Result<UserIdentity> lookup_user(const std::string& name);

// Runs `work` in a child process that has become `who` (groups, gid, uid,
// all three ids, checked that root cannot be regained unless who is root).
// Callers pick default_privs instead of root for commands and files. The
// Status's message and errno come back.
Status run_as(const UserIdentity& who, const std::function<Status()>& work);
// The same for work that produces a short text (a new queue ID).
Result<std::string> run_as_value(const UserIdentity& who, const std::function<Result<std::string>()>& work);

// True when this process can switch users (it runs as root).
bool privileged();

}  // namespace postern::local
