// Closing descriptors on a worker thread (see background_closer.hpp).
#include "lib/base/background_closer.hpp"

#include <utility>

namespace postern {

BackgroundCloser::~BackgroundCloser() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void BackgroundCloser::close_later(UniqueFd fd) {
  if (!fd) return;
  {
    std::lock_guard lock(mu_);
    waiting_.push_back(std::move(fd));
    if (!worker_.joinable()) worker_ = std::thread([this] { run(); });
  }
  wake_.notify_one();
}

void BackgroundCloser::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and everything is closed
    UniqueFd fd = std::move(waiting_.front());
    waiting_.pop_front();
    lock.unlock();
    fd.reset();  // the slow part, outside the lock
    lock.lock();
  }
}

}  // namespace postern
