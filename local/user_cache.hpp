// Recipient accounts looked up once per local process and kept for a few
// seconds: each getpwnam()/getgrouplist() walks NSS (the files, then
// systemd's userdb folders and socket: about 50 openat per delivery), and
// under load one local process serves delivery after delivery to the same
// users. Only found accounts are kept, so a new account is seen at once; a
// changed one within kMaxAge. Runs in local (root).
#pragma once

#include <ctime>
#include <map>
#include <string>

#include "lib/base/result.hpp"
#include "local/as_user.hpp"

namespace postern::local {

class UserCache {
 public:
  static constexpr std::time_t kMaxAge = 10;  // seconds
  static constexpr std::size_t kMaxEntries = 1000;

  // lookup_user(name), from the cache when it is fresh.
  Result<UserIdentity> find(const std::string& name);

 private:
  struct Entry {
    UserIdentity who;
    std::time_t looked_up = 0;
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace postern::local
