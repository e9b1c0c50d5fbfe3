// Queue-file fsyncs off the event loop. One smtpd process serves many
// sessions on one loop; fsyncing each message's queue file there made every
// session wait for the others' disk flushes one after another. Here a few
// worker threads run PendingCommit::sync(), so several fsyncs are in flight
// at once (the file system merges them into one journal commit, as it does
// for Postfix's cleanup processes) and the loop keeps serving. Each result
// comes back to the loop through an eventfd; the callback, not the worker,
// logs and replies. A session waiting for its commit reads no input. In
// smtpd, as mail_owner.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/base/unique_fd.hpp"
#include "lib/cleanup/cleanup.hpp"
#include "lib/net/watcher.hpp"

namespace postern::smtpd {

class CommitPool {
 public:
  // Runs on the loop with the outcome (250 with the queue ID, or 452 4.3.1).
  using Done = std::function<void(cleanup::Outcome)>;

  // Workers start on demand, up to max_threads.
  CommitPool(net::EventLoop& loop, std::size_t max_threads);
  // Commits already handed over are still fsynced (their files complete on
  // disk); their callbacks no longer run.
  ~CommitPool();
  CommitPool(const CommitPool&) = delete;
  CommitPool& operator=(const CommitPool&) = delete;

  // `commit` must need a sync (PendingCommit::needs_sync()).
  void submit(cleanup::PendingCommit commit, Done done);

  // Commits handed over whose callback has not run yet.
  std::size_t in_flight() const { return in_flight_; }

  static constexpr std::size_t kDefaultThreads = 16;

 private:
  struct Job {
    cleanup::PendingCommit commit;
    Done done;
  };
  void work(std::stop_token stop);
  void collect();  // on the loop: run the callbacks of finished jobs

  UniqueFd wake_;  // eventfd: workers → loop
  net::Watcher wake_watch_;
  std::size_t max_threads_;
  std::size_t in_flight_ = 0;  // loop thread only

  std::mutex mutex_;
  std::condition_variable_any ready_;
  std::deque<Job> queued_;
  std::deque<Job> finished_;
  std::size_t idle_ = 0;  // workers waiting for a job (under mutex_)
  std::vector<std::jthread> workers_;  // last: joined before the members they use go
};

}  // namespace postern::smtpd
