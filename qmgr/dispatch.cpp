// The delivery loop: the scheduler (scheduler.hpp) says which request goes
// out next and on which connection; this file does the I/O. A connection to
// private/<transport> carries the agent's hello, then requests and replies
// in order, as many as the hello allowed; the first request is written right
// after connect, without waiting for the hello. A request to a remote
// transport carries every pending recipient of the message with the same
// next hop, up to the transport's recipient limit (job_groups.hpp); the
// reply settles each of them. While deliveries run, new mail is taken in
// through `intake` whenever the batch has room. qmgr waits in poll() until
// the batch is done. Runs in qmgr (mail_owner).
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <map>

#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/bounce/status_log.hpp"
#include "lib/ipc/attr.hpp"
#include "lib/log/log.hpp"
#include "qmgr/manager.hpp"
#include "qmgr/scheduler.hpp"

namespace postern::qmgr {

namespace {

// Jobs waiting to be scheduled below this count make the loop look for new
// mail (at most once per pass through poll).
constexpr std::size_t kIntakeLowWater = 64;

struct InFlight {
  std::vector<QueueManager::Job> group;
  double deadline = 0;  // set when the agent starts on it (it is the oldest)
};

struct Connection {
  UniqueFd fd;
  bool hello_done = false;
  std::string input;
  std::deque<InFlight> in_flight;  // oldest first; replies come in this order
};

Result<UniqueFd> connect_agent(const std::string& path) {
  struct sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) return Error{"socket path too long: " + path, ENAMETOOLONG};
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  if (::connect(fd.get(), reinterpret_cast<struct sockaddr*>(&sun), sizeof sun) != 0) {
    return sys_error("connect to " + path);
  }
  set_nonblocking(fd.get(), false);  // requests are small; replies are awaited with poll()
  return fd;
}

// Takes one complete attribute list off the front of `input`, if there is one.
std::optional<Result<ipc::AttrList>> take_list(std::string& input) {
  auto end = input.find("\n\n");
  if (end == std::string::npos) return std::nullopt;
  auto list = ipc::AttrReader::parse(std::string_view(input).substr(0, end + 2));
  input.erase(0, end + 2);
  return list;
}

}  // namespace

