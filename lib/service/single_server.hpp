// The request skeleton: one client at a time, handled synchronously (the
// delivery agents local, virtual, smtp, pipe, which take one request from
// qmgr, deliver, and answer). Reports busy/idle to master around each client,
// exits after max_idle seconds idle or max_use requests, and finishes the
// current client before exiting on reload.
#pragma once

#include <functional>

#include "lib/base/unique_fd.hpp"
#include "lib/service/daemon_context.hpp"

namespace postern::service {

struct SingleServerHooks {
  std::function<void(DaemonContext&)> pre_drop;   // optional, as root
  std::function<void(DaemonContext&)> post_drop;  // optional
  // Serves one client to completion; the descriptor is blocking. Counts as
  // one use toward max_use.
  std::function<void(UniqueFd client, DaemonContext& ctx)> on_client;
  // Instead of on_client, for clients that make several requests (qmgr's
  // connections to a delivery agent): serves at most `uses_left` requests
  // and returns how many it served, all of which count toward max_use.
  std::function<long long(UniqueFd client, DaemonContext& ctx, long long uses_left)> on_session;
};

int run_single_server(int argc, char** argv, SingleServerHooks hooks);

}  // namespace postern::service
