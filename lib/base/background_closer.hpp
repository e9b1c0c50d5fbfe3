// Closing descriptors on a worker thread. Closing the last descriptor of a
// file that was already unlinked frees its blocks there and then; on a file
// system mounted with online discard that waits for the device (about
// 0.4 ms per queue file on the benchmark machine), which qmgr paid between
// two replies of its delivery agents. Only the freeing moves: the unlink has
// happened, so nothing about the queue's state waits for the worker. Any
// process; the thread starts with the first descriptor.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "lib/base/unique_fd.hpp"

namespace postern {

class BackgroundCloser {
 public:
  BackgroundCloser() = default;
  // Closes whatever is still waiting, then ends the thread.
  ~BackgroundCloser();
  BackgroundCloser(const BackgroundCloser&) = delete;
  BackgroundCloser& operator=(const BackgroundCloser&) = delete;

  void close_later(UniqueFd fd);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<UniqueFd> waiting_;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace postern
