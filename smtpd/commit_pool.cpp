// CommitPool (see commit_pool.hpp). In smtpd, as mail_owner. Workers touch
// only the job they hold, the two job lists (under the mutex) and the
// eventfd; they never log and never touch the loop.
#include "smtpd/commit_pool.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "lib/base/sys_error.hpp"
#include "lib/log/log.hpp"

namespace postern::smtpd {

CommitPool::CommitPool(net::EventLoop& loop, std::size_t max_threads)
    : max_threads_(max_threads == 0 ? 1 : max_threads) {
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) log::fatal("%s", sys_error("eventfd").message.c_str());
  wake_watch_ = net::Watcher::readable(loop, wake_.get(), [this] { collect(); });
  wake_watch_.enable();
}

CommitPool::~CommitPool() {
  for (auto& w : workers_) w.request_stop();
  ready_.notify_all();
  workers_.clear();  // joins; queued jobs are synced first (see work())
}

void CommitPool::submit(cleanup::PendingCommit commit, Done done) {
  ++in_flight_;
  bool start_worker = false;
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(Job{std::move(commit), std::move(done)});
    // One more thread only when every one is busy: as many fsyncs in
    // flight as sessions waiting for one, up to the bound.
    start_worker = idle_ < queued_.size() && workers_.size() < max_threads_;
    if (start_worker) workers_.emplace_back([this](std::stop_token stop) { work(stop); });
  }
  if (!start_worker) ready_.notify_one();
}

void CommitPool::work(std::stop_token stop) {
  for (;;) {
    Job job{cleanup::PendingCommit(cleanup::Outcome{}), nullptr};
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      // On stop, what is queued is still synced: a sealed file is better
      // made durable than left to the next start's cleanup.
      ready_.wait(lock, stop, [this] { return !queued_.empty(); });
      --idle_;
      if (queued_.empty()) return;
      job = std::move(queued_.front());
      queued_.pop_front();
    }
    job.commit.sync();
    {
      std::lock_guard lock(mutex_);
      finished_.push_back(std::move(job));
    }
    const std::uint64_t one = 1;
    // Cannot fail short of a bad descriptor; EAGAIN means the counter is
    // already nonzero, so the loop wakes anyway.
    (void)!::write(wake_.get(), &one, sizeof one);
  }
}

void CommitPool::collect() {
  std::uint64_t count = 0;
  (void)!::read(wake_.get(), &count, sizeof count);
  std::deque<Job> done;
  {
    std::lock_guard lock(mutex_);
    done.swap(finished_);
  }
  for (auto& job : done) {
    --in_flight_;
    cleanup::Outcome out = job.commit.outcome();
    if (job.done) job.done(std::move(out));
  }
}

}  // namespace postern::smtpd
