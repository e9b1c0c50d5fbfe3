// The multi-connection skeleton: one libevent loop serves many clients in one
// process (smtpd, pop3d, imapd, lmtpd, auth, anvil). It accepts on master's
// listeners, tells master when it is busy, exits after max_idle seconds
// without clients or after max_use clients, and on reload (EOF on the status
// channel) stops accepting, lets its clients finish and exits.
#pragma once

#include <functional>
#include <memory>

#include "lib/base/unique_fd.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/service/daemon_context.hpp"

namespace postern::service {

// Keeps one client counted as connected. Destroy (or release) it when the
// session ends; the skeleton then updates its status and may exit.
class ClientLease {
 public:
  ClientLease() = default;
  explicit ClientLease(std::function<void()> on_release) : on_release_(std::move(on_release)) {}
  ~ClientLease() { release(); }
  ClientLease(ClientLease&& other) noexcept : on_release_(std::move(other.on_release_)) { other.on_release_ = nullptr; }
  ClientLease& operator=(ClientLease&& other) noexcept {
    if (this != &other) {
      release();
      on_release_ = std::move(other.on_release_);
      other.on_release_ = nullptr;
    }
    return *this;
  }
  void release() {
    if (on_release_) std::exchange(on_release_, nullptr)();
  }

 private:
  std::function<void()> on_release_;
};

struct MultiServerHooks {
  // Before privileges are dropped: open what needs root (optional).
  std::function<void(DaemonContext&)> pre_drop;
  // After privileges are dropped, before the first client (optional).
  std::function<void(DaemonContext&, net::EventLoop&)> post_drop;
  // A new client: the callee owns the descriptor and the lease.
  std::function<void(UniqueFd client, ClientLease lease)> on_client;
};

// Runs the daemon; returns its exit status.
int run_multi_server(int argc, char** argv, MultiServerHooks hooks);

}  // namespace postern::service
