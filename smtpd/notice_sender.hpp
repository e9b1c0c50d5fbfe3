// Postmaster notices from smtpd (notify_classes transcripts) enter the queue
// from a worker thread, so the fsyncs of a new queue file never stall the
// event loop and the other sessions on it. Bounded: when notices pile up
// faster than the disk takes them, the excess is logged and dropped (a
// notice is advice to the postmaster, never mail someone sent). The worker
// starts with the first notice; the destructor writes what is pending and
// joins. In smtpd, as mail_owner.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "lib/queue/queue_layout.hpp"

namespace postern::smtpd {

class NoticeSender {
 public:
  // `sender` is the envelope sender of every notice (the double-bounce
  // address: a notice that cannot be delivered is discarded, never answered).
  NoticeSender(queue::QueueLayout layout, std::string sender);
  ~NoticeSender();
  NoticeSender(const NoticeSender&) = delete;
  NoticeSender& operator=(const NoticeSender&) = delete;

  // Queues one notice for `to`; `about` names it in the log ("errors from host[addr]").
  // Never blocks on the disk.
  void submit(std::string to, std::string text, std::string about);

  static constexpr std::size_t kMaxPending = 64;

 private:
  struct Job {
    std::string to, text, about;
  };
  void run(std::stop_token stop);

  queue::QueueLayout layout_;
  std::string sender_;
  std::mutex mutex_;
  std::condition_variable_any ready_;
  std::deque<Job> jobs_;
  std::jthread worker_;  // last: stopped and joined before the members it uses go
};

}  // namespace postern::smtpd
