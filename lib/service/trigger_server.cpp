// Trigger daemon skeleton. Runs in pickup and qmgr as mail_owner.
#include "lib/service/trigger_server.hpp"

#include <poll.h>
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

// How long an accepted trigger client may take to send its bytes: it
// connects and then writes, and we may accept in between.
constexpr int kRequestWaitMs = 1000;
// At most this many pending trigger clients are taken in at once.
constexpr int kMaxCoalesced = 1000;

}  // namespace

std::string receive_trigger(int fd, const std::string& type) {
  std::string out;
  char buf[256];
  if (type == "fifo") {
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    return out;
  }
  UniqueFd client(::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
  if (!client) return out;
  // A read right after accept() could find nothing yet, and the trigger was
  // lost: mail stayed in incoming/ until the next periodic run.
  struct pollfd p{client.get(), POLLIN, 0};
  int ready;
  while ((ready = ::poll(&p, 1, kRequestWaitMs)) < 0 && errno == EINTR) {
  }
  ssize_t n = ready > 0 ? ::read(client.get(), buf, sizeof buf) : -1;
  if (n > 0) {
    out.append(buf, size_t(n));
  } else {
    out.push_back(kWakeupRequest);  // connected but said nothing (in time): still a wakeup
  }
  return out;
}

std::string receive_triggers(int fd, const std::string& type) {
  std::string out = receive_trigger(fd, type);
  // A FIFO's reads above already took everything written so far.
  for (int more = 0; type != "fifo" && more < kMaxCoalesced; ++more) {
    struct pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) break;
    out += receive_trigger(fd, type);
  }
  return out;
}

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
      std::string requests = receive_triggers(fd, type);
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
