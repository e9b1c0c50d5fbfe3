// unix_listener mode/user/group from dovecot.conf. See socket_permissions.hpp.
// Runs in master.
#include "master/socket_permissions.hpp"

#include <cstdio>

#include "lib/base/account_ids.hpp"

namespace postern::master {
std::string SocketPermissions::describe() const {
  std::string out;
  auto add = [&out](const std::string& part) { out += (out.empty() ? "" : " ") + part; };
  if (mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", unsigned(*mode));
    add(std::string("mode=") + text);
  }
  if (uid) add("uid=" + std::to_string(*uid));
  if (gid) add("gid=" + std::to_string(*gid));
  return out;
}

void read_socket_permissions(const dovecot::Section& listener, SocketPermissions& out,
                             std::vector<std::string>& notes) {
  const std::string where = listener.file + ", line " + std::to_string(listener.line) + ": unix_listener " +
                            listener.name + ": ";
  const std::string mode = listener.get("mode"), user = listener.get("user"), group = listener.get("group");
  if (!mode.empty()) {
    // Octal, as Dovecot writes it (0660); only permission bits make sense on a socket.
    bool octal = mode.find_first_not_of("01234567") == std::string::npos && mode.size() <= 4;
    unsigned long m = octal ? std::stoul(mode, nullptr, 8) : 0;
    if (!octal || m > 0777) notes.push_back("warning: " + where + "bad mode " + mode + "; ignored");
    else out.mode = mode_t(m);
  }
  if (!user.empty()) {
    if (auto uid = uid_from_text(user)) out.uid = uid;
    else notes.push_back("warning: " + where + "unknown user " + user + "; ignored");
  }
  if (!group.empty()) {
    if (auto gid = gid_from_text(group)) out.gid = gid;
    else notes.push_back("warning: " + where + "unknown group " + group + "; ignored");
  }
}

}  // namespace postern::master
