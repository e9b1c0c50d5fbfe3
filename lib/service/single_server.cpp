// Request daemon skeleton (poll loop, no libevent: one client at a time).
// Runs in the delivery agents, as root only where master.cf says unpriv = n.
#include "lib/service/single_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "lib/log/log.hpp"
#include "lib/service/master_proto.hpp"

namespace postern::service {

namespace {
constexpr long long kUnlimitedSessionUses = 100;
}  // namespace

int run_single_server(int argc, char** argv, SingleServerHooks hooks) {
  DaemonContext ctx = DaemonContext::init(argc, argv);
  if (hooks.pre_drop) hooks.pre_drop(ctx);
  ctx.drop_privileges();
  if (hooks.post_drop) hooks.post_drop(ctx);

  if (ctx.args().stand_alone) {
    if (hooks.on_session) {
      hooks.on_session(UniqueFd(::dup(STDIN_FILENO)), ctx, 1);
    } else {
      hooks.on_client(UniqueFd(::dup(STDIN_FILENO)), ctx);
    }
    return 0;
  }

  const long long max_idle_ms = ctx.config().get_time_seconds("max_idle") * 1000;
  const long long max_use = ctx.config().get_int("max_use");
  long long uses = 0;
  ctx.status().report(true);
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({kStatusFd, POLLIN, 0});
    for (auto& l : ctx.listeners()) fds.push_back({l.get(), POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), max_idle_ms > 0 ? int(max_idle_ms) : -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::fatal("poll: %m");
    }
    if (n == 0) return 0;  // max_idle
    if (fds[0].revents) {
      char buf[16];
      ssize_t r = ::read(kStatusFd, buf, sizeof buf);
      if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN)) return 0;  // reload/stop
    }
    for (size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      UniqueFd client(::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC));
      if (!client) continue;  // another process took it
      ctx.status().report(false);
      if (hooks.on_session) {
        // Without max_use a session still ends now and then, so that a
        // reload reaches a busy agent.
        const long long left = max_use > 0 ? max_use - uses : kUnlimitedSessionUses;
        uses += std::max(1LL, hooks.on_session(std::move(client), ctx, left));
      } else {
        hooks.on_client(std::move(client), ctx);
        ++uses;
      }
      ctx.status().report(true);
      if (max_use > 0 && uses >= max_use) return 0;
      break;
    }
  }
}

}  // namespace postern::service
