// Multi-connection daemon skeleton. Runs in smtpd, pop3d, imapd, lmtpd, auth
// and anvil, with the privileges the master.cf entry asks for.
#include "lib/service/multi_server.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/master_proto.hpp"

namespace postern::service {
namespace {

class MultiServer {
 public:
  MultiServer(DaemonContext& ctx, MultiServerHooks& hooks)
      : ctx_(ctx), hooks_(hooks), state_(std::make_shared<State>()) {
    state_->server = this;
    max_idle_ = double(ctx.config().get_time_seconds("max_idle"));
    max_use_ = ctx.config().get_int("max_use");
  }
  ~MultiServer() { state_->server = nullptr; }

  int run() {
    if (ctx_.args().stand_alone) return run_stand_alone();
    for (auto& listener : ctx_.listeners()) {
      int fd = listener.get();
      accept_watchers_.push_back(net::Watcher::readable(loop_, fd, [this, fd] { accept_clients(fd); }));
      accept_watchers_.back().enable();
    }
    status_watcher_ = net::Watcher::readable(loop_, kStatusFd, [this] { on_status_readable(); });
    status_watcher_.enable();
    idle_timer_ = net::Watcher::timer(loop_, [this] {
      if (clients_ == 0) loop_.stop();
    });
    if (hooks_.post_drop) hooks_.post_drop(ctx_, loop_);
    ctx_.status().report(true);
    arm_idle();
    loop_.run();
    return 0;
  }

 private:
  // Shared with leases, which may outlive the server object.
  struct State {
    MultiServer* server = nullptr;
  };

  int run_stand_alone() {
    if (hooks_.post_drop) hooks_.post_drop(ctx_, loop_);
    UniqueFd client(::dup(STDIN_FILENO));
    serve(std::move(client));
    stopping_ = true;
    if (clients_ > 0) loop_.run();
    return 0;
  }

  void accept_clients(int listen_fd) {
    for (int i = 0; i < 64 && !stopping_; ++i) {
      UniqueFd client(::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!client) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
          log::warning("accept: %m");
        return;
      }
      serve(std::move(client));
      if (max_use_ > 0 && uses_ >= max_use_) {
        stop_accepting();
        return;
      }
    }
  }

  void serve(UniqueFd client) {
    ++clients_;
    ++uses_;
    idle_timer_.disable();
    ctx_.status().report(false);
    std::weak_ptr<State> weak = state_;
    hooks_.on_client(std::move(client), ClientLease([weak] {
                       if (auto state = weak.lock(); state && state->server) state->server->client_done();
                     }));
  }

  void client_done() {
    if (--clients_ > 0) return;
    if (stopping_) {
      loop_.stop();
      return;
    }
    ctx_.status().report(true);
    arm_idle();
  }

  void arm_idle() {
    if (max_idle_ > 0 && idle_timer_) idle_timer_.arm(max_idle_);
  }

  // EOF from master: reload or stop. Finish what we have, then exit.
  void on_status_readable() {
    char buf[64];
    ssize_t n = ::read(kStatusFd, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    if (n > 0) return;  // master never writes; ignore noise
    status_watcher_.disable();
    ctx_.status().disconnect();
    stop_accepting();
  }

  void stop_accepting() {
    stopping_ = true;
    accept_watchers_.clear();
    ctx_.listeners().clear();  // closes them: new clients go to new processes
    ctx_.status().report(false);
    if (clients_ == 0) loop_.stop();
  }

  DaemonContext& ctx_;
  MultiServerHooks& hooks_;
  std::shared_ptr<State> state_;
  net::EventLoop loop_;
  std::vector<net::Watcher> accept_watchers_;
  net::Watcher status_watcher_;
  net::Watcher idle_timer_;
  double max_idle_ = 100;
  long long max_use_ = 100;
  long long uses_ = 0;
  int clients_ = 0;
  bool stopping_ = false;
};

}  // namespace

int run_multi_server(int argc, char** argv, MultiServerHooks hooks) {
  DaemonContext ctx = DaemonContext::init(argc, argv);
  if (hooks.pre_drop) hooks.pre_drop(ctx);
  ctx.drop_privileges();
  MultiServer server(ctx, hooks);
  return server.run();
}

}  // namespace postern::service
