// unix_listener mode/user/group for the auth sockets (see the header). Runs
// in auth before it serves anyone, as root when master started it as root.
#include "auth/listener_permissions.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

#include "lib/auth/passdb.hpp"
#include "lib/log/log.hpp"

namespace postern::authd {
namespace {

std::string where(const dovecot::Section& block) { return block.file + ", line " + std::to_string(block.line); }

// The socket's path for a listener name, or "" when it is not in private/.
std::string socket_path(const std::string& name, const std::string& queue_directory) {
  std::string rest;
  if (name.starts_with("private/")) rest = name.substr(8);
  else if (name.starts_with(queue_directory + "/private/")) rest = name.substr(queue_directory.size() + 9);
  if (rest.empty() || rest.find('/') != std::string::npos) return "";
  return queue_directory + "/private/" + rest;
}

}  // namespace

void apply_listener_permissions(const dovecot::DovecotConf& conf, const std::string& queue_directory) {
  for (const dovecot::Section* service : conf.root().children("service")) {
    if (service->name != "auth") continue;
    for (const dovecot::Section* l : service->children("unix_listener")) {
      const std::string mode_text = l->get("mode"), user = l->get("user"), group = l->get("group");
      if (mode_text.empty() && user.empty() && group.empty()) continue;
      const std::string path = socket_path(l->name, queue_directory);
      if (path.empty()) continue;  // master has already said it is not served
      std::optional<mode_t> mode;
      if (!mode_text.empty()) {
        char* end = nullptr;
        unsigned long m = std::strtoul(mode_text.c_str(), &end, 8);
        if (end == mode_text.c_str() || *end != '\0' || m > 07777)
          log::warning("%s: unix_listener %s: bad mode %s; ignored", where(*l).c_str(), l->name.c_str(),
                       mode_text.c_str());
        else
          mode = static_cast<mode_t>(m);
      }
      uid_t uid = static_cast<uid_t>(-1);
      gid_t gid = static_cast<gid_t>(-1);
      if (!user.empty()) {
        if (auto u = auth::resolve_uid(user)) uid = *u;
        else log::warning("%s: unix_listener %s: unknown user %s", where(*l).c_str(), l->name.c_str(), user.c_str());
      }
      if (!group.empty()) {
        if (auto g = auth::resolve_gid(group)) gid = *g;
        else log::warning("%s: unix_listener %s: unknown group %s", where(*l).c_str(), l->name.c_str(), group.c_str());
      }
      if ((uid != static_cast<uid_t>(-1) || gid != static_cast<gid_t>(-1)) && ::chown(path.c_str(), uid, gid) != 0)
        log::warning("%s: chown %s: %m", where(*l).c_str(), path.c_str());
      if (mode && ::chmod(path.c_str(), *mode) != 0) log::warning("%s: chmod %s: %m", where(*l).c_str(), path.c_str());
    }
  }
}

}  // namespace postern::authd
