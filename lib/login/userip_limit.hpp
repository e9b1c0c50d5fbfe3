// mail_max_userip_connections: how many sessions one user may have from one
// remote address, counted across pop3d and imapd (and every process of
// each). Each logged-in session holds a small file named after user, IP and
// the connection process's PID in one folder; counting skips files whose
// process is gone, so kill -9 never leaves a user locked out. An flock on
// the folder makes check-and-add atomic. Taken in the connection root
// process, which then becomes the mail process and can no longer remove
// it: the login daemon releases it when it reaps that process.
#pragma once

#include <sys/types.h>

#include <string>

#include "lib/base/result.hpp"

namespace postern::login {

// Removes the slots held by `pid` (a connection process that ended).
void release_userip_slots(const std::string& dir, pid_t pid);

class UserIpSlot {
 public:
  UserIpSlot() = default;
  UserIpSlot(UserIpSlot&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  UserIpSlot& operator=(UserIpSlot&&) = delete;
  ~UserIpSlot();
  bool held() const { return !path_.empty(); }

  enum class Outcome { ok, over_limit };
  // Takes a slot for (user, ip) unless `limit` (> 0) are already held.
  // A folder we cannot use is logged and lets the login through.
  static Outcome acquire(const std::string& dir, const std::string& user, const std::string& ip, unsigned limit,
                         UserIpSlot& slot);

 private:
  std::string path_;
};

}  // namespace postern::login
