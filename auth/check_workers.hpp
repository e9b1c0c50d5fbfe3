// Password checks off the event loop, as Dovecot's auth-worker processes do:
// a PAM stack that takes seconds (pam_faildelay, an LDAP or RADIUS module)
// or an expensive crypt() must not stall the daemon's other clients. A few
// threads run AuthEngine::check(); results come back to the loop through an
// eventfd and are handed to `done` there. Threads are started on demand up
// to `max_threads` (Dovecot's service auth-worker process_limit).
// Runs in the auth daemon (root when shadow/pam need it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/auth/auth_engine.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/net/watcher.hpp"

namespace postern::authd {

class CheckWorkers {
 public:
  using Done = std::function<void(std::uint64_t ticket, const auth::ChainResult& result)>;

  // `engine` must outlive this object. Throws std::system_error when the
  // eventfd cannot be made (start-up only).
  CheckWorkers(net::EventLoop& loop, const auth::AuthEngine& engine, unsigned max_threads, Done done);
  ~CheckWorkers();  // finishes the checks under way, drops queued ones, joins
  CheckWorkers(const CheckWorkers&) = delete;
  CheckWorkers& operator=(const CheckWorkers&) = delete;

  void submit(std::uint64_t ticket, std::unique_ptr<auth::PendingCheck> job);

 private:
  struct Task {
    std::uint64_t ticket;
    std::unique_ptr<auth::PendingCheck> job;
  };
  struct Result {
    std::uint64_t ticket;
    auth::ChainResult result;
  };
  void run();
  void on_results();

  const auth::AuthEngine& engine_;
  unsigned max_threads_;
  Done done_;
  UniqueFd wake_;  // eventfd: a worker finished something
  net::Watcher watcher_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Task> tasks_;
  std::vector<Result> results_;
  unsigned idle_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace postern::authd
