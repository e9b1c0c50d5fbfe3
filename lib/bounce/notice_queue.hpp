// Puts a delivery status notice (built by build_dsn) into incoming/ as a new
// queue file with one recipient. Used by qmgr and pickup (mail_owner); the
// caller wakes qmgr if it is not qmgr itself.
#pragma once

#include <string>

#include "lib/base/result.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::bounce {

// `sender` is "" (the null sender) for notices to a message's sender, or the
// double-bounce address for postmaster notices. Returns the new queue ID.
Result<std::string> enqueue_notice(const queue::QueueLayout& layout, queue::QueueIdGenerator& ids,
                                   const std::string& sender, const std::string& to, const std::string& text);

}  // namespace postern::bounce
