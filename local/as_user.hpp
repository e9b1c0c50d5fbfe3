// Doing delivery work with a recipient's identity. Files and mailboxes are
// written in this process after switching the effective ids (groups, egid,
// euid, as Postfix's local does): a fork per delivery was local's ceiling.
// Commands, which run the user's programs, get a child process that has
// dropped root for good. As a non-root user (tests, the sandbox) the work
// runs in-process as the current user. Runs in local (root).
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::local {

struct UserIdentity {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
  std::string shell;
  std::vector<gid_t> groups;  // supplementary groups, the primary one included
};

// getpwnam() and getgrouplist(); not found is nullopt-like: Error with
// sys_errno ENOENT. Each call goes through NSS (files, systemd's userdb
// probes): local looks users up through UserCache instead.
Result<UserIdentity> lookup_user(const std::string& name);

// While it lives, this process's effective identity is `who`: supplementary
// groups, effective gid and effective uid (real and saved ids stay root, so
// the user cannot signal or trace us). The destructor switches back to root
// on every path, errors and exceptions included; failing that is a panic,
// since local must never go on with the wrong identity.
class EffectiveIdentity {
 public:
  explicit EffectiveIdentity(const UserIdentity& who);
  ~EffectiveIdentity();
  EffectiveIdentity(const EffectiveIdentity&) = delete;
  EffectiveIdentity& operator=(const EffectiveIdentity&) = delete;

  // Error when the switch failed (the destructor has then nothing to undo
  // beyond what was done).
  const Status& status() const { return status_; }

 private:
  void restore();

  Status status_;
  std::vector<gid_t> saved_groups_;
  gid_t saved_gid_ = 0;
  bool groups_set_ = false;
  bool gid_set_ = false;
  bool uid_set_ = false;
};

// Runs `work` in this process as `who` (EffectiveIdentity). For writing
// mailboxes, files and queue files; never for running programs. Callers
// pick default_privs instead of root for alias files.
Status run_as(const UserIdentity& who, const std::function<Status()>& work);
Result<std::string> run_as_value(const UserIdentity& who, const std::function<Result<std::string>()>& work);

// Runs `work` in a child process that has become `who` for good (groups,
// gid, uid, all three ids, checked that root cannot be regained unless who
// is root): for |command and mailbox_command. The Status's message and
// errno come back.
Status run_in_child_as(const UserIdentity& who, const std::function<Status()>& work);

// True when this process can switch users (it runs as root).
bool privileged();

}  // namespace postern::local
