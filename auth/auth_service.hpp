// The auth daemon's connections: each one an AuthServerConnection fed from a
// non-blocking socket on the event loop, with failure replies held back on
// timers (the failure delay never blocks other clients). Runs in auth, as
// root when shadow or pam passdbs need it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lib/auth/auth_engine.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/multi_server.hpp"

namespace postern::authd {

class AuthService {
 public:
  AuthService(net::EventLoop& loop, auth::AuthEngine& engine);
  ~AuthService();
  void add_client(UniqueFd fd, service::ClientLease lease);

 private:
  struct Client;
  void on_readable(Client& c);
  void close(int key);

  net::EventLoop& loop_;
  auth::AuthEngine& engine_;
  unsigned next_cuid_ = 1;
  std::map<int, std::unique_ptr<Client>> clients_;
  std::vector<std::unique_ptr<Client>> graveyard_;
  net::Watcher reaper_;
};

}  // namespace postern::authd
