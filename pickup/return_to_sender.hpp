// Mail that cleanup rejects on the sendmail path (too many hops, too big, no
// recipients) cannot be refused to a waiting client as smtpd does: it is
// returned to its sender as an RFC 3464 bounce, as Postfix's cleanup does.
// A rejected message from the null sender goes to 2bounce_notice_recipient
// when notify_classes asks for it, and is otherwise discarded. Runs in pickup
// (mail_owner).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/bounce/notify_policy.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::pickup {

struct Rejection {
  std::string maildrop_id;  // the maildrop file's ID (the message never got a queue ID)
  std::string status;       // cleanup's enhanced code: "5.4.0", "5.3.4"
  std::string reason;       // cleanup's text: "Error: too many hops"
};

struct ReturnSettings {
  queue::QueueLayout layout;
  std::string myhostname;
  bounce::NotifyPolicy policy;
  std::uint64_t bounce_size_limit = 50000;  // larger originals are returned as headers only
};

// Writes the notice into incoming/ and logs Postfix's "ID: sender
// non-delivery notification: NEWID". Returns false when it could not be
// written (the caller keeps the maildrop file and retries).
bool return_to_sender(const ReturnSettings& settings, queue::QueueIdGenerator& ids, const queue::Envelope& envelope,
                      std::string_view content, const Rejection& rejection);

}  // namespace postern::pickup
