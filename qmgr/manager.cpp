// Queue runs and the life of one message in active/ (see manager.hpp); the
// concurrent delivery loop is in dispatch.cpp. Runs in qmgr (mail_owner).
#include "qmgr/manager.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <utility>

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
  // Each message in a batch holds its queue file open until it is finished.
  std::size_t batch_limit = static_cast<std::size_t>(p_.message_active_limit > 0 ? p_.message_active_limit : 1);
  if (batch_limit > 500) batch_limit = 500;
  // Incoming first, taking in what arrives meanwhile (local forwards and
  // bounces land there too) while the batch has room, up to a bound so that
  // a steady stream cannot keep the deferred files from their turn.
  std::size_t intake_left = 100 * batch_limit;
  auto take_incoming = [&](Batch& batch) {
    if (intake_left == 0 || batch.messages.size() >= batch_limit) return;
    auto incoming = queue::scan_folder(p_.layout, queue::kIncoming);
    if (!incoming) return;
    for (const auto& f : *incoming) {
      if (batch.messages.size() >= batch_limit || intake_left == 0) break;
      if (!queue::move_queue_file(p_.layout, f.id, queue::kIncoming, queue::kActive)) continue;
      --intake_left;
      begin(f.id, batch);
    }
  };
  {
    Batch batch;
    take_incoming(batch);
    dispatch(batch, take_incoming);
  }
  // The deferred files that are due (all of them on a flush), batch by batch.
  const bool flush = std::exchange(flush_, false);
  const time_t now = ::time(nullptr);
  if (auto deferred = queue::scan_folder(p_.layout, queue::kDeferred); deferred) {
    Batch batch;
    for (const auto& f : *deferred) {
      struct stat st{};
      if (::stat(f.path.c_str(), &st) != 0) continue;
      // The file's mtime is its next retry time (set by defer_file), as in Postfix.
      if (!flush && st.st_mtime > now) continue;
      if (batch.messages.size() >= batch_limit) dispatch(batch, {});
      if (!queue::move_queue_file(p_.layout, f.id, queue::kDeferred, queue::kActive)) continue;
      begin(f.id, batch);
    }
    dispatch(batch, {});
  }
  running_ = false;
}

bool QueueManager::begin(const std::string& id, Batch& batch) {
  const std::string path = p_.layout.file_path(queue::kActive, id);
  auto reader = queue::QueueReader::open(path);
  if (!reader) {
    if (reader.error().sys_errno == ENOENT) return false;
    log::warning("%s: %s; moved to corrupt", id.c_str(), reader.error().message.c_str());
    (void)queue::move_queue_file(p_.layout, id, queue::kActive, queue::kCorrupt);
    return false;
  }
  Active m;
  m.id = id;
  m.reader = std::make_unique<queue::QueueReader>(std::move(*reader));
  const queue::Envelope& env = m.reader->envelope();
  m.active_time = bounce::now_seconds();
  std::size_t pending = 0;
  for (const auto& r : env.recipients) pending += r.done ? 0 : 1;
  log::info("%s: from=<%s>, size=%llu, nrcpt=%zu (queue active)", id.c_str(), env.sender.c_str(),
            static_cast<unsigned long long>(m.reader->file().content_size), pending);
  const double lifetime = static_cast<double>(env.sender.empty() ? p_.bounce_queue_lifetime : p_.maximal_queue_lifetime);
  m.expired = m.active_time - arrival_of(env) > lifetime;
  // postsuper -e/-f: returned to the sender at this attempt, nothing delivered.
  const bool force_expired = m.reader->force_expired();
  m.expired = m.expired || force_expired;
  // content_filter / FILTER: every recipient goes to the filter, which
  // re-injects the message (without a filter) for normal routing.
  std::optional<Resolution> filter;
  for (const auto& [name, value] : env.attributes.extra)
    if (name == queue::kFilterAttribute) filter = resolve_filter(p_, value);
  const std::size_t key = batch.next_key++;
  Active& added = batch.messages.emplace(key, std::move(m)).first->second;
  for (std::size_t i = 0; i < env.recipients.size(); ++i) {
    const auto& r = env.recipients[i];
    if (r.done) continue;
    if (force_expired) {
      static const std::string kReason = "message is administratively expired";
      double now = bounce::now_seconds();
      bounce::StatusLine line{id, r.address, "", "none", {arrival_of(env), added.active_time, now, now, now},
                              "4.7.0", "expired", kReason};
      log::info("%s", bounce::format_status(line).c_str());
      added.failures.push_back({i, {r.address, "4.7.0", kReason}});
      continue;
    }
    Resolution route = filter ? *filter : router_.resolve(r.address);
    if (route.route == Route::discard) {
      double now = bounce::now_seconds();
      bounce::StatusLine line{id, r.address, "", "none", {arrival_of(env), added.active_time, now, now, now},
                              "2.0.0", "discarded", route.reason};
      log::info("%s", bounce::format_status(line).c_str());
      added.finished.push_back(i);
    } else if (route.route == Route::defer) {
      defer_recipient(added, i, "none", route.dsn, route.reason, true);
    } else if (route.route == Route::bounce) {
      double now = bounce::now_seconds();
      bounce::StatusLine line{id, r.address, "", "none", {arrival_of(env), added.active_time, now, now, now},
                              route.dsn, "bounced", route.reason};
      log::info("%s", bounce::format_status(line).c_str());
      added.failures.push_back({i, {r.address, route.dsn, route.reason}});
    } else {
      batch.jobs.push_back({key, i, route.transport, route.route == Route::local ? "" : route.nexthop});
      ++added.outstanding;
    }
  }
  if (added.outstanding == 0) finish_and_drop(batch, key);
  return true;
}

