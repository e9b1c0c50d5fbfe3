// postsuper -s (structure check and repair) and -p (purge old temporary
// files). Runs as mail_owner.
#pragma once

#include <cstdint>

#include "lib/queue/queue_layout.hpp"

namespace postern::postsuper {

// Files in the wrong hashed subfolder are moved where they belong; complete
// files that do not parse, and files not named like a queue ID, go to
// corrupt/; symlinks and other non-files are removed; defer/bounce/trace logs
// of messages that no longer exist are removed; incomplete files older than
// `stale_seconds` are removed (a crash mid-write leaves them). Every repair is
// logged. Returns the number of repairs.
int repair_queue(const queue::QueueLayout& layout, std::int64_t stale_seconds);

// Only the last part: incomplete files older than `stale_seconds`.
int purge_stale(const queue::QueueLayout& layout, std::int64_t stale_seconds);

}  // namespace postern::postsuper
