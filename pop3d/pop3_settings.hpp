// pop3d's settings: what every login service shares (lib/login), plus the
// POP3-only ones from dovecot.conf. Loaded in the pop3d daemon process (root
// when master is root) before privileges change; read-only afterwards.
#pragma once

#include <string>

#include "lib/login/login_settings.hpp"

namespace postern::pop3d {

struct Pop3Settings {
  login::LoadedLogin loaded;  // TLS, plaintext rules, greeting, accounts, limits; login_delay
  const login::LoginSettings& login() const { return loaded.settings; }
  std::string uidl_format = "%08Xu%08Xv";  // pop3_uidl_format
};

// Fatal (logged, exit 1: master throttles) on a broken configuration.
void load_pop3_settings(service::DaemonContext& ctx, Pop3Settings& out);

}  // namespace postern::pop3d
