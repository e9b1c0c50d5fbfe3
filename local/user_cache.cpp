// Short-lived cache of recipient accounts (see user_cache.hpp). Runs in
// local (root).
#include "local/user_cache.hpp"

namespace postern::local {

Result<UserIdentity> UserCache::find(const std::string& name) {
  const std::time_t now = std::time(nullptr);
  if (auto it = entries_.find(name); it != entries_.end()) {
    // A clock that went backwards counts as stale too.
    if (now >= it->second.looked_up && now - it->second.looked_up < kMaxAge) return it->second.who;
    entries_.erase(it);
  }
  auto who = lookup_user(name);
  if (!who) return who;
  if (entries_.size() >= kMaxEntries) entries_.clear();  // many users at once: start over
  entries_[name] = Entry{*who, now};
  return who;
}

}  // namespace postern::local
