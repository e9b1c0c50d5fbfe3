// Which delivery starts next, and on which agent connection. No I/O: the
// dispatch loop (dispatch.cpp) connects, writes and reads, and tells the
// scheduler what happened.
//
// Jobs wait in one queue per destination (local: transport!recipient;
// remote: transport!nexthop), served round-robin in order of arrival.
// Limits, as Postfix's:
//   - a transport has at most its process limit (master.cf maxproc) agent
//     connections open, each held by one agent process;
//   - a destination has deliveries on at most its concurrency limit of
//     connections at once: local_destination_concurrency_limit for local,
//     for remote next hops a window that starts at
//     initial_destination_concurrency and grows by one per delivery that
//     went through, up to <transport>_destination_concurrency_limit.
// A connection takes up to the number of requests its agent announced in the
// hello. An idle one is reused before a new one is opened. A local
// connection that already holds requests for a destination may get one more
// request for that destination queued behind them (kLocalPipelineDepth):
// the agent still delivers one at a time, so the destination's parallel
// deliveries stay within its limit, but the agent starts the next one
// without waiting for qmgr. Runs in qmgr (mail_owner).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "qmgr/manager.hpp"
#include "qmgr/qmgr_params.hpp"

namespace postern::qmgr {

inline constexpr std::size_t kLocalPipelineDepth = 2;

class Scheduler {
 public:
  using ConnectionId = std::size_t;

  explicit Scheduler(const QmgrParams& params) : p_(params) {}

  // Queues a job for `destination` (see destination_of()).
  void add(QueueManager::Job job, std::string destination);
  // Puts a group back at the front of its queue (its connection could not
  // be opened yet).
  void put_back(std::vector<QueueManager::Job> group, const std::string& destination);
  std::size_t queued() const { return queued_; }

  struct Start {
    std::vector<QueueManager::Job> group;  // one request
    std::string destination;
    std::optional<ConnectionId> connection;  // nullopt: open a new one
  };
  // The next request the limits allow, taken off its queue; nullopt when
  // every queued job has to wait. `skip_new` (the agent's socket is full):
  // only requests for connections already open.
  std::optional<Start> next(bool skip_new = false);

  // A new connection to `transport`'s agent, before its hello.
  ConnectionId opened(const std::string& transport);
  // The agent's hello: it takes `requests` requests on this connection.
  void hello(ConnectionId id, long long requests);
  // A request for `destination` was written on `id`.
  void sent(ConnectionId id, const std::string& destination);
  // The oldest request on `id` was answered; `went_through` (remote
  // destinations) widens the destination's window.
  void answered(ConnectionId id, bool went_through);
  // The connection is gone; its unanswered requests no longer count.
  void closed(ConnectionId id);

  // Connections with nothing in flight and no further requests allowed,
  // or idle while nothing is queued for their transport: to be closed.
  std::vector<ConnectionId> spent() const;
  // Requests in flight on `id`.
  std::size_t in_flight(ConnectionId id) const;

 private:
  struct Connection {
    std::string transport;
    long long allowed = 1;  // until the hello says otherwise
    long long sent = 0;
    std::deque<std::string> destinations;  // of the requests in flight, oldest first
  };
  struct Queue {
    std::string transport;
    bool local = false;
    std::deque<QueueManager::Job> jobs;
  };
  int destination_limit_of(const std::string& destination, const Queue& q);
  bool can_send(const Connection& c) const { return c.sent < c.allowed; }

  const QmgrParams& p_;
  std::map<std::string, Queue> queues_;
  std::deque<std::string> order_;              // destinations with jobs, round-robin
  std::map<std::string, int> busy_;            // destination -> connections holding its requests
  std::map<std::string, int> open_;            // transport -> open connections
  std::map<std::string, int> window_;          // remote destination -> its current limit
  std::map<ConnectionId, Connection> connections_;
  ConnectionId next_id_ = 1;
  std::size_t queued_ = 0;
};

// The queue a job waits in: transport!recipient for local, transport!nexthop
// for remote transports (both in lower case).
std::string destination_of(const QueueManager::Job& job, const std::string& recipient);

}  // namespace postern::qmgr
