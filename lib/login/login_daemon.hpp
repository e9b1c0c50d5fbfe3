// The daemon process of a login service (pop3d, imapd): the multi-server
// skeleton plus one forked connection process per client, counted as busy
// until it ends. It never reads client input itself. Runs as root when
// master is root (to load the TLS key and fork root connection processes).
#pragma once

#include <sys/types.h>

#include <functional>

#include "lib/service/daemon_context.hpp"

namespace postern::login {

struct LoginDaemon {
  const char* protocol = "";                                 // "pop3": for log lines
  std::function<void(service::DaemonContext&)> load;         // before privileges change (root)
  std::function<int(int client_fd)> serve_connection;        // in the forked connection process
  std::function<void(pid_t)> connection_ended;               // in this process, after reaping one (may be empty)
};

int run_login_daemon(int argc, char** argv, LoginDaemon daemon);

}  // namespace postern::login