void QueueManager::dispatch(Batch& batch, const std::function<void(Batch&)>& intake) {
  Scheduler scheduler(p_);
  std::map<Scheduler::ConnectionId, Connection> conns;

  auto schedule_new_jobs = [&] {
    for (Job& job : batch.jobs) {
      const Active& m = batch.messages.at(job.message);
      std::string dest = destination_of(job, m.reader->envelope().recipients[job.recipient].address);
      scheduler.add(std::move(job), std::move(dest));
    }
    batch.jobs.clear();
  };
  // The group's recipients are settled: the message is finished when its
  // last one is.
  auto settled = [&](const std::vector<Job>& group) {
    const std::size_t key = group.front().message;
    Active& m = batch.messages.at(key);
    m.outstanding -= group.size();
    if (m.outstanding == 0) finish_and_drop(batch, key);
  };
  // Settles a group's recipients with the agent's reply (or the error that
  // stands for it).
  auto complete = [&](const std::vector<Job>& group, const Result<ipc::DeliveryReply>& reply) {
    Active& m = batch.messages.at(group.front().message);
    for (const Job& job : group) settle_reply(m, job.recipient, reply);
    settled(group);
  };
  // A connection that failed: every request on it is deferred.
  auto drop = [&](Scheduler::ConnectionId id, const Error& why) {
    auto it = conns.find(id);
    std::deque<InFlight> lost = std::move(it->second.in_flight);
    conns.erase(it);
    scheduler.closed(id);
    for (const auto& f : lost) complete(f.group, why);
  };
  auto send = [&](Scheduler::ConnectionId id, Connection& c, const Scheduler::Start& start) -> Status {
    const Active& m = batch.messages.at(start.group.front().message);
    if (auto ok = ipc::write_attrs(c.fd.get(), ipc::encode_request(make_request(m, start.group))); !ok) return ok;
    scheduler.sent(id, start.destination);
    double deadline = c.in_flight.empty() ? bounce::now_seconds() + p_.ipc_timeout : 0;
    c.in_flight.push_back({start.group, deadline});
    return {};
  };
  // Starts what the limits allow.
  auto start_jobs = [&] {
    bool agent_backlog_full = false;
    while (auto start = scheduler.next(agent_backlog_full)) {
      const std::string transport = start->group.front().transport;
      Scheduler::ConnectionId id;
      if (start->connection) {
        id = *start->connection;
      } else {
        auto fd = connect_agent(p_.layout.queue_directory + "/private/" + transport);
        if (!fd && fd.error().sys_errno == EAGAIN && !conns.empty()) {
          // master's backlog is full: wait for a reply first.
          scheduler.put_back(std::move(start->group), start->destination);
          agent_backlog_full = true;
          continue;
        }
        if (!fd) {
          // No such service in master.cf: Postfix's "mail transport unavailable".
          if (fd.error().sys_errno == ENOENT) {
            Active& m = batch.messages.at(start->group.front().message);
            for (const Job& job : start->group) {
              defer_recipient(m, job.recipient, "none", "4.3.0",
                              "mail transport unavailable: no " + job.transport + " service in master.cf", true);
            }
            settled(start->group);
          } else {
            complete(start->group, fd.error());
          }
          continue;
        }
        id = scheduler.opened(transport);
        conns[id].fd = std::move(*fd);
      }
      if (auto ok = send(id, conns.at(id), *start); !ok) {
        complete(start->group, ok.error());
        drop(id, ok.error());
      }
    }
  };
  // Reads what the agent sent: its hello, then replies in request order.
  auto on_readable = [&](Scheduler::ConnectionId id) {
    Connection& c = conns.at(id);
    char buf[4096];
    ssize_t got = ::read(c.fd.get(), buf, sizeof buf);
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (got <= 0 || c.input.size() > ipc::kMaxAttrLine * 4) {
      return drop(id, Error{"lost connection with the delivery agent", EPIPE});
    }
    c.input.append(buf, static_cast<std::size_t>(got));
    if (!c.hello_done) {
      auto hello = take_list(c.input);
      if (!hello) return;
      if (!hello->ok() || !ipc::is_hello(**hello)) return drop(id, Error{"protocol error: unexpected hello", EPROTO});
      c.hello_done = true;
      scheduler.hello(id, ipc::hello_requests(**hello));
    }
    while (!c.in_flight.empty()) {
      auto list = take_list(c.input);
      if (!list) break;
      InFlight done = std::move(c.in_flight.front());
      c.in_flight.pop_front();
      if (!c.in_flight.empty()) c.in_flight.front().deadline = bounce::now_seconds() + p_.ipc_timeout;
      Result<ipc::DeliveryReply> reply = *list ? ipc::decode_reply(**list) : Result<ipc::DeliveryReply>(list->error());
      const Job& first = done.group.front();
      scheduler.answered(id, !first.nexthop.empty() && reply && !reply->deferred);
      complete(done.group, reply);
    }
  };

  schedule_new_jobs();
  for (;;) {
    if (intake && scheduler.queued() < kIntakeLowWater) {
      intake(batch);
      schedule_new_jobs();
    }
    start_jobs();
    // Connections that may take no more requests, once answered, end here;
    // their agents exit (max_use) and master starts new ones.
    for (Scheduler::ConnectionId id : scheduler.spent()) {
      conns.erase(id);
      scheduler.closed(id);
    }
    bool busy = false;
    for (const auto& [id, c] : conns) busy = busy || !c.in_flight.empty();
    if (!busy) {
      if (scheduler.queued() == 0) break;  // every job settled: idle connections close here
      if (conns.empty()) {
        // Nothing could start (the limits allow none): wait, then try again.
        ::poll(nullptr, 0, 1000);
        continue;
      }
    }
    std::vector<struct pollfd> fds;
    std::vector<Scheduler::ConnectionId> ids;
    for (const auto& [id, c] : conns) {
      fds.push_back({c.fd.get(), POLLIN, 0});
      ids.push_back(id);
    }
    int n = ::poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) {
      log::warning("poll: %m");
      break;
    }
    const double now = bounce::now_seconds();
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto it = conns.find(ids[i]);
      if (it == conns.end()) continue;
      Connection& c = it->second;
      if (!c.in_flight.empty() && c.in_flight.front().deadline > 0 && now > c.in_flight.front().deadline) {
        drop(ids[i], Error{"timeout waiting for the delivery agent", ETIMEDOUT});
        continue;
      }
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(ids[i]);
    }
  }
}

}  // namespace postern::qmgr
