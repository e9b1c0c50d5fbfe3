// Loading LocalParams from the configuration. Runs in local (root).
#include "local/local_params.hpp"

#include <sys/stat.h>

#include "lib/base/host_name.hpp"
#include "lib/base/strings.hpp"
#include "lib/mailbox/maildir_writer.hpp"

namespace postern::local {

LocalParams load_params(const config::Config& config) {
  LocalParams p;
  p.myhostname = config.get("myhostname");
  p.myorigin = config.get("myorigin");
  for (const auto& d : config.get_list("mydestination")) p.mydestination.push_back(to_lower(d));
  p.alias_maps = config.get("alias_maps");
  p.recipient_delimiter = config.get("recipient_delimiter");
  p.home_mailbox = config.get("home_mailbox");
  p.mail_spool_directory = config.get("mail_spool_directory");
  // Unexpanded: $EXTENSION and friends belong to the shell, and local
  // expands its own lower-case names ($user, $home, ...) per delivery.
  p.mailbox_command = config.raw_value("mailbox_command");
  p.forward_path = split(config.raw_value("forward_path"), ", \t\n");
  p.allow_mail_to_commands = config.get_list("allow_mail_to_commands");
  p.allow_mail_to_files = config.get_list("allow_mail_to_files");
  p.prepend_delivered_header = config.get_list("prepend_delivered_header");
  p.luser_relay = config.get("luser_relay");
  p.mailbox_size_limit = static_cast<std::uint64_t>(config.get_size("mailbox_size_limit"));
  auto locks = config.get_list("mailbox_delivery_lock");
  p.lock.dotlock = false;
  p.lock.fcntl_lock = false;
  for (const auto& l : locks) {
    if (l == "dotlock") p.lock.dotlock = true;
    if (l == "fcntl" || l == "flock") p.lock.fcntl_lock = true;
  }
  p.lock.attempts = static_cast<int>(config.get_int("deliver_lock_attempts"));
  p.lock.delay_ms = static_cast<int>(config.get_time_seconds("deliver_lock_delay") * 1000);
  p.lock.stale_seconds = static_cast<int>(config.get_time_seconds("stale_lock_time"));
  p.default_privs = config.get("default_privs");
  p.mail_owner = config.get("mail_owner");
  p.queue_directory = config.get("queue_directory");
  if (struct stat st{}; ::stat(p.queue_directory.c_str(), &st) == 0) p.queue_device = st.st_dev;
  p.node_name = host_name();
  p.unnamed_maildir_files = mailbox::unnamed_files_linkable();
  p.local_command_shell = config.get("local_command_shell");
  p.command_time_limit = static_cast<int>(config.get_time_seconds("command_time_limit"));
  p.owner_request_special = config.get_bool("owner_request_special");
  return p;
}

bool is_local_domain(const LocalParams& params, std::string_view domain) {
  if (domain.empty()) return true;
  std::string d = to_lower(domain);
  if (d == "localhost" || d == to_lower(params.myhostname)) return true;
  for (const auto& mine : params.mydestination) {
    if (d == mine) return true;
  }
  return false;
}

}  // namespace postern::local
