#include "lib/base/account_ids.hpp"

#include <grp.h>
#include <pwd.h>

#include <vector>

#include "lib/base/strings.hpp"

namespace postern {

std::optional<uid_t> uid_from_text(const std::string& text) {
  if (auto n = parse_long(text); n && *n >= 0) return uid_t(*n);
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(text.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return found->pw_uid;
}

std::optional<gid_t> gid_from_text(const std::string& text) {
  if (auto n = parse_long(text); n && *n >= 0) return gid_t(*n);
  // Groups with many members need more room than a passwd entry.
  std::vector<char> buf(65536);
  group gr{};
  group* found = nullptr;
  if (::getgrnam_r(text.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return found->gr_gid;
}

}  // namespace postern
