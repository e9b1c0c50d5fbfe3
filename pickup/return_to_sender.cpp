// Returning a rejected local submission to its sender (see the header).
#include "pickup/return_to_sender.hpp"

#include <time.h>

#include "lib/bounce/dsn_message.hpp"
#include "lib/bounce/notice_queue.hpp"
#include "lib/log/log.hpp"

namespace postern::pickup {
namespace {

// sendmail input has bare <LF> line ends; a notice carries <CR><LF>.
std::string crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

bool return_to_sender(const ReturnSettings& settings, queue::QueueIdGenerator& ids, const queue::Envelope& envelope,
                      std::string_view content, const Rejection& rejection) {
  const bounce::NotifyPolicy& policy = settings.policy;
  bounce::DsnInput in;
  in.kind = bounce::DsnKind::failure;
  in.queue_id = rejection.maildrop_id;
  in.reporting_mta = settings.myhostname;
  in.envid = envelope.attributes.envid;
  in.arrival = envelope.arrival_seconds ? envelope.arrival_seconds : ::time(nullptr);
  in.now = ::time(nullptr);
  for (const auto& r : envelope.recipients)
    in.recipients.push_back({policy.qualified(r.address), r.orcpt, rejection.status, rejection.reason});
  const bool too_big = content.size() > settings.bounce_size_limit;
  in.original = crlf(too_big ? content.substr(0, settings.bounce_size_limit) : content);
  in.headers_only = too_big || envelope.attributes.ret == "HDRS";

  std::string sender;  // the null sender: nobody answers a bounce
  if (envelope.sender.empty()) {
    if (!policy.wants_double_bounce()) {
      log::info("%s: undeliverable bounce discarded (notify_classes has no 2bounce)", rejection.maildrop_id.c_str());
      return true;
    }
    in.to = policy.qualified(policy.double_bounce_recipient);
    in.postmaster_copy = true;
    in.headers_only = true;
    sender = policy.double_bounce_address();
  } else {
    in.to = policy.qualified(envelope.sender);
  }
  auto id = bounce::enqueue_notice(settings.layout, ids, sender, in.to, bounce::build_dsn(in));
  if (!id) {
    log::warning("%s: cannot write bounce: %s", rejection.maildrop_id.c_str(), id.error().message.c_str());
    return false;
  }
  log::info("%s: sender non-delivery notification: %s", rejection.maildrop_id.c_str(), id->c_str());
  if (policy.wants(bounce::kNotifyBounce) && !envelope.sender.empty()) {
    in.to = policy.qualified(policy.bounce_recipient);
    in.postmaster_copy = true;
    in.headers_only = true;
    auto copy = bounce::enqueue_notice(settings.layout, ids, policy.double_bounce_address(), in.to,
                                       bounce::build_dsn(in));
    if (copy) log::info("%s: postmaster non-delivery notification: %s", rejection.maildrop_id.c_str(), copy->c_str());
  }
  return true;
}

}  // namespace postern::pickup
