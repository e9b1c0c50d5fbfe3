// Configuration and file-system checks. Runs as the invoking user; as root
// set-permissions also repairs owners and modes. The folder list, owners and
// modes come from lib/queue (queue_folders), the one table of them.
#include "postfix/check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "lib/config/config_error.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/dovecot/dovecot_conf.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_layout.hpp"
#include "lib/queue_tools/tool_config.hpp"

namespace postern::postfix_cmd {
namespace {

void warn_if_writable_by_others(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (st.st_mode & (S_IWGRP | S_IWOTH)) log::warning("group or other writable: %s", path.c_str());
  if (::geteuid() == 0 && st.st_uid != 0) log::warning("not owned by root: %s", path.c_str());
}

// Queue folders as lib/queue wants them; returns the number of errors.
int check_queue_folders(const config::Config& config) {
  const queue::QueueLayout layout = queue_tools::layout_from_config(config);
  std::optional<queue::Ownership> owner;
  if (::geteuid() == 0) {
    auto found = queue_tools::ownership_from_config(config);
    if (!found) {
      log::error("%s", found.error().message.c_str());
      return 1;
    }
    owner = *found;
  }
  int errors = 0;
  for (const auto& spec : queue::queue_folders()) {
    std::string path = layout.folder_path(spec.name);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      log::warning("missing queue folder %s (postfix start or set-permissions creates it)", path.c_str());
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      log::error("%s is not a directory", path.c_str());
      ++errors;
      continue;
    }
    if (owner) {
      unsigned want_uid = spec.root_owned ? 0 : unsigned(owner->uid);
      if (st.st_uid != want_uid)
        log::warning("not owned by %s: %s", spec.root_owned ? "root" : config.get("mail_owner").c_str(),
                     path.c_str());
    }
    if ((st.st_mode & 07777) != spec.mode)
      log::warning("wrong permissions %04o (expected %04o): %s", unsigned(st.st_mode & 07777), spec.mode,
                   path.c_str());
  }
  return errors;
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
  // dovecot.conf decides which of pop3d/imapd/lmtpd/auth master starts: a
  // broken one must stop a start or reload just as a broken main.cf does.
  const std::string dovecot_conf = config.get("dovecot_config_file");
  if (::access(dovecot_conf.c_str(), F_OK) == 0) {
    try {
      (void)dovecot::DovecotConf::load(dovecot_conf);
    } catch (const dovecot::ConfError& e) {
      log::error("%s", e.what());
      ++errors;
    }
  }
  if (mode == CheckMode::full) {
    warn_if_writable_by_others(config.config_dir() + "/main.cf");
    warn_if_writable_by_others(config.config_dir() + "/master.cf");
    errors += check_queue_folders(config);
  }
  return errors ? 1 : 0;
}

int set_permissions(const config::Config& config) {
  if (::geteuid() != 0) {
    log::error("set-permissions requires super-user privileges");
    return 1;
  }
  auto owner = queue_tools::ownership_from_config(config);
  if (!owner) {
    log::error("%s", owner.error().message.c_str());
    return 1;
  }
  auto repairs = queue::ensure_queue_folders(queue_tools::layout_from_config(config), *owner);
  if (!repairs) {
    log::error("%s", repairs.error().message.c_str());
    return 1;
  }
  for (const auto& repair : *repairs) log::info("%s", repair.c_str());
  return 0;
}

}  // namespace postern::postfix_cmd
