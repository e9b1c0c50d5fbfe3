// The queue manager's work: crash recovery at start (active -> incoming),
// queue runs (incoming, then deferred files whose retry time has come, or
// all of them on a flush), and the life of one message in active/: resolve
// each pending recipient, hand local ones to the local delivery agent,
// mark finished recipients done in place, return failures to the sender,
// then remove the file or defer it with backoff. Runs in qmgr (mail_owner).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/ipc/delivery_proto.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_reader.hpp"
#include "qmgr/qmgr_params.hpp"

namespace postern::qmgr {

class QueueManager {
 public:
  explicit QueueManager(QmgrParams params) : p_(std::move(params)) {}

  // Files left in active/ by a crash go back to incoming/ (their done
  // recipients stay done, so nothing finished is delivered again).
  void recover();
  // Trigger bytes: 'A' new mail, 'W' master wakeup, 'F' flush (postqueue -f),
  // "" the start-up call. Runs the queue.
  void on_trigger(std::string_view requests);
  // A periodic run (queue_run_delay).
  void run_queue();

 private:
  struct Failure {
    std::size_t index;  // recipient index in the envelope
    ipc::FailedAddress failed;
  };
  void process(const std::string& id);
  bool deliver_local(const queue::QueueReader& reader, const std::string& id, std::size_t index,
                     double active_time, std::vector<Failure>& failures, std::vector<std::size_t>& successes);
  void log_deferred(const std::string& id, const queue::Envelope& env, const queue::Recipient& r,
                    double active_time, const std::string& relay, const std::string& dsn, const std::string& reason);
  // Writes the notification(s); true when the failures may be marked done.
  bool send_bounce(const queue::QueueReader& reader, const std::string& id, const std::vector<Failure>& failures);
  void send_success(const queue::QueueReader& reader, const std::string& id, const std::vector<std::size_t>& delivered);
  void defer_file(const std::string& id, const queue::Envelope& env);
  // defer/ID: the reasons mailq shows, and whether a delay warning went out.
  void write_defer_log(const std::string& id, bool warned);
  bool delay_warning_sent(const std::string& id) const;
  void send_delay_warning(const queue::QueueReader& reader, const std::string& id);
  void remove_file(const std::string& id);

  struct Deferral {
    std::size_t index;
    std::string address;
    std::string dsn;
    std::string reason;
  };
  std::vector<Deferral> deferrals_;  // of the message being processed
  QmgrParams p_;
  queue::QueueIdGenerator ids_;
  bool flush_ = false;
  bool running_ = false;
};

}  // namespace postern::qmgr