void QueueManager::finish_and_drop(Batch& batch, std::size_t key) {
  auto it = batch.messages.find(key);
  if (it == batch.messages.end()) return;
  finish(it->second);
  // The queue file is closed now, so a batch never holds many descriptors.
  if (it->second.reader) closer_.close_later(it->second.reader->take_fd());
  batch.messages.erase(it);
}

void QueueManager::defer_recipient(Active& m, std::size_t index, const std::string& relay, const std::string& dsn,
                                   const std::string& reason, bool log_it) {
  const queue::Envelope& env = m.reader->envelope();
  const auto& r = env.recipients[index];
  double now = bounce::now_seconds();
  if (m.expired) {
    // Past maximal_queue_lifetime: the sender gets it back with the last reason.
    m.failures.push_back({index, {r.address, "4.4.7", "message delivery time limit exceeded; last reason: " + reason}});
    bounce::StatusLine line{m.id, r.address, "", relay, {arrival_of(env), m.active_time, now, now, now}, dsn,
                            "expired", "returned to sender: " + reason};
    log::info("%s", bounce::format_status(line).c_str());
    return;
  }
  if (log_it) {
    bounce::StatusLine line{m.id, r.address, "", relay, {arrival_of(env), m.active_time, now, now, now}, dsn,
                            "deferred", reason};
    log::info("%s", bounce::format_status(line).c_str());
  }
  m.deferrals.push_back({index, r.address, dsn, reason});
}

ipc::DeliveryRequest QueueManager::make_request(const Active& m, const std::vector<Job>& group) const {
  const queue::Envelope& env = m.reader->envelope();
  ipc::DeliveryRequest request;
  request.queue_id = m.id;
  request.queue_path = m.reader->path();
  request.sender = env.sender;
  for (const Job& job : group) {
    const queue::Recipient& r = env.recipients[job.recipient];
    std::string orig = r.orcpt;
    if (auto semi = orig.find(';'); semi != std::string::npos) orig = orig.substr(semi + 1);
    ipc::RequestRecipient rcpt{r.address, orig.empty() ? r.address : orig, r.done_offset};
    if (&job == &group.front()) {
      request.recipient = std::move(rcpt.address);
      request.orig_rcpt = std::move(rcpt.orig_rcpt);
      request.recipient_offset = rcpt.offset;
    } else {
      request.more_recipients.push_back(std::move(rcpt));
    }
  }
  request.nexthop = group.front().nexthop;
  request.arrival = arrival_of(env);
  request.active_time = m.active_time;
  request.request_time = bounce::now_seconds();
  return request;
}

