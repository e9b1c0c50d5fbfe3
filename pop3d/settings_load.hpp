// pop3d start-up: dovecot.conf and main.cf turned into session Settings, the
// TLS context loaded while still root, and the entry point of a session
// process. Runs in pop3d (root when master is root).
#pragma once

#include <memory>
#include <optional>

#include "lib/dovecot/dovecot_conf.hpp"
#include "lib/service/daemon_context.hpp"
#include "lib/tls/tls_server.hpp"
#include "pop3d/session.hpp"

namespace postern::pop3d {

struct LoadedSettings {
  std::unique_ptr<dovecot::DovecotConf> conf;
  std::optional<tls::TlsContext> tls;
  Settings settings;
};

// Fatal (logged, exit 1: master throttles) on a broken configuration.
void load_settings(service::DaemonContext& ctx, LoadedSettings& out);

// In a freshly forked connection process (root when master is root): runs
// the login and mail processes for the client on `fd` (connection_root.cpp).
// Returns the exit status.
int run_connection(const LoadedSettings& loaded, int fd);

}  // namespace postern::pop3d
