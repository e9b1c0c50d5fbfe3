// postqueue's actions: list the queue (table or JSON), ask qmgr to flush it,
// or to retry one deferred message. Runs as the invoking user, set-group-ID
// postdrop on a real install; listing needs read access to the queue.
#pragma once

#include <string>

#include "lib/queue/queue_layout.hpp"

namespace postern::postqueue {

// Exit statuses: 0 done, 1 failed (reason logged).
int list_queue(const queue::QueueLayout& layout, bool json);
int flush_queue(const queue::QueueLayout& layout);
int flush_message(const queue::QueueLayout& layout, const std::string& id);

}  // namespace postern::postqueue
