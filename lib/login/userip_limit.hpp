// mail_max_userip_connections: how many sessions one user may have from one
// remote address, counted across pop3d and imapd (and every process of
// each). Each logged-in session holds a small file named after user, IP and
// the connection process's PID in one folder; counting skips files whose
// process is gone, so kill -9 never leaves a user locked out. An flock on
// the folder makes check-and-add atomic. Runs in the connection root process.
#pragma once

#include <string>

#include "lib/base/result.hpp"

namespace postern::login {

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
