// check_policy_service's client: one request at a time per connection to a
// policy server (inet:host:port or unix:path), on the event loop, so a slow
// policy server never stalls the other sessions of this smtpd. Idle
// connections are kept for reuse (smtpd_policy_service_max_idle, at most
// smtpd_policy_service_max_ttl old); every request is bounded by
// smtpd_policy_service_timeout. In smtpd, as mail_owner.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/net/watcher.hpp"

namespace postern::smtpd {

struct PolicyClientParams {
  double timeout_seconds = 100;  // smtpd_policy_service_timeout
  double max_idle_seconds = 300;  // smtpd_policy_service_max_idle
  double max_ttl_seconds = 1000;  // smtpd_policy_service_max_ttl
  int try_limit = 2;              // smtpd_policy_service_try_limit (a timeout is not retried)
  std::string queue_directory;    // for relative unix: paths
};

class PolicyClient {
 public:
  // The action text ("DUNNO", "REJECT text", ...) or what went wrong.
  using Callback = std::function<void(Result<std::string>)>;

  PolicyClient(net::EventLoop& loop, PolicyClientParams params);
  ~PolicyClient();
  PolicyClient(const PolicyClient&) = delete;
  PolicyClient& operator=(const PolicyClient&) = delete;

  // Sends `request` (encode_policy_request) to `service`. `done` runs
  // exactly once from the loop, never inside query(), unless the client is
  // destroyed first (then it never runs).
  void query(const std::string& service, std::string request, Callback done);

  std::size_t idle_connections() const;

 private:
  struct Connection {
    UniqueFd fd;
    std::time_t created = 0;
    std::time_t last_used = 0;
  };
  struct Request;
  void attempt(Request& r);
  void on_connected(Request& r);
  void on_writable(Request& r);
  void on_readable(Request& r);
  void fail(Request& r, const std::string& why, bool retry);
  void finish(Request& r, Result<std::string> result);
  std::optional<Connection> take_idle(const std::string& service);
  Result<UniqueFd> connect(const std::string& service, bool* in_progress);

  net::EventLoop& loop_;
  PolicyClientParams params_;
  std::map<std::string, std::vector<Connection>> idle_;
  std::map<std::uint64_t, std::unique_ptr<Request>> active_;
  std::vector<std::unique_ptr<Request>> retired_;  // destroyed from reaper_, never inside their own callbacks
  net::Watcher reaper_;
  net::Watcher sweeper_;  // closes idle connections after max_idle, so policy servers see them go
  void sweep();
  std::uint64_t next_id_ = 1;
};

}  // namespace postern::smtpd
