// Postmaster notices through a worker thread (see notice_sender.hpp). In
// smtpd, as mail_owner. The worker touches only its own queue ID generator,
// the job list (under the mutex) and the log.
#include "smtpd/notice_sender.hpp"

#include <utility>

#include "lib/bounce/notice_queue.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue_tools/trigger.hpp"

namespace postern::smtpd {

NoticeSender::NoticeSender(queue::QueueLayout layout, std::string sender)
    : layout_(std::move(layout)), sender_(std::move(sender)) {}

NoticeSender::~NoticeSender() {
  if (worker_.joinable()) {
    worker_.request_stop();
    ready_.notify_all();
    worker_.join();
  }
}

void NoticeSender::submit(std::string to, std::string text, std::string about) {
  {
    std::lock_guard lock(mutex_);
    if (jobs_.size() >= kMaxPending) {
      log::warning("postmaster notification about %s dropped: %zu notifications still being written",
                   about.c_str(), jobs_.size());
      return;
    }
    jobs_.push_back(Job{std::move(to), std::move(text), std::move(about)});
  }
  if (!worker_.joinable()) worker_ = std::jthread([this](std::stop_token stop) { run(stop); });
  ready_.notify_one();
}

void NoticeSender::run(std::stop_token stop) {
  queue::QueueIdGenerator ids;  // this thread's own; O_EXCL settles a clash with the loop's
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      // On stop, what is queued is still written: the sessions already ended.
      ready_.wait(lock, stop, [this] { return !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    auto id = bounce::enqueue_notice(layout_, ids, sender_, job.to, job.text);
    if (!id) {
      log::warning("cannot write postmaster notification about %s: %s", job.about.c_str(),
                   id.error().message.c_str());
      continue;
    }
    log::info("%s: postmaster notification: %s, to=<%s>", id->c_str(), job.about.c_str(), job.to.c_str());
    (void)queue_tools::send_trigger(layout_.queue_directory + "/public/qmgr",
                                    std::string_view(&queue_tools::kQmgrScanIncoming, 1));
  }
}

}  // namespace postern::smtpd
