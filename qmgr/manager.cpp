// Queue runs and the life of one message in active/ (see manager.hpp).
// Runs in qmgr (mail_owner).
#include "qmgr/manager.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <utility>

#include "lib/base/strings.hpp"
#include "lib/bounce/status_log.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue/queue_writer.hpp"
#include "qmgr/resolve.hpp"

namespace postern::qmgr {

namespace {

double arrival_of(const queue::Envelope& env) {
  return static_cast<double>(env.arrival_seconds) + env.arrival_microseconds / 1e6;
}

}  // namespace

void QueueManager::recover() {
  auto files = queue::scan_folder(p_.layout, queue::kActive);
  if (!files) {
    log::warning("scan active: %s", files.error().message.c_str());
    return;
  }
  for (const auto& f : *files) {
    if (auto ok = queue::move_queue_file(p_.layout, f.id, queue::kActive, queue::kIncoming); !ok) {
      log::warning("%s: requeue from active: %s", f.id.c_str(), ok.error().message.c_str());
    }
  }
}

void QueueManager::on_trigger(std::string_view requests) {
  if (requests.find('F') != std::string_view::npos) flush_ = true;
  run_queue();
}

void QueueManager::run_queue() {
  if (running_) return;
  running_ = true;
  // Incoming first, again and again while new mail arrives (local forwards
  // and bounces land there too), then the deferred files that are due.
  for (int round = 0; round < 100; ++round) {
    auto incoming = queue::scan_folder(p_.layout, queue::kIncoming);
    if (!incoming || incoming->empty()) break;
    for (const auto& f : *incoming) {
      if (!queue::move_queue_file(p_.layout, f.id, queue::kIncoming, queue::kActive)) continue;
      process(f.id);
    }
  }
  auto deferred = queue::scan_folder(p_.layout, queue::kDeferred);
  const bool flush = std::exchange(flush_, false);
  const time_t now = ::time(nullptr);
  if (deferred) {
    for (const auto& f : *deferred) {
      struct stat st{};
      if (::stat(f.path.c_str(), &st) != 0) continue;
      // The file's mtime is its next retry time (set by defer_file), as in Postfix.
      if (!flush && st.st_mtime > now) continue;
      if (!queue::move_queue_file(p_.layout, f.id, queue::kDeferred, queue::kActive)) continue;
      process(f.id);
    }
  }
  running_ = false;
}

void QueueManager::process(const std::string& id) {
  const std::string path = p_.layout.file_path(queue::kActive, id);
  auto reader = queue::QueueReader::open(path);
  if (!reader) {
    if (reader.error().sys_errno == ENOENT) return;
    log::warning("%s: %s; moved to corrupt", id.c_str(), reader.error().message.c_str());
    (void)queue::move_queue_file(p_.layout, id, queue::kActive, queue::kCorrupt);
    return;
  }
  const queue::Envelope& env = reader->envelope();
  const double active_time = bounce::now_seconds();
  std::size_t pending = 0;
  for (const auto& r : env.recipients) pending += r.done ? 0 : 1;
  log::info("%s: from=<%s>, size=%llu, nrcpt=%zu (queue active)", id.c_str(), env.sender.c_str(),
            static_cast<unsigned long long>(reader->file().content_size), pending);

  deferrals_.clear();
  const bool null_sender = env.sender.empty();
  const double lifetime = static_cast<double>(null_sender ? p_.bounce_queue_lifetime : p_.maximal_queue_lifetime);
  const bool expired = active_time - arrival_of(env) > lifetime;
  std::vector<Failure> failures;
  std::vector<std::size_t> delivered;
  std::vector<std::size_t> finished;  // done without a bounce (sent, discarded)
  bool any_deferred = false;
  for (std::size_t i = 0; i < env.recipients.size(); ++i) {
    const auto& r = env.recipients[i];
    if (r.done) continue;
    Route route = resolve(p_, r.address);
    std::string dsn, reason, relay = "none";
    bool deferred = false;
    if (route == Route::discard) {
      bounce::StatusLine line{id, r.address, "", "none", {arrival_of(env), active_time, active_time, active_time, bounce::now_seconds()},
                              "2.0.0", "discarded", "mail to the double-bounce address is discarded"};
      log::info("%s", bounce::format_status(line).c_str());
      finished.push_back(i);
      continue;
    }
    if (route == Route::remote) {
      // Until the smtp transport exists, remote mail waits in deferred/.
      deferred = true;
      dsn = "4.3.0";
      reason = "mail transport unavailable: no smtp transport in this Postern version";
      log_deferred(id, env, r, active_time, relay, dsn, reason);
      deferrals_.push_back({i, r.address, dsn, reason});
    } else {
      std::size_t before = failures.size();
      bool ok = deliver_local(*reader, id, i, active_time, failures, delivered);
      if (!ok) {
        deferred = true;
      } else if (failures.size() == before) {
        finished.push_back(i);
      }
    }
    if (deferred && expired) {
      failures.push_back({i, {r.address, "4.4.7", "message delivery time limit exceeded"}});
      bounce::StatusLine line{id, r.address, "", relay, {arrival_of(env), active_time, active_time, active_time, bounce::now_seconds()},
                              "4.4.7", "expired", "returned to sender"};
      log::info("%s", bounce::format_status(line).c_str());
      continue;
    }
    if (deferred) any_deferred = true;
  }
  for (std::size_t i : finished) {
    if (auto ok = queue::mark_recipient_done(path, env.recipients[i]); !ok) {
      log::warning("%s: mark done: %s", id.c_str(), ok.error().message.c_str());
      any_deferred = true;
    }
  }
  if (!delivered.empty()) send_success(*reader, id, delivered);
  if (!failures.empty()) {
    if (send_bounce(*reader, id, failures)) {
      for (const auto& f : failures) {
        if (!queue::mark_recipient_done(path, env.recipients[f.index])) any_deferred = true;
      }
    } else {
      any_deferred = true;
    }
  }
  if (any_deferred) {
    bool warned = delay_warning_sent(id);
    if (!warned && p_.delay_warning_time > 0 && !null_sender &&
        active_time - arrival_of(env) > static_cast<double>(p_.delay_warning_time) && !deferrals_.empty()) {
      send_delay_warning(*reader, id);
      warned = true;
    }
    write_defer_log(id, warned);
    defer_file(id, env);
  } else {
    ::unlink(p_.layout.file_path(queue::kDefer, id).c_str());
    remove_file(id);
  }
}

bool QueueManager::deliver_local(const queue::QueueReader& reader, const std::string& id, std::size_t index,
                                 double active_time, std::vector<Failure>& failures,
                                 std::vector<std::size_t>& delivered) {
  const queue::Envelope& env = reader.envelope();
  const queue::Recipient& r = env.recipients[index];
  ipc::DeliveryRequest request;
  request.queue_id = id;
  request.queue_path = reader.path();
  request.sender = env.sender;
  request.recipient = r.address;
  std::string orig = r.orcpt;
  if (auto semi = orig.find(';'); semi != std::string::npos) orig = orig.substr(semi + 1);
  request.orig_rcpt = orig.empty() ? r.address : orig;
  request.recipient_offset = r.done_offset;
  request.arrival = arrival_of(env);
  request.active_time = active_time;
  request.request_time = bounce::now_seconds();
  const std::string socket = p_.layout.queue_directory + "/private/" + p_.local_transport;
  auto reply = ipc::deliver(socket, request, p_.ipc_timeout);
  if (!reply) {
    // The agent never answered (not running, crashed, timed out): the
    // recipient stays pending; a crash after delivery means at most a duplicate.
    log_deferred(id, env, r, active_time, "none", "4.3.0",
                 "delivery temporarily suspended: " + reply.error().message);
    deferrals_.push_back({index, r.address, "4.3.0", "delivery temporarily suspended: " + reply.error().message});
    return false;
  }
  // A partly deferred recipient is retried whole: its failures are
  // reported when it is finally done, so it is never marked done early.
  if (reply->deferred) {
    deferrals_.push_back({index, r.address, reply->dsn, reply->reason});
    return false;
  }
  for (const auto& f : reply->failed) failures.push_back({index, f});
  if (reply->failed.empty()) delivered.push_back(index);
  return true;
}

void QueueManager::log_deferred(const std::string& id, const queue::Envelope& env, const queue::Recipient& r,
                                double active_time, const std::string& relay, const std::string& dsn,
                                const std::string& reason) {
  double now = bounce::now_seconds();
  bounce::StatusLine line{id, r.address, "", relay, {arrival_of(env), active_time, now, now, now}, dsn, "deferred", reason};
  log::info("%s", bounce::format_status(line).c_str());
}

void QueueManager::defer_file(const std::string& id, const queue::Envelope& env) {
  if (auto ok = queue::move_queue_file(p_.layout, id, queue::kActive, queue::kDeferred); !ok) {
    log::warning("%s: move to deferred: %s", id.c_str(), ok.error().message.c_str());
    return;
  }
  // Backoff grows with the message's age, between the two bounds.
  const time_t now = ::time(nullptr);
  long long delay = static_cast<long long>(now - env.arrival_seconds);
  if (delay < p_.minimal_backoff) delay = p_.minimal_backoff;
  if (delay > p_.maximal_backoff) delay = p_.maximal_backoff;
  struct timespec times[2];
  times[0].tv_sec = now + delay;
  times[0].tv_nsec = 0;
  times[1] = times[0];
  const std::string path = p_.layout.file_path(queue::kDeferred, id);
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) log::warning("%s: set retry time: %m", id.c_str());
}

void QueueManager::remove_file(const std::string& id) {
  const std::string path = p_.layout.file_path(queue::kActive, id);
  if (::unlink(path.c_str()) != 0) {
    log::warning("%s: remove %s: %m", id.c_str(), path.c_str());
    return;
  }
  (void)queue::fsync_directory(p_.layout.dir_path(queue::kActive, id));
  log::info("%s: removed", id.c_str());
}

}  // namespace postern::qmgr
