// Grouping the recipients of one message into delivery requests: jobs of
// the same message, transport and next hop travel together, up to the
// transport's recipient limit, so that smtp/lmtp send them in one
// transaction. Local jobs (no next hop) always go alone. Runs in qmgr
// (mail_owner).
#pragma once

#include <cstddef>
#include <deque>
#include <vector>

#include "qmgr/manager.hpp"

namespace postern::qmgr {

// Removes the job at `index` and, after it, up to limit - 1 later jobs that
// may share its request; returns them in queue order. `limit` < 1 counts as 1.
std::vector<QueueManager::Job> take_group(std::deque<QueueManager::Job>& jobs, std::size_t index, int limit);

}  // namespace postern::qmgr
