// Trigger daemon skeleton. Runs in pickup and qmgr as mail_owner.
#include "lib/service/trigger_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/master_proto.hpp"

namespace postern::service {
namespace {

// Reads what is waiting on a FIFO (read end) or accepts one UNIX-socket
// client and reads its request bytes (bounded: requests are a few bytes).
std::string drain(int fd, const std::string& type) {
  std::string out;
  char buf[256];
  if (type == "fifo") {
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    return out;
  }
  UniqueFd client(::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!client) return out;
  ssize_t n = ::read(client.get(), buf, sizeof buf);
  if (n > 0) out.append(buf, size_t(n));
  return out;
}

}  // namespace

int run_trigger_server(int argc, char** argv, TriggerServerHooks hooks) {
  DaemonContext ctx = DaemonContext::init(argc, argv);
  if (hooks.pre_drop) hooks.pre_drop(ctx);
  ctx.drop_privileges();
  net::EventLoop loop;
  if (hooks.post_drop) hooks.post_drop(ctx, loop);

  std::vector<net::Watcher> watchers;
  const std::string type = ctx.args().type;
  for (auto& listener : ctx.listeners()) {
    int fd = listener.get();
    watchers.push_back(net::Watcher::readable(loop, fd, [&, fd] {
      std::string requests = drain(fd, type);
      if (!requests.empty()) hooks.on_trigger(requests);
    }));
    watchers.back().enable();
  }
  net::Watcher status;
  if (!ctx.args().stand_alone) {
    status = net::Watcher::readable(loop, kStatusFd, [&] {
      char buf[64];
      ssize_t n = ::read(kStatusFd, buf, sizeof buf);
      if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) return;
      status.disable();
      watchers.clear();
      ctx.status().disconnect();
      if (hooks.on_stop)
        hooks.on_stop(loop);
      else
        loop.stop();
    });
    status.enable();
  }
  // A trigger daemon is always "available": it never takes clients of its own.
  ctx.status().report(true);
  hooks.on_trigger("");
  loop.run();
  return 0;
}

}  // namespace postern::service
