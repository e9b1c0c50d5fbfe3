// postqueue's actions: list the queue (table or JSON), ask qmgr to flush it,
// or to retry one deferred message. Runs as the invoking user, set-group-ID
// postdrop on a real install; listing reads the queue (root, mail_owner) or
// asks the showq service (everyone else).
#pragma once

#include <string>

#include "lib/config/config.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::postqueue {

// Exit statuses: 0 done, 1 failed (reason logged).
int list_queue(const queue::QueueLayout& layout, bool json);
// The same listing from the showq service, for users who cannot read the
// queue; 69 (EX_UNAVAILABLE) when showq is unreachable, as in Postfix.
int list_queue_via_showq(const queue::QueueLayout& layout, bool json);
// Whether the real user is root or mail_owner (who read the queue directly).
bool reads_queue_directly(const config::Config& config);
int flush_queue(const queue::QueueLayout& layout);
int flush_message(const queue::QueueLayout& layout, const std::string& id);

}  // namespace postern::postqueue
