// PolicyClient (see policy_client.hpp). In smtpd, as mail_owner.
#include "smtpd/policy_client.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lib/base/sys_error.hpp"
#include "smtpd/policy_request.hpp"

namespace postern::smtpd {

struct PolicyClient::Request {
  std::uint64_t id = 0;
  std::string service;
  std::string request;
  Callback done;
  Connection conn;
  bool reused = false;
  bool connecting = false;
  int tries = 0;
  std::size_t sent = 0;
  PolicyReplyReader reader;
  net::Watcher read_watch, write_watch, timer, kick;
};

PolicyClient::PolicyClient(net::EventLoop& loop, PolicyClientParams params)
    : loop_(loop), params_(std::move(params)) {
  reaper_ = net::Watcher::timer(loop_, [this] { retired_.clear(); });
  sweeper_ = net::Watcher::timer(loop_, [this] { sweep(); });
}

void PolicyClient::sweep() {
  const std::time_t now = std::time(nullptr);
  double next = -1;  // seconds until the next connection expires
  for (auto& [service, list] : idle_) {
    std::erase_if(list, [&](const Connection& c) {
      return now - c.last_used >= params_.max_idle_seconds || now - c.created >= params_.max_ttl_seconds;
    });
    for (const auto& c : list) {
      double left = std::min(params_.max_idle_seconds - static_cast<double>(now - c.last_used),
                             params_.max_ttl_seconds - static_cast<double>(now - c.created));
      if (next < 0 || left < next) next = left;
    }
  }
  if (next >= 0) sweeper_.arm(std::max(1.0, next));
}

PolicyClient::~PolicyClient() = default;

std::size_t PolicyClient::idle_connections() const {
  std::size_t n = 0;
  for (const auto& [service, list] : idle_) n += list.size();
  return n;
}

void PolicyClient::query(const std::string& service, std::string request, Callback done) {
  auto r = std::make_unique<Request>();
  r->id = next_id_++;
  r->service = service;
  r->request = std::move(request);
  r->done = std::move(done);
  Request* raw = r.get();
  r->timer = net::Watcher::timer(loop_, [this, raw] { fail(*raw, "timeout", false); });
  // The first attempt starts from the loop, so `done` never runs inside query().
  r->kick = net::Watcher::timer(loop_, [this, raw] { attempt(*raw); });
  r->timer.arm(params_.timeout_seconds);
  r->kick.arm(0);
  active_.emplace(r->id, std::move(r));
}

std::optional<PolicyClient::Connection> PolicyClient::take_idle(const std::string& service) {
  auto it = idle_.find(service);
  if (it == idle_.end()) return std::nullopt;
  const std::time_t now = std::time(nullptr);
  while (!it->second.empty()) {
    Connection c = std::move(it->second.back());
    it->second.pop_back();
    if (now - c.last_used > params_.max_idle_seconds || now - c.created > params_.max_ttl_seconds) continue;
    // A server that closed its end (or sent something unasked) is not reused.
    char byte;
    ssize_t n = ::recv(c.fd.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return c;
  }
  return std::nullopt;
}

Result<UniqueFd> PolicyClient::connect(const std::string& service, bool* in_progress) {
  auto endpoint = parse_policy_endpoint(service, params_.queue_directory);
  if (!endpoint) return Error{"bad policy service address \"" + service + "\""};
  *in_progress = false;
  if (endpoint->unix_socket) {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return sys_error("socket");
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    if (endpoint->path.size() >= sizeof sa.sun_path) return Error{"socket path too long: " + endpoint->path};
    std::memcpy(sa.sun_path, endpoint->path.c_str(), endpoint->path.size() + 1);
    // A UNIX stream connect completes at once or fails.
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
      return sys_error("connect to " + endpoint->path);
    return fd;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* res = nullptr;
  // Numeric addresses never block; a host name falls back to the system
  // resolver (normally /etc/hosts for a local policy server).
  if (::getaddrinfo(endpoint->host.c_str(), endpoint->port.c_str(), &hints, &res) != 0) {
    hints.ai_flags = 0;
    int rc = ::getaddrinfo(endpoint->host.c_str(), endpoint->port.c_str(), &hints, &res);
    if (rc != 0) return Error{"cannot resolve " + service + ": " + gai_strerror(rc)};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(res, &::freeaddrinfo);
  UniqueFd fd(::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  if (::connect(fd.get(), res->ai_addr, res->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) return sys_error("connect to " + service);
    *in_progress = true;
  }
  return fd;
}

void PolicyClient::attempt(Request& r) {
  ++r.tries;
  r.sent = 0;
  r.reader = PolicyReplyReader{};
  r.read_watch = net::Watcher{};
  r.write_watch = net::Watcher{};
  r.reused = false;
  if (auto idle = take_idle(r.service)) {
    r.conn = std::move(*idle);
    r.reused = true;
  } else {
    bool in_progress = false;
    auto fd = connect(r.service, &in_progress);
    if (!fd) return fail(r, fd.error().message, true);
    r.conn = Connection{std::move(*fd), std::time(nullptr), 0};
    r.connecting = in_progress;
  }
  Request* raw = &r;
  r.read_watch = net::Watcher::readable(loop_, r.conn.fd.get(), [this, raw] { on_readable(*raw); });
  r.write_watch = net::Watcher::writable(loop_, r.conn.fd.get(), [this, raw] {
    if (raw->connecting) return on_connected(*raw);
    on_writable(*raw);
  });
  r.write_watch.enable();
}

void PolicyClient::on_connected(Request& r) {
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(r.conn.fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  if (err != 0) return fail(r, std::string("connect to ") + r.service + ": " + std::strerror(err), true);
  r.connecting = false;
  on_writable(r);
}

void PolicyClient::on_writable(Request& r) {
  while (r.sent < r.request.size()) {
    ssize_t n = ::send(r.conn.fd.get(), r.request.data() + r.sent, r.request.size() - r.sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n < 0) return fail(r, std::string("write: ") + std::strerror(errno), true);
    r.sent += static_cast<std::size_t>(n);
  }
  r.write_watch.disable();
  r.read_watch.enable();
}

void PolicyClient::on_readable(Request& r) {
  char buf[4096];
  ssize_t n = ::read(r.conn.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) return fail(r, n == 0 ? "connection closed by server" : std::strerror(errno), true);
  switch (r.reader.feed(std::string_view(buf, static_cast<std::size_t>(n)))) {
    case PolicyReplyReader::State::more:
      return;
    case PolicyReplyReader::State::error:
      return fail(r, r.reader.error(), false);
    case PolicyReplyReader::State::done: {
      // The connection goes back to the pool for the next request.
      r.read_watch = net::Watcher{};
      r.write_watch = net::Watcher{};
      r.conn.last_used = std::time(nullptr);
      if (r.conn.last_used - r.conn.created <= params_.max_ttl_seconds)
        idle_[r.service].push_back(std::move(r.conn));
      if (!sweeper_.pending()) sweeper_.arm(params_.max_idle_seconds);
      return finish(r, r.reader.action());
    }
  }
}

void PolicyClient::fail(Request& r, const std::string& why, bool retry) {
  r.read_watch = net::Watcher{};
  r.write_watch = net::Watcher{};
  r.conn = Connection{};
  r.connecting = false;
  // A reused connection the server had closed meanwhile does not count as a try.
  if (retry && (r.tries < params_.try_limit || r.reused)) {
    if (r.reused) --r.tries;
    return attempt(r);
  }
  finish(r, Error{why});
}

void PolicyClient::finish(Request& r, Result<std::string> result) {
  auto it = active_.find(r.id);
  if (it == active_.end()) return;
  std::unique_ptr<Request> owned = std::move(it->second);
  active_.erase(it);
  owned->timer.disable();
  owned->kick.disable();
  Callback done = std::move(owned->done);
  retired_.push_back(std::move(owned));  // its watchers may be the caller
  reaper_.arm(0);
  done(std::move(result));
}

}  // namespace postern::smtpd
