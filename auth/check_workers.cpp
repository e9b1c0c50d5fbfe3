// The auth daemon's check threads (see the header).
#include "auth/check_workers.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "lib/log/log.hpp"

namespace postern::authd {

CheckWorkers::CheckWorkers(net::EventLoop& loop, const auth::AuthEngine& engine, unsigned max_threads, Done done)
    : engine_(engine), max_threads_(max_threads ? max_threads : 1), done_(std::move(done)) {
  wake_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!wake_) throw std::system_error(errno, std::generic_category(), "eventfd");
  watcher_ = net::Watcher::readable(loop, wake_.get(), [this] { on_results(); });
  watcher_.enable();
}

CheckWorkers::~CheckWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    tasks_.clear();
  }
  ready_.notify_all();
  for (auto& t : threads_) t.join();
}

void CheckWorkers::submit(std::uint64_t ticket, std::unique_ptr<auth::PendingCheck> job) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back({ticket, std::move(job)});
    // Another thread only when every one is busy: a quiet daemon keeps one.
    if (idle_ < tasks_.size() && threads_.size() < max_threads_) threads_.emplace_back([this] { run(); });
  }
  ready_.notify_one();
}

void CheckWorkers::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    ready_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    --idle_;
    if (stopping_) return;
    Task task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    auth::ChainResult result = engine_.check(*task.job);
    task.job.reset();
    lock.lock();
    results_.push_back({task.ticket, result});
    const std::uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0 && errno != EAGAIN)
      log::warning("auth worker: eventfd: %m");
  }
}

void CheckWorkers::on_results() {
  std::uint64_t count = 0;
  (void)!::read(wake_.get(), &count, sizeof count);
  std::vector<Result> results;
  {
    std::lock_guard lock(mutex_);
    results.swap(results_);
  }
  for (const auto& r : results) done_(r.ticket, r.result);
}

}  // namespace postern::authd
