// The auth daemon's connections: each one an AuthServerConnection fed from a
// non-blocking socket on the event loop, with failure replies held back on
// timers (the failure delay never blocks other clients) and password checks
// on worker threads (a slow PAM stack never blocks them either). Runs in
// auth, as root when shadow or pam passdbs need it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "auth/check_workers.hpp"
#include "lib/auth/auth_engine.hpp"
#include "lib/auth/auth_protocol.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/multi_server.hpp"

namespace postern::authd {

class AuthService {
 public:
  // `workers`: at most this many check threads (service auth-worker's process_limit).
  AuthService(net::EventLoop& loop, auth::AuthEngine& engine, unsigned workers);
  ~AuthService();
  void add_client(UniqueFd fd, service::ClientLease lease);

 private:
  struct Client;
  void on_readable(Client& c);
  void send(Client& c, std::vector<auth::AuthServerConnection::Reply> replies);
  void checked(std::uint64_t ticket, const auth::ChainResult& result);
  void close(int key);

  struct Ticket {
    int key;              // the client's descriptor
    std::uint64_t serial; // which client had it (descriptors are reused)
    std::string id;       // its request id
  };

  net::EventLoop& loop_;
  auth::AuthEngine& engine_;
  unsigned next_cuid_ = 1;
  std::uint64_t next_serial_ = 1;
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, Ticket> tickets_;
  std::map<int, std::unique_ptr<Client>> clients_;
  std::vector<std::unique_ptr<Client>> graveyard_;
  net::Watcher reaper_;
  CheckWorkers workers_;  // last: its threads stop before the clients go
};

}  // namespace postern::authd
