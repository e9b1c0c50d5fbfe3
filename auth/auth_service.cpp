// Event-driven connections of the auth daemon. Runs in auth (see main.cpp
// for privileges). Requests are logged without their payloads.
#include "auth/auth_service.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include <list>

#include "lib/auth/auth_protocol.hpp"
#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"

namespace postern::authd {

struct AuthService::Client {
  std::uint64_t serial = 0;
  UniqueFd fd;
  service::ClientLease lease;
  net::Watcher watcher;
  std::unique_ptr<auth::AuthServerConnection> conn;
  std::string buffer;
  std::list<net::Watcher> delayed;  // pending failure replies
};

namespace {
std::string random_cookie() {
  unsigned char r[16];
  RAND_bytes(r, sizeof r);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : r) out += {hex[c >> 4], hex[c & 15]};
  return out;
}
}  // namespace

AuthService::AuthService(net::EventLoop& loop, auth::AuthEngine& engine, unsigned workers)
    : loop_(loop),
      engine_(engine),
      workers_(loop, engine, workers,
               [this](std::uint64_t ticket, const auth::ChainResult& result) { checked(ticket, result); }) {
  engine_.set_deferred_checks(true);
}
AuthService::~AuthService() = default;

void AuthService::add_client(UniqueFd fd, service::ClientLease lease) {
  auto c = std::make_unique<Client>();
  int key = fd.get();
  c->serial = next_serial_++;
  c->fd = std::move(fd);
  c->lease = std::move(lease);
  c->conn = std::make_unique<auth::AuthServerConnection>(engine_, long(::getpid()), next_cuid_++, random_cookie());
  if (!write_all(key, c->conn->handshake())) return;  // the client went away: the lease ends with c
  Client* raw = c.get();
  c->watcher = net::Watcher::readable(loop_, key, [this, raw] { on_readable(*raw); });
  c->watcher.enable();
  clients_[key] = std::move(c);
}

void AuthService::on_readable(Client& c) {
  char buf[4096];
  ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  int key = c.fd.get();
  if (n <= 0) {
    close(key);
    return;
  }
  c.buffer.append(buf, size_t(n));
  size_t nl;
  while ((nl = c.buffer.find('\n')) != std::string::npos) {
    std::string line = c.buffer.substr(0, nl);
    c.buffer.erase(0, nl + 1);
    auto replies = c.conn->handle_line(line);
    auth::wipe(line);
    if (c.conn->broken()) {
      log::warning("auth client: %s; disconnecting", c.conn->error().c_str());
      close(key);
      return;
    }
    for (auto& job : c.conn->take_jobs()) {
      std::uint64_t ticket = next_ticket_++;
      tickets_[ticket] = Ticket{key, c.serial, job.id};
      workers_.submit(ticket, std::move(job.check));
    }
    send(c, std::move(replies));
  }
  if (c.buffer.size() > auth::kAuthMaxLine) {
    log::warning("auth client: request line too long; disconnecting");
    close(key);
  }
}

void AuthService::send(Client& c, std::vector<auth::AuthServerConnection::Reply> replies) {
  const int key = c.fd.get();
  for (auto& r : replies) {
    if (r.text.empty()) continue;  // a request now with a worker
    if (r.delay <= 0) {
      (void)write_all(key, r.text);
      continue;
    }
    // Held back: the guesser waits, other requests on this connection do not.
    // Fired timers are pruned on the next reply, never inside their own callback.
    c.delayed.remove_if([](const net::Watcher& w) { return !w.pending(); });
    auto& w = c.delayed.emplace_back(net::Watcher::timer(loop_, [key, text = r.text] { (void)write_all(key, text); }));
    w.arm(r.delay);
  }
}

void AuthService::checked(std::uint64_t ticket, const auth::ChainResult& result) {
  auto t = tickets_.find(ticket);
  if (t == tickets_.end()) return;
  Ticket where = std::move(t->second);
  tickets_.erase(t);
  auto it = clients_.find(where.key);
  if (it == clients_.end() || it->second->serial != where.serial) return;  // the client left meanwhile
  Client& c = *it->second;
  send(c, c.conn->complete(where.id, result));
}

void AuthService::close(int key) {
  auto it = clients_.find(key);
  if (it == clients_.end()) return;
  // Not destroyed here: we are inside its watcher's callback. The reaper
  // timer frees it once this callback has returned.
  it->second->watcher.disable();
  graveyard_.push_back(std::move(it->second));
  clients_.erase(it);
  if (!reaper_) reaper_ = net::Watcher::timer(loop_, [this] { graveyard_.clear(); });
  reaper_.arm(0);
}

}  // namespace postern::authd