void QueueManager::settle_reply(Active& m, std::size_t index, const Result<ipc::DeliveryReply>& reply) {
  if (!reply) {
    // The agent never answered (not running, crashed, timed out): the
    // recipient stays pending; a crash after delivery means at most a duplicate.
    return defer_recipient(m, index, "none", "4.3.0", "delivery temporarily suspended: " + reply.error().message, true);
  }
  if (!reply->results.empty()) {
    // A multi-recipient reply (smtp, lmtp): this recipient's own outcome,
    // already logged by the agent.
    const queue::Recipient& r = m.reader->envelope().recipients[index];
    for (const auto& res : reply->results) {
      if (res.offset != r.done_offset) continue;
      switch (res.status) {
        case ipc::RecipientResult::Status::sent:
          m.delivered.push_back(index);
          m.finished.push_back(index);
          return;
        case ipc::RecipientResult::Status::bounced:
          m.failures.push_back({index, {r.address, res.dsn, res.reason}});
          return;
        case ipc::RecipientResult::Status::deferred:
          return defer_recipient(m, index, "none", res.dsn, res.reason, false);
      }
    }
    return defer_recipient(m, index, "none", "4.3.0", "delivery agent returned no result for this recipient", true);
  }
  // A partly deferred recipient is retried whole (local has logged it):
  // its failures are reported when it is finally done.
  if (reply->deferred) return defer_recipient(m, index, "none", reply->dsn, reply->reason, false);
  for (const auto& f : reply->failed) m.failures.push_back({index, f});
  if (reply->failed.empty()) {
    m.delivered.push_back(index);
    m.finished.push_back(index);
  }
}

void QueueManager::finish(Active& m) {
  const queue::Envelope& env = m.reader->envelope();
  const std::string& path = m.reader->path();
  bool keep = !m.deferrals.empty();
  // Marks matter only when the file stays in the queue (and then they must
  // reach the disk); a file about to be removed needs none.
  const bool stays = keep;
  auto mark_finished = [&] {
    for (std::size_t i : m.finished) {
      if (auto ok = queue::mark_recipient_done(path, env.recipients[i], true); !ok) {
        log::warning("%s: mark done: %s", m.id.c_str(), ok.error().message.c_str());
        keep = true;
      }
    }
  };
  if (stays) mark_finished();
  if (!m.delivered.empty()) send_success(*m.reader, m.id, m.delivered);
  if (!m.failures.empty()) {
    if (send_bounce(*m.reader, m.id, m.failures)) {
      if (stays) {
        for (const auto& f : m.failures) {
          if (!queue::mark_recipient_done(path, env.recipients[f.index], true)) keep = true;
        }
      }
    } else {
      // The file stays after all, for the bounce's retry: what was
      // delivered must not be delivered again.
      keep = true;
      if (!stays) mark_finished();
    }
  }
  if (!keep) {
    ::unlink(p_.layout.file_path(queue::kDefer, m.id).c_str());
    return remove_file(m.id);
  }
  bool warned = delay_warning_sent(m.id);
  // A delayed bounce (null sender) warns nobody but delay_notice_recipient,
  // and only with "delay" in notify_classes (send_delay_warning decides).
  if (!warned && p_.delay_warning_time > 0 && !m.deferrals.empty() &&
      m.active_time - arrival_of(env) > static_cast<double>(p_.delay_warning_time)) {
    send_delay_warning(*m.reader, m.id, m.deferrals);
    warned = true;
  }
  write_defer_log(m.id, m.deferrals, warned);
  defer_file(m.id, env);
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
  // No folder fsync, as Postfix: an unlink lost in an OS crash means a
  // duplicate delivery at worst.
  log::info("%s: removed", id.c_str());
}

}  // namespace postern::qmgr
