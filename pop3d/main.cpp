// pop3d: the POP3 server (RFC 1939, 2449, 5034, 2595; implicit TLS on 995).
// master starts it from dovecot.conf (protocols = pop3, service pop3-login
// listeners); args "-- ssl" mark the implicit-TLS listener.
//
// Processes and privileges: this process stays root (when master is root)
// only to load the TLS key and fork; it never reads client input. Each
// connection gets a root process that never reads the client either; it
// forks a login process (mail_owner for good) that speaks POP3 and TLS, runs
// the SASL exchange with the auth service for it, and forks a mail process
// that becomes the mailbox owner before opening any mail.
// Settings (dovecot.conf): protocols, ssl, ssl_cert, ssl_key,
// disable_plaintext_auth, login_trusted_networks, login_greeting,
// mail_location, first_valid_uid, userdb { }; main.cf: dovecot_config_file,
// mail_owner, mail_spool_directory, queue_directory (private/auth socket).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"
#include "lib/service/multi_server.hpp"
#include "lib/service/privileges.hpp"
#include "pop3d/settings_load.hpp"

using namespace postern;

int main(int argc, char** argv) {
  pop3d::LoadedSettings loaded;
  service::DaemonContext* context = nullptr;
  net::Watcher sigchld;
  std::map<pid_t, service::ClientLease> children;
  service::MultiServerHooks hooks;
  hooks.pre_drop = [&](service::DaemonContext& ctx) {
    context = &ctx;
    pop3d::load_settings(ctx, loaded);
  };
  hooks.post_drop = [&](service::DaemonContext&, net::EventLoop& loop) {
    sigchld = net::Watcher::signal(loop, SIGCHLD, [&children] {
      int status = 0;
      pid_t pid;
      while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
        if (WIFSIGNALED(status) && WTERMSIG(status) != SIGTERM && WTERMSIG(status) != SIGKILL)
          log::warning("pop3 session process %d killed by signal %d", int(pid), WTERMSIG(status));
        children.erase(pid);  // releases the lease: master sees us idle again
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
    // The session process: no listeners, no status channel, plain signals.
    // `lease` is left alone: the parent owns the count, and _exit() below
    // never runs its destructor.
    for (int sig : {SIGCHLD, SIGTERM, SIGHUP, SIGINT}) ::signal(sig, SIG_DFL);
    // When pop3d is stopped, its connections end (Dovecot's shutdown_clients).
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(0);
    ::close(3);
    for (auto& l : context->listeners()) ::close(l.release());
    set_nonblocking(fd.get(), false);
    ::_exit(pop3d::run_connection(loaded, fd.get()));
  };
  return service::run_multi_server(argc, argv, std::move(hooks));
}
