// Which delivery starts next (see scheduler.hpp). Runs in qmgr (mail_owner).
#include "qmgr/scheduler.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"
#include "qmgr/job_groups.hpp"

namespace postern::qmgr {

std::string destination_of(const QueueManager::Job& job, const std::string& recipient) {
  return job.transport + "!" + to_lower(job.nexthop.empty() ? recipient : job.nexthop);
}

void Scheduler::add(QueueManager::Job job, std::string destination) {
  auto [it, created] = queues_.try_emplace(destination);
  Queue& q = it->second;
  if (q.jobs.empty()) {
    q.transport = job.transport;
    q.local = job.nexthop.empty();
    order_.push_back(destination);
  }
  q.jobs.push_back(std::move(job));
  ++queued_;
}

void Scheduler::put_back(std::vector<QueueManager::Job> group, const std::string& destination) {
  Queue& q = queues_[destination];
  if (q.jobs.empty()) {
    q.transport = group.front().transport;
    q.local = group.front().nexthop.empty();
    order_.push_front(destination);
  }
  queued_ += group.size();
  for (auto it = group.rbegin(); it != group.rend(); ++it) q.jobs.push_front(std::move(*it));
}

int Scheduler::destination_limit_of(const std::string& destination, const Queue& q) {
  if (q.local) return p_.local_destination_concurrency;
  auto [w, added] = window_.try_emplace(
      destination, std::min(p_.initial_destination_concurrency, destination_limit(p_, q.transport)));
  return w->second;
}

std::optional<Scheduler::Start> Scheduler::next(bool skip_new) {
  for (auto d = order_.begin(); d != order_.end(); ++d) {
    Queue& q = queues_[*d];
    const std::string& t = q.transport;
    std::optional<ConnectionId> on;
    bool open_new = false;
    auto busy = busy_.find(*d);
    if ((busy == busy_.end() ? 0 : busy->second) < destination_limit_of(*d, q)) {
      for (auto& [id, c] : connections_) {
        if (c.transport == t && c.destinations.empty() && can_send(c)) {
          on = id;
          break;
        }
      }
      auto open = open_.find(t);
      if (!on && !skip_new && (open == open_.end() ? 0 : open->second) < process_limit(p_, t)) open_new = true;
    }
    if (!on && !open_new && q.local) {
      for (auto& [id, c] : connections_) {
        if (c.transport == t && !c.destinations.empty() && c.destinations.size() < kLocalPipelineDepth &&
            can_send(c) && std::all_of(c.destinations.begin(), c.destinations.end(),
                                       [&](const std::string& held) { return held == *d; })) {
          on = id;
          break;
        }
      }
    }
    if (!on && !open_new) continue;
    Start start;
    start.destination = *d;
    start.connection = on;
    start.group = take_group(q.jobs, 0, recipient_limit(p_, t));
    queued_ -= start.group.size();
    // Round-robin: a destination that still has jobs goes to the back.
    std::string name = std::move(*d);
    order_.erase(d);
    if (q.jobs.empty()) {
      queues_.erase(name);
    } else {
      order_.push_back(std::move(name));
    }
    return start;
  }
  return std::nullopt;
}

Scheduler::ConnectionId Scheduler::opened(const std::string& transport) {
  ConnectionId id = next_id_++;
  connections_[id].transport = transport;
  ++open_[transport];
  return id;
}

void Scheduler::hello(ConnectionId id, long long requests) {
  if (auto it = connections_.find(id); it != connections_.end()) it->second.allowed = std::max(1LL, requests);
}

void Scheduler::sent(ConnectionId id, const std::string& destination) {
  Connection& c = connections_.at(id);
  if (std::find(c.destinations.begin(), c.destinations.end(), destination) == c.destinations.end())
    ++busy_[destination];
  c.destinations.push_back(destination);
  ++c.sent;
}

void Scheduler::answered(ConnectionId id, bool went_through) {
  Connection& c = connections_.at(id);
  if (c.destinations.empty()) return;
  std::string d = std::move(c.destinations.front());
  c.destinations.pop_front();
  if (std::find(c.destinations.begin(), c.destinations.end(), d) == c.destinations.end() && --busy_[d] == 0)
    busy_.erase(d);
  // Only remote destinations have a window (slow start).
  if (auto w = window_.find(d); went_through && w != window_.end()) {
    if (w->second < destination_limit(p_, c.transport)) ++w->second;
  }
}

void Scheduler::closed(ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::vector<std::string> held(it->second.destinations.begin(), it->second.destinations.end());
  std::sort(held.begin(), held.end());
  held.erase(std::unique(held.begin(), held.end()), held.end());
  for (const auto& d : held)
    if (--busy_[d] == 0) busy_.erase(d);
  if (--open_[it->second.transport] == 0) open_.erase(it->second.transport);
  connections_.erase(it);
}

std::vector<Scheduler::ConnectionId> Scheduler::spent() const {
  std::vector<ConnectionId> out;
  for (const auto& [id, c] : connections_)
    if (c.destinations.empty() && !can_send(c)) out.push_back(id);
  return out;
}

std::size_t Scheduler::in_flight(ConnectionId id) const {
  auto it = connections_.find(id);
  return it == connections_.end() ? 0 : it->second.destinations.size();
}

}  // namespace postern::qmgr
