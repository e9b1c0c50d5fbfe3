// Notifications qmgr sends: non-delivery reports to the sender (or, for
// mail from the null sender, a double bounce to postmaster; never a bounce
// of a double bounce), success reports for NOTIFY=SUCCESS, and
// notify_classes copies. Each is a new queue file from the null sender.
// Runs in qmgr (mail_owner).
#include <time.h>

#include "lib/base/strings.hpp"
#include "lib/bounce/dsn_message.hpp"
#include "lib/bounce/notice_queue.hpp"
#include "lib/bounce/notify_policy.hpp"
#include "lib/log/log.hpp"
#include "qmgr/manager.hpp"

namespace postern::qmgr {

namespace {

constexpr unsigned kNotifyNever = 1;
constexpr unsigned kNotifySuccess = 2;
constexpr unsigned kNotifyFailure = 4;

// notify_classes and its recipients, from the parameters qmgr already holds.
bounce::NotifyPolicy notify_policy(const QmgrParams& p) {
  bounce::NotifyPolicy policy;
  policy.classes = bounce::parse_notify_classes(p.notify_classes, nullptr);
  policy.myorigin = p.myorigin;
  policy.double_bounce_sender = p.double_bounce_sender;
  policy.bounce_recipient = p.bounce_notice_recipient;
  policy.double_bounce_recipient = p.double_bounce_recipient;
  policy.delay_recipient = p.delay_notice_recipient;
  return policy;
}

Result<std::string> enqueue_notice(const QmgrParams& p, queue::QueueIdGenerator& ids, const std::string& sender,
                                   const std::string& to, const std::string& text) {
  return bounce::enqueue_notice(p.layout, ids, sender, to, text);
}

}  // namespace

bounce::DsnInput QueueManager::dsn_input(bounce::DsnKind kind, const queue::Envelope& env,
                                        const std::string& id) const {
  bounce::DsnInput in;
  in.kind = kind;
  in.queue_id = id;
  in.reporting_mta = p_.myhostname;
  in.envid = env.attributes.envid;
  in.arrival = env.arrival_seconds;
  in.now = ::time(nullptr);
  return in;
}

bool QueueManager::send_bounce(const queue::QueueReader& reader, const std::string& id,
                               const std::vector<Failure>& failures) {
  const queue::Envelope& env = reader.envelope();
  bounce::DsnInput in = dsn_input(bounce::DsnKind::failure, env, id);
  for (const auto& f : failures) {
    unsigned notify = env.recipients[f.index].notify;
    // NOTIFY=NEVER, or a NOTIFY list without FAILURE: the sender asked for silence.
    if (notify & kNotifyNever) continue;
    if (notify != 0 && !(notify & kNotifyFailure)) continue;
    in.recipients.push_back({f.failed.address, env.recipients[f.index].orcpt, f.failed.dsn, f.failed.reason});
  }
  if (in.recipients.empty()) return true;
  const bounce::NotifyPolicy policy = notify_policy(p_);
  const std::string double_bounce = policy.double_bounce_address();
  if (iequals(env.sender, double_bounce)) {
    log::warning("%s: undeliverable postmaster notification discarded", id.c_str());
    return true;
  }
  // A bounce that bounced goes to postmaster only when notify_classes asks
  // for it (2bounce, or bounce which implies it), as in Postfix.
  if (env.sender.empty() && !policy.wants_double_bounce()) {
    log::info("%s: undeliverable bounce discarded (notify_classes has no 2bounce)", id.c_str());
    return true;
  }
  auto content = reader.read_content(0, static_cast<std::size_t>(p_.bounce_size_limit));
  if (!content) {
    log::warning("%s: cannot read message for bounce: %s", id.c_str(), content.error().message.c_str());
    return false;
  }
  in.original = *content;
  in.headers_only = env.attributes.ret == "HDRS" || reader.file().content_size > static_cast<std::uint64_t>(p_.bounce_size_limit);
  std::string sender;  // the null sender: nobody answers a bounce
  if (env.sender.empty()) {
    // A bounce that bounced: postmaster gets it, from double-bounce, and a
    // failure of that one is discarded above.
    in.to = policy.qualified(policy.double_bounce_recipient);
    in.postmaster_copy = true;
    in.headers_only = true;
    sender = double_bounce;
  } else {
    in.to = env.sender;
  }
  auto new_id = enqueue_notice(p_, ids_, sender, in.to, bounce::build_dsn(in));
  if (!new_id) {
    log::warning("%s: cannot write bounce: %s", id.c_str(), new_id.error().message.c_str());
    return false;
  }
  log::info("%s: sender non-delivery notification: %s", id.c_str(), new_id->c_str());
  // notify_classes "bounce": postmaster gets the headers of ordinary bounces too.
  if (policy.wants(bounce::kNotifyBounce) && !env.sender.empty()) {
    in.to = policy.qualified(policy.bounce_recipient);
    in.postmaster_copy = true;
    in.headers_only = true;
    auto copy_id = enqueue_notice(p_, ids_, double_bounce, in.to, bounce::build_dsn(in));
    if (copy_id) log::info("%s: postmaster non-delivery notification: %s", id.c_str(), copy_id->c_str());
  }
  return true;
}

void QueueManager::copy_delay_to_postmaster(bounce::DsnInput in, const std::string& id) {
  const bounce::NotifyPolicy policy = notify_policy(p_);
  if (!policy.wants(bounce::kNotifyDelay) || in.recipients.empty()) return;
  in.to = policy.qualified(policy.delay_recipient);
  in.postmaster_copy = true;
  in.headers_only = true;
  auto copy_id = enqueue_notice(p_, ids_, policy.double_bounce_address(), in.to, bounce::build_dsn(in));
  if (copy_id) {
    log::info("%s: postmaster delay notification: %s", id.c_str(), copy_id->c_str());
  } else {
    log::warning("%s: cannot write postmaster delay notification: %s", id.c_str(), copy_id.error().message.c_str());
  }
}

void QueueManager::send_success(const queue::QueueReader& reader, const std::string& id,
                                const std::vector<std::size_t>& delivered) {
  const queue::Envelope& env = reader.envelope();
  if (env.sender.empty()) return;
  bounce::DsnInput in = dsn_input(bounce::DsnKind::success, env, id);
  in.to = env.sender;
  in.headers_only = true;
  for (std::size_t i : delivered) {
    const auto& r = env.recipients[i];
    if (r.notify & kNotifySuccess) in.recipients.push_back({r.address, r.orcpt, "2.0.0", "delivered"});
  }
  if (in.recipients.empty()) return;
  auto content = reader.read_content(0, static_cast<std::size_t>(p_.bounce_size_limit));
  if (content) in.original = *content;
  auto new_id = enqueue_notice(p_, ids_, "", in.to, bounce::build_dsn(in));
  if (new_id) log::info("%s: sender delivery status notification: %s", id.c_str(), new_id->c_str());
}

}  // namespace postern::qmgr
