// imapd's settings: what every login service shares (lib/login) plus the
// IMAP-specific ones from dovecot.conf. Loaded in the imapd daemon process
// before privileges change; read-only afterwards.
#pragma once

#include <string>

#include "lib/imap/command_reader.hpp"
#include "lib/login/login_settings.hpp"

namespace postern::imapd {

struct ImapSettings {
  login::LoadedLogin loaded;
  const login::LoginSettings& login() const { return loaded.settings; }
  imap::ReaderLimits limits;    // after login: imap_max_line_length, literal and command size
  std::string capability;       // imap_capability
  long idle_notify_interval = 120;  // imap_idle_notify_interval: "* OK Still here"
};

// Fatal (logged, exit 1) on a broken configuration.
void load_imap_settings(service::DaemonContext& ctx, ImapSettings& out);

// Limits before login: short lines, small literals (LOGIN only).
imap::ReaderLimits pre_login_limits();

}  // namespace postern::imapd
