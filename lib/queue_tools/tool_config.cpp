// Queue layout from main.cf and the set-group-ID config rule; runs in every
// queue command (postdrop and postqueue set-group-ID postdrop).
#include "lib/queue_tools/tool_config.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include "lib/base/build_paths.hpp"
#include "lib/base/strings.hpp"
#include "lib/config/config_error.hpp"

namespace postern::queue_tools {

queue::QueueLayout layout_from_config(const config::Config& config) {
  queue::QueueLayout layout;
  layout.queue_directory = config.get("queue_directory");
  layout.hash_queue_depth = static_cast<int>(config.get_int("hash_queue_depth"));
  layout.hash_queue_names = config.get_list("hash_queue_names");
  return layout;
}

Result<queue::Ownership> ownership_from_config(const config::Config& config) {
  const std::string owner = config.get("mail_owner");
  const passwd* pw = ::getpwnam(owner.c_str());
  if (!pw) return Error{"mail_owner: unknown user: " + owner};
  if (pw->pw_uid == 0) return Error{"mail_owner: " + owner + " must not be the super-user"};
  const std::string group_name = config.get("setgid_group");
  const group* gr = ::getgrnam(group_name.c_str());
  if (!gr) return Error{"setgid_group: unknown group: " + group_name};
  return queue::Ownership{int(pw->pw_uid), int(pw->pw_gid), int(gr->gr_gid)};
}

std::string privileged_config_dir(const std::string& from_option) {
  std::string dir = config::resolve_config_dir(from_option);
  bool setgid = ::getegid() != ::getgid() || ::geteuid() != ::getuid();
  if (!setgid || ::getuid() == 0) return dir;
  std::string fallback = build::config_directory;
  auto trimmed = [](std::string s) {
    while (s.size() > 1 && s.back() == '/') s.pop_back();
    return s;
  };
  if (trimmed(dir) == trimmed(fallback)) return dir;
  config::Config defaults;
  try {
    defaults = config::Config::load(fallback);
  } catch (const config::ConfigError&) {
    // No default main.cf: nothing is listed, so nothing else is allowed.
  }
  for (const auto& allowed : split_list(defaults.get("alternate_config_directories")))
    if (trimmed(allowed) == trimmed(dir)) return dir;
  for (const auto& allowed : split_list(defaults.get("multi_instance_directories")))
    if (trimmed(allowed) == trimmed(dir)) return dir;
  throw config::ConfigError("", 0,
                            "-c option or MAIL_CONFIG: " + dir +
                                " is not listed in alternate_config_directories of " + fallback + "/main.cf");
}

}  // namespace postern::queue_tools
