// The request skeleton: one client at a time, handled synchronously (the
// delivery agents local, virtual, smtp, pipe, which take one request from
// qmgr, deliver, and answer). Reports busy/idle to master around each client,
// exits after max_idle seconds idle or max_use clients, and finishes the
// current client before exiting on reload.
#pragma once

#include <functional>

#include "lib/base/unique_fd.hpp"
#include "lib/service/daemon_context.hpp"

namespace postern::service {

struct SingleServerHooks {
  std::function<void(DaemonContext&)> pre_drop;   // optional, as root
  std::function<void(DaemonContext&)> post_drop;  // optional
  // Serves one client to completion; the descriptor is blocking.
  std::function<void(UniqueFd client, DaemonContext& ctx)> on_client;
};

int run_single_server(int argc, char** argv, SingleServerHooks hooks);

}  // namespace postern::service
