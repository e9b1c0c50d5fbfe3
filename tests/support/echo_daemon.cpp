// postern-test-echo: a line echo service on the multi-connection skeleton,
// used by the master end-to-end tests. Its greeting names the process and
// the master generation that started it, so a test can tell processes apart.
//   greeting: "220 echo pid=<pid> service=<name>"; each line comes back as
//   "echo: <line>"; "QUIT" closes the session.
#include <unistd.h>

#include <map>
#include <memory>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/multi_server.hpp"

using namespace postern;

namespace {

struct Session {
  UniqueFd fd;
  service::ClientLease lease;
  net::Watcher watcher;
  std::string buffer;
};

}  // namespace

int main(int argc, char** argv) {
  net::EventLoop* loop = nullptr;
  std::string service_name;
  std::map<int, std::unique_ptr<Session>> sessions;
  service::MultiServerHooks hooks;
  hooks.post_drop = [&](service::DaemonContext& ctx, net::EventLoop& l) {
    loop = &l;
    service_name = ctx.args().service;
  };
  hooks.on_client = [&](UniqueFd fd, service::ClientLease lease) {
    auto session = std::make_unique<Session>();
    int key = fd.get();
    session->fd = std::move(fd);
    session->lease = std::move(lease);
    (void)write_all(key, "220 echo pid=" + std::to_string(::getpid()) + " service=" + service_name + "\r\n");
    Session* s = session.get();
    session->watcher = net::Watcher::readable(*loop, key, [&sessions, s, key] {
      char buf[4096];
      ssize_t n = ::read(key, buf, sizeof buf);
      if (n < 0 && errno == EAGAIN) return;
      bool close = n <= 0;
      if (n > 0) s->buffer.append(buf, size_t(n));
      size_t eol;
      while (!close && (eol = s->buffer.find('\n')) != std::string::npos) {
        std::string line = s->buffer.substr(0, eol);
        s->buffer.erase(0, eol + 1);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line == "QUIT") {
          (void)write_all(key, "221 bye\r\n");
          close = true;
        } else {
          (void)write_all(key, "echo: " + line + "\r\n");
        }
      }
      if (close) sessions.erase(key);  // destroys the watcher and the lease
    });
    session->watcher.enable();
    sessions[key] = std::move(session);
  };
  return service::run_multi_server(argc, argv, std::move(hooks));
}
