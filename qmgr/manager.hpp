// The queue manager's work: crash recovery at start (active -> incoming),
// queue runs (incoming, then deferred files whose retry time has come, or
// all of them on a flush), and the life of each message in active/:
// resolve each pending recipient, hand local ones to local agents (several
// at once, within the transport's process limit and the per-recipient
// concurrency limit), mark finished recipients done in place, return
// failures to the sender, then remove the file or defer it with backoff.
// Runs in qmgr (mail_owner).
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/background_closer.hpp"
#include "lib/bounce/dsn_message.hpp"
#include "lib/ipc/delivery_proto.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_reader.hpp"
#include "qmgr/qmgr_params.hpp"
#include "qmgr/resolve.hpp"

namespace postern::qmgr {

class QueueManager {
 public:
  explicit QueueManager(QmgrParams params) : p_(std::move(params)), router_(p_) {}
  QueueManager(const QueueManager&) = delete;
  QueueManager& operator=(const QueueManager&) = delete;

  // Files left in active/ by a crash go back to incoming/ (their done
  // recipients stay done, so nothing finished is delivered again).
  void recover();
  // Trigger bytes: 'A' new mail, 'W' master's wakeup, 'F' flush (postqueue
  // -f), "" the start-up call. Runs the queue.
  void on_trigger(std::string_view requests);
  // A periodic run (queue_run_delay).
  void run_queue();

  struct Failure {
    std::size_t index;  // recipient index in the envelope
    ipc::FailedAddress failed;
  };
  struct Deferral {
    std::size_t index;
    std::string address;
    std::string dsn;
    std::string reason;
  };
  // One message in active/ while its recipients are being delivered.
  struct Active {
    std::string id;
    std::unique_ptr<queue::QueueReader> reader;
    double active_time = 0;
    bool expired = false;
    std::size_t outstanding = 0;  // recipients handed to agents, not answered yet
    std::vector<Failure> failures;
    std::vector<std::size_t> delivered;  // sent, for NOTIFY=SUCCESS
    std::vector<std::size_t> finished;   // to mark done without a bounce
    std::vector<Deferral> deferrals;
  };
  // A delivery waiting for, or holding, an agent connection.
  struct Job {
    std::size_t message;  // key in Batch::messages
    std::size_t recipient;
    std::string transport;  // master.cf service: private/<transport>
    std::string nexthop;    // "" for local
  };
  // The messages in active/ that are being delivered, and the jobs begin()
  // made for them that the dispatch loop has not scheduled yet.
  struct Batch {
    std::map<std::size_t, Active> messages;
    std::size_t next_key = 0;
    std::deque<Job> jobs;
  };

 private:
  // Opens the file in active/, logs "queue active", resolves each pending
  // recipient, settles discarded and unroutable ones and queues the rest as
  // jobs for their transport.
  bool begin(const std::string& id, Batch& batch);
  // Runs the jobs with the concurrency limits (scheduler.hpp); calls
  // finish() for each message as its last answer comes in. While it runs,
  // `intake` (may be empty) is called whenever the batch has room, to take
  // in mail that arrived meanwhile, so that delivery never waits for the
  // batch to end. Returns when nothing is queued or in flight.
  void dispatch(Batch& batch, const std::function<void(Batch&)>& intake);
  // finish() and forget the message: every recipient has been answered.
  void finish_and_drop(Batch& batch, std::size_t key);
  void settle_reply(Active& message, std::size_t index, const Result<ipc::DeliveryReply>& reply);
  void defer_recipient(Active& message, std::size_t index, const std::string& relay, const std::string& dsn,
                       const std::string& reason, bool log_it);
  void finish(Active& message);
  // One request for a group of jobs of `message` (same transport and next hop).
  ipc::DeliveryRequest make_request(const Active& message, const std::vector<Job>& group) const;

  // The fields every notice about message `id` carries (kind, ids, arrival, now).
  bounce::DsnInput dsn_input(bounce::DsnKind kind, const queue::Envelope& env, const std::string& id) const;
  bool send_bounce(const queue::QueueReader& reader, const std::string& id, const std::vector<Failure>& failures);
  void send_success(const queue::QueueReader& reader, const std::string& id, const std::vector<std::size_t>& delivered);
  void defer_file(const std::string& id, const queue::Envelope& env);
  void remove_file(const std::string& id);
  // defer/ID: the reasons mailq shows, and whether a delay warning went out.
  void write_defer_log(const std::string& id, const std::vector<Deferral>& deferrals, bool warned);
  bool delay_warning_sent(const std::string& id) const;
  // notify_classes "delay": a headers-only copy of a delay warning to
  // delay_notice_recipient, from the double-bounce sender (notify.cpp).
  void copy_delay_to_postmaster(bounce::DsnInput in, const std::string& id);
  void send_delay_warning(const queue::QueueReader& reader, const std::string& id,
                          const std::vector<Deferral>& deferrals);

  QmgrParams p_;
  Router router_;  // refers to p_
  // Closing a removed queue file frees its blocks, which can wait for the
  // disk (online discard): done off the delivery loop.
  BackgroundCloser closer_;
  queue::QueueIdGenerator ids_;
  bool flush_ = false;
  bool running_ = false;
};

}  // namespace postern::qmgr
