// Configuration and file-system checks. Runs as the invoking user; as root it
// may also repair owners and modes (set-permissions).
#include "postfix/check.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/config/config_error.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/log/log.hpp"
#include "lib/service/privileges.hpp"

namespace postern::postfix_cmd {
namespace {

struct QueueDir {
  const char* name;
  mode_t mode;
  bool owned_by_mail_owner;
  bool setgid_group;  // group = setgid_group (postdrop)
};

// Postfix's layout: what postdrop and postqueue may reach is group postdrop.
constexpr QueueDir kQueueDirs[] = {
    {"active", 0700, true, false},   {"bounce", 0700, true, false},   {"corrupt", 0700, true, false},
    {"defer", 0700, true, false},    {"deferred", 0700, true, false}, {"flush", 0700, true, false},
    {"hold", 0700, true, false},     {"incoming", 0700, true, false}, {"private", 0700, true, false},
    {"saved", 0700, true, false},    {"trace", 0700, true, false},    {"maildrop", 0730, true, true},
    {"public", 0710, true, true},    {"pid", 0755, false, false},
};

struct Owners {
  uid_t mail_uid = 0;
  gid_t mail_gid = 0;
  gid_t setgid_gid = 0;
};

bool lookup_owners(const config::Config& config, Owners& owners) {
  auto owner = service::find_account(config.get("mail_owner"));
  if (!owner) {
    log::error("mail_owner: %s", owner.error().message.c_str());
    return false;
  }
  if (owner->uid == 0) {
    log::error("mail_owner must not be the super-user");
    return false;
  }
  std::string group_name = config.get("setgid_group");
  group* gr = ::getgrnam(group_name.c_str());
  if (!gr) {
    log::error("setgid_group: unknown group: %s", group_name.c_str());
    return false;
  }
  owners = {owner->uid, owner->gid, gr->gr_gid};
  return true;
}

void warn_if_writable_by_others(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (st.st_mode & (S_IWGRP | S_IWOTH)) log::warning("group or other writable: %s", path.c_str());
  if (::geteuid() == 0 && st.st_uid != 0) log::warning("not owned by root: %s", path.c_str());
}

}  // namespace

int check_configuration(const config::Config& config, CheckMode mode) {
  int errors = 0;
  try {
    // Every parameter expanded once: loops and bad values surface here, not in a daemon.
    for (const auto& entry : config.main_cf().entries()) (void)config.get(entry.name);
    (void)config.get_time_seconds("max_idle");
    (void)config.get_int("max_use");
    (void)config.get_int("default_process_limit");
    config::MasterCf::load(config.config_dir() + "/master.cf");
  } catch (const config::ConfigError& e) {
    log::error("%s", e.what());
    ++errors;
  }
  const std::string queue = config.get("queue_directory");
  struct stat st {};
  if (::stat(queue.c_str(), &st) != 0 && mode == CheckMode::full) {
    log::warning("queue_directory %s: %m", queue.c_str());
  }
  if (mode == CheckMode::full) {
    warn_if_writable_by_others(config.config_dir() + "/main.cf");
    warn_if_writable_by_others(config.config_dir() + "/master.cf");
    Owners owners;
    bool root = ::geteuid() == 0;
    if (root && !lookup_owners(config, owners)) ++errors;
    for (const auto& dir : kQueueDirs) {
      std::string path = queue + "/" + dir.name;
      if (::lstat(path.c_str(), &st) != 0) {
        if (std::string(dir.name) != "saved" && std::string(dir.name) != "flush")
          log::warning("missing queue folder %s (postfix set-permissions creates it)", path.c_str());
        continue;
      }
      if (!S_ISDIR(st.st_mode)) {
        log::error("%s is not a directory", path.c_str());
        ++errors;
        continue;
      }
      if (root && dir.owned_by_mail_owner && st.st_uid != owners.mail_uid)
        log::warning("not owned by %s: %s", config.get("mail_owner").c_str(), path.c_str());
      if ((st.st_mode & 07777) != dir.mode)
        log::warning("wrong permissions %04o (expected %04o): %s", unsigned(st.st_mode & 07777),
                     unsigned(dir.mode), path.c_str());
    }
  }
  return errors ? 1 : 0;
}

int set_permissions(const config::Config& config) {
  if (::geteuid() != 0) {
    log::error("set-permissions requires super-user privileges");
    return 1;
  }
  Owners owners;
  if (!lookup_owners(config, owners)) return 1;
  const std::string queue = config.get("queue_directory");
  if (::mkdir(queue.c_str(), 0755) != 0 && errno != EEXIST) {
    log::error("mkdir %s: %m", queue.c_str());
    return 1;
  }
  int errors = 0;
  for (const auto& dir : kQueueDirs) {
    std::string path = queue + "/" + dir.name;
    if (::mkdir(path.c_str(), dir.mode) != 0 && errno != EEXIST) {
      log::error("mkdir %s: %m", path.c_str());
      ++errors;
      continue;
    }
    uid_t uid = dir.owned_by_mail_owner ? owners.mail_uid : 0;
    gid_t gid = dir.setgid_group ? owners.setgid_gid : (dir.owned_by_mail_owner ? owners.mail_gid : 0);
    if (::chown(path.c_str(), uid, gid) != 0 || ::chmod(path.c_str(), dir.mode) != 0) {
      log::error("set owner/mode of %s: %m", path.c_str());
      ++errors;
    }
  }
  return errors ? 1 : 0;
}

}  // namespace postern::postfix_cmd
