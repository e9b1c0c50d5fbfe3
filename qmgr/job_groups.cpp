// Grouping jobs into delivery requests (see job_groups.hpp). Runs in qmgr
// (mail_owner).
#include "qmgr/job_groups.hpp"

#include "lib/base/strings.hpp"

namespace postern::qmgr {

std::vector<QueueManager::Job> take_group(std::deque<QueueManager::Job>& jobs, std::size_t index, int limit) {
  std::vector<QueueManager::Job> group{jobs[index]};
  std::vector<std::size_t> taken{index};
  const QueueManager::Job& first = jobs[index];
  if (!first.nexthop.empty()) {
    const std::string nexthop = to_lower(first.nexthop);
    for (std::size_t i = index + 1; i < jobs.size() && static_cast<int>(group.size()) < limit; ++i) {
      const QueueManager::Job& j = jobs[i];
      if (j.message == first.message && j.transport == first.transport && to_lower(j.nexthop) == nexthop) {
        group.push_back(j);
        taken.push_back(i);
      }
    }
  }
  for (auto it = taken.rbegin(); it != taken.rend(); ++it) jobs.erase(jobs.begin() + static_cast<std::ptrdiff_t>(*it));
  return group;
}

}  // namespace postern::qmgr
