// Concurrent deliveries: for each transport up to its process limit
// (master.cf maxproc) at once; for local at most
// local_destination_concurrency_limit at once for one recipient (local's
// destination is the recipient); for remote transports at most
// <transport>_destination_concurrency_limit per next hop, starting at
// initial_destination_concurrency and growing by one with each delivery that
// goes through (Postfix's slow start, without its negative feedback).
// Each delivery is one connection to private/<transport>: hello, request,
// reply. A request to a remote transport carries every pending recipient of
// the message with the same next hop, up to the transport's recipient limit
// (job_groups.hpp); the reply settles each of them. qmgr waits in poll() while a batch is delivered. Runs in qmgr
// (mail_owner).
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/bounce/status_log.hpp"
#include "lib/ipc/attr.hpp"
#include "lib/log/log.hpp"
#include "qmgr/job_groups.hpp"
#include "qmgr/manager.hpp"

namespace postern::qmgr {

namespace {

struct Connection {
  UniqueFd fd;
  std::vector<QueueManager::Job> jobs;  // one message, one transport and next hop
  std::string destination;
  std::string transport;
  bool hello_done = false;
  std::string input;
  double deadline = 0;
};

// nullopt-like: an invalid fd with errno EAGAIN means "no room, try later".
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

void QueueManager::dispatch(std::vector<Active>& batch, std::deque<Job>& jobs) {
  std::vector<Connection> conns;
  std::map<std::string, int> per_destination;
  std::map<std::string, int> per_transport;
  std::map<std::string, int> window;  // remote destinations: the slow-start limit

  auto complete = [&](const std::vector<Job>& group, const Result<ipc::DeliveryReply>& reply) {
    const Job& first = group.front();
    Active& m = batch[first.message];
    if (!first.nexthop.empty() && reply && !reply->deferred) {
      const std::string dest = first.transport + "!" + to_lower(first.nexthop);
      int& w = window[dest];
      if (w < destination_limit(p_, first.transport)) ++w;
    }
    for (const Job& job : group) settle_reply(m, job.recipient, reply);
    m.outstanding -= group.size();
    if (m.outstanding == 0) {
      finish(m);
      m.reader.reset();  // closes the queue file: a batch never holds many descriptors
    }
  };
  auto close_conn = [&](std::size_t i) {
    if (--per_destination[conns[i].destination] == 0) per_destination.erase(conns[i].destination);
    if (--per_transport[conns[i].transport] == 0) per_transport.erase(conns[i].transport);
    conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(i));
  };

  while (!jobs.empty() || !conns.empty()) {
    // Start what the limits allow.
    bool no_room = false;
    for (auto it = jobs.begin(); it != jobs.end() && !no_room;) {
      const Active& m = batch[it->message];
      const bool local = it->nexthop.empty();
      std::string dest = local ? it->transport + "!" + to_lower(m.reader->envelope().recipients[it->recipient].address)
                               : it->transport + "!" + to_lower(it->nexthop);
      int dest_limit = p_.local_destination_concurrency;
      if (!local) {
        auto [w, added] = window.try_emplace(dest, std::min(p_.initial_destination_concurrency,
                                                            destination_limit(p_, it->transport)));
        dest_limit = w->second;
      }
      if (per_destination[dest] >= dest_limit ||
          per_transport[it->transport] >= process_limit(p_, it->transport)) {
        ++it;
        continue;
      }
      auto fd = connect_agent(p_.layout.queue_directory + "/private/" + it->transport);
      if (!fd && fd.error().sys_errno == EAGAIN && !conns.empty()) {
        no_room = true;  // master's backlog is full: wait for a reply first
        continue;
      }
      const auto index = static_cast<std::size_t>(it - jobs.begin());
      std::vector<Job> group = take_group(jobs, index, recipient_limit(p_, it->transport));
      it = jobs.begin() + static_cast<std::ptrdiff_t>(index);
      if (!fd) {
        // No such service in master.cf: Postfix's "mail transport unavailable".
        if (fd.error().sys_errno == ENOENT) {
          Active& m = batch[group.front().message];
          for (const Job& job : group) {
            defer_recipient(m, job.recipient, "none", "4.3.0",
                            "mail transport unavailable: no " + job.transport + " service in master.cf", true);
          }
          m.outstanding -= group.size();
          if (m.outstanding == 0) {
            finish(m);
            m.reader.reset();
          }
          continue;
        }
        complete(group, fd.error());
        continue;
      }
      ++per_destination[dest];
      std::string transport = group.front().transport;
      ++per_transport[transport];
      conns.push_back({std::move(*fd), std::move(group), dest, transport, false, {},
                       bounce::now_seconds() + p_.ipc_timeout});
    }
    if (conns.empty()) continue;  // every job left was settled without a connection
    std::vector<struct pollfd> fds;
    for (const auto& c : conns) fds.push_back({c.fd.get(), POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), 1000);
    if (n < 0 && errno != EINTR) {
      log::warning("poll: %m");
      break;
    }
    const double now = bounce::now_seconds();
    // Backwards, so erasing keeps the remaining indexes valid.
    for (std::size_t i = conns.size(); i-- > 0;) {
      Connection& c = conns[i];
      if (now > c.deadline) {
        std::vector<Job> group = std::move(c.jobs);
        close_conn(i);
        complete(group, Error{"timeout waiting for the delivery agent", ETIMEDOUT});
        continue;
      }
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      char buf[4096];
      ssize_t got = ::read(c.fd.get(), buf, sizeof buf);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0 || c.input.size() > ipc::kMaxAttrLine * 4) {
        std::vector<Job> group = std::move(c.jobs);
        close_conn(i);
        complete(group, Error{"lost connection with the delivery agent", EPIPE});
        continue;
      }
      c.input.append(buf, static_cast<std::size_t>(got));
      if (!c.hello_done) {
        auto hello = take_list(c.input);
        if (!hello) continue;
        bool ok = hello->ok() && (*hello)->get("protocol") == std::string(ipc::kDeliveryProtocol) &&
                  (*hello)->get("version") == std::to_string(ipc::kDeliveryVersion);
        Status sent = ok ? ipc::write_attrs(c.fd.get(), ipc::encode_request(make_request(batch[c.jobs.front().message], c.jobs)))
                         : Status{Error{"protocol error: unexpected hello", EPROTO}};
        if (!sent) {
          std::vector<Job> group = std::move(c.jobs);
          close_conn(i);
          complete(group, sent.error());
          continue;
        }
        c.hello_done = true;
      }
      auto reply = take_list(c.input);
      if (!reply) continue;
      std::vector<Job> group = std::move(c.jobs);
      close_conn(i);
      if (!*reply) {
        complete(group, reply->error());
      } else {
        complete(group, ipc::decode_reply(**reply));
      }
    }
  }
}

}  // namespace postern::qmgr
