// User access lists for sendmail, postdrop and postqueue (invoking user).
#include "lib/queue_tools/authorized_users.hpp"

#include <pwd.h>
#include <unistd.h>

#include "lib/maps/table.hpp"

namespace postern::queue_tools {

Result<bool> user_in_list(std::string_view list, std::string_view user) {
  for (std::string entry : maps::split_table_list(list)) {
    bool negate = false;
    while (!entry.empty() && entry[0] == '!') {
      negate = !negate;
      entry.erase(0, 1);
    }
    bool match = false;
    if (entry.find(':') != std::string::npos) {
      auto table = maps::open_table(entry);
      if (!table) return table.error();
      auto found = (*table)->lookup(user);
      if (found.is_temp_fail()) return Error{entry + ": table lookup problem: " + found.value};
      match = found.is_found();
    } else {
      match = entry == user;
    }
    if (match) return !negate;
  }
  return false;
}

std::string check_user_access(const config::Config& config, std::string_view parameter, bool owner_passes,
                              std::string_view what) {
  const unsigned uid = ::getuid();
  if (uid == 0) return "";
  if (owner_passes) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    char buf[4096];
    std::string owner = config.get("mail_owner");
    if (::getpwnam_r(owner.c_str(), &pw, buf, sizeof buf, &found) == 0 && found && found->pw_uid == uid)
      return "";
  }
  std::string name = user_name_of(uid);
  auto allowed = user_in_list(config.get(parameter), name);
  if (!allowed) return std::string(parameter) + ": " + allowed.error().message;
  if (*allowed) return "";
  return "User " + name + "(" + std::to_string(uid) + ") is not allowed to " + std::string(what);
}

std::string user_name_of(unsigned uid) {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return std::to_string(uid);
}

}  // namespace postern::queue_tools
