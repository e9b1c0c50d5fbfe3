// What every login service (pop3d, imapd) reads from dovecot.conf and
// main.cf: TLS, plaintext rules, the auth socket, mail_location, the
// accounts to run as, the per-user+IP connection limit and where the
// last-login times for POP3's LOGIN-DELAY live. Loaded in the
// daemon process (root when master is root) before any client arrives.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "lib/dovecot/dovecot_conf.hpp"
#include "lib/service/daemon_context.hpp"
#include "lib/tls/tls_server.hpp"

namespace postern::login {

struct LoginSettings {
  std::string protocol;                  // "pop3", "imap": log prefixes and the auth service name
  const dovecot::DovecotConf* conf = nullptr;
  const tls::TlsContext* tls = nullptr;  // nullptr: ssl = no or no certificate
  bool implicit_tls = false;             // the pop3s/imaps listener ("-- ssl")
  bool ssl_required = false;             // ssl = required
  bool disable_plaintext = true;
  std::string trusted_networks;
  std::string greeting;
  std::string auth_socket;
  std::string mail_location;
  std::string spool_dir;
  long first_valid_uid = 500;
  unsigned max_userip_connections = 10;  // mail_max_userip_connections; 0 = no limit
  std::string userip_dir;                // where the per-user+IP counts live
  unsigned login_delay = 0;              // pop3_login_delay (POP3 only): seconds between logins; 0 = off
  std::string login_delay_dir;           // where each user's last login time lives
  bool as_root = false;                  // started as root: privileges to manage
  uid_t login_uid = 0;                   // mail_owner
  gid_t login_gid = 0;
};

struct LoadedLogin {
  std::unique_ptr<dovecot::DovecotConf> conf;
  std::optional<tls::TlsContext> tls;
  LoginSettings settings;
};

// Fatal (logged, exit 1: master throttles) on a broken configuration.
// Dovecot's `protocol <name> { }` blocks apply for `protocol`.
void load_login_settings(service::DaemonContext& ctx, const std::string& protocol, LoadedLogin& out);

// The folder for the per-user+IP connection counts under a queue directory.
std::string userip_directory(const std::string& queue_directory);
// The folder for the last-login times (pop3_login_delay) under a queue directory.
std::string login_delay_directory(const std::string& queue_directory);

}  // namespace postern::login
