// The local delivery agent's parameters, read once from main.cf (plus
// master.cf -o overrides) into a plain struct. Runs in local (root).
#pragma once

#include <cstdint>
#include <sys/types.h>

#include <string>
#include <vector>

#include "lib/config/config.hpp"
#include "lib/mailbox/mailbox_lock.hpp"

namespace postern::local {

struct LocalParams {
  std::string myhostname;
  std::string myorigin;
  std::vector<std::string> mydestination;  // lower case
  std::string alias_maps;
  std::string recipient_delimiter;
  std::string home_mailbox;
  std::string mail_spool_directory;
  std::string mailbox_command;
  std::vector<std::string> forward_path;   // unexpanded: $home, $user, $extension, ...
  std::vector<std::string> allow_mail_to_commands;
  std::vector<std::string> allow_mail_to_files;
  std::vector<std::string> prepend_delivered_header;
  std::string luser_relay;
  std::uint64_t mailbox_size_limit = 0;
  mailbox::LockOptions lock;
  std::string default_privs;
  std::string mail_owner;
  std::string queue_directory;
  // The queue's file system (0: unknown). Maildir deliveries on it skip the
  // folder fsync (see mailbox::MaildirDelivery::sync_folder).
  dev_t queue_device = 0;
  // The kernel's host name, for Maildir file names: read once per process
  // (a local process lives for max_use deliveries), not per delivery.
  std::string node_name;
  // Maildir files are written unnamed first (mailbox::MaildirDelivery).
  bool unnamed_maildir_files = false;
  std::string local_command_shell;
  int command_time_limit = 1000;
  bool owner_request_special = true;
};

LocalParams load_params(const config::Config& config);

// Is `domain` one we deliver locally: empty, in mydestination, "localhost",
// or the host name itself. Case-insensitive.
bool is_local_domain(const LocalParams& params, std::string_view domain);

}  // namespace postern::local
