// A login service's daemon process. See login_daemon.hpp.
#include "lib/login/login_daemon.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>

#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/multi_server.hpp"

namespace postern::login {

int run_login_daemon(int argc, char** argv, LoginDaemon daemon) {
  service::DaemonContext* context = nullptr;
  net::Watcher sigchld;
  std::map<pid_t, service::ClientLease> children;
  service::MultiServerHooks hooks;
  hooks.pre_drop = [&](service::DaemonContext& ctx) {
    context = &ctx;
    daemon.load(ctx);
  };
  hooks.post_drop = [&](service::DaemonContext&, net::EventLoop& loop) {
    sigchld = net::Watcher::signal(loop, SIGCHLD, [&children, &daemon] {
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGKILL)
          log::warning("%s session process %d killed by signal %d", daemon.protocol, int(pid), WTERMSIG(status));
        children.erase(pid);  // releases the lease: master sees us idle again
        if (daemon.connection_ended) daemon.connection_ended(pid);
      }
    });
  };
  hooks.on_client = [&](UniqueFd fd, service::ClientLease lease) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) {
      log::warning("fork: %m");
      return;
    }
    if (pid > 0) {
      children.emplace(pid, std::move(lease));
      return;
    }
    // The connection process: no listeners, no status channel, plain signals.
    // `lease` is left alone: the parent owns the count, and _exit() below
    // never runs its destructor.
    for (int sig : {SIGCHLD, SIGTERM, SIGHUP, SIGINT}) ::signal(sig, SIG_DFL);
    // When the daemon is stopped, its connections end (Dovecot's shutdown_clients).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(0);
    ::close(3);
    for (auto& l : context->listeners()) ::close(l.release());
    set_nonblocking(fd.get(), false);
    ::_exit(daemon.serve_connection(fd.get()));
  };
  return service::run_multi_server(argc, argv, std::move(hooks));
}

}  // namespace postern::login
