// The root process of one pop3d/imapd connection. See connection_root.hpp.
// Runs as root when master is root (otherwise nothing changes user).
#include "lib/login/connection_root.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

#include "lib/auth/auth_client.hpp"
#include "lib/auth/passdb.hpp"
#include "lib/log/log.hpp"
#include "lib/login/login_delay.hpp"
#include "lib/login/userip_limit.hpp"

namespace postern::login {
namespace {

// Permanently: no saved set-user-ID to return to.
bool become(uid_t uid, gid_t gid) {
  return ::setgroups(1, &gid) == 0 && ::setresgid(gid, gid, gid) == 0 && ::setresuid(uid, uid, uid) == 0 &&
         (uid == 0 || ::setuid(0) != 0);
}

// Dovecot's shutdown_clients = yes: when the daemon stops, its sessions end
// too. Set after any change of user ID, which clears it.
void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(0);
}

void reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

struct Root {
  const LoginSettings& s;
  const ConnectionHooks& hooks;
  ControlChannel& ctl;
  std::string rip, lip;
  std::optional<auth::AuthClient> auth;
  pid_t daemon_pid;  // our parent, the login daemon

  std::string tag() const { return s.protocol + "-login"; }

  std::vector<std::string> mechs_line() {
    std::vector<std::string> out = {"MECHS"};
    if (auth)
      for (const auto& m : auth->mechanisms()) out.push_back(m + (auth->is_plaintext(m) ? ":p" : ":n"));
    return out;
  }

  // One AUTH request. Returns only when the login did not go ahead: on
  // success this process becomes the mail process and never returns.
  void handle_auth(const std::vector<std::string>& f) {
    if (f.size() < 6) return;
    const std::string& mech = f[1];
    std::optional<std::string> initial;
    if (f[3].starts_with("R")) initial = f[3].substr(1);
    if (!auth) {
      auto client = auth::AuthClient::connect(s.auth_socket, 30);
      if (!client) {
        log::warning("%s: %s", tag().c_str(), client.error().message.c_str());
        ctl.send({"TEMPFAIL"});
        return;
      }
      auth = std::move(*client);
    }
    bool cancelled = false;
    auth::AuthParams params{s.protocol, rip, lip, f[2] == "1"};
    auto reply = auth->authenticate(mech, params, initial, [&](const std::string& challenge) -> std::optional<std::string> {
      ctl.send({"CONT", challenge});
      auto r = ctl.receive();
      if (!r || r->size() != 2 || (*r)[0] != "RESP") {
        cancelled = true;
        return std::nullopt;
      }
      return (*r)[1];
    });
    if (!reply || cancelled) {
      if (!reply) log::warning("%s: auth: %s", tag().c_str(), reply.error().message.c_str());
      auth.reset();  // the server may still hold the request: start afresh
      ctl.send({cancelled ? "ABORTED" : "TEMPFAIL"});
      return;
    }
    if (reply->kind == auth::AuthReply::Kind::fail) {
      ctl.send({"FAIL", reply->temp ? "1" : "0", reply->user, reply->reason});
      return;
    }
    // Done with the auth service: holding its connection for the whole
    // session kept the single auth process from ever reaching max_use and
    // being replaced, so the 101st concurrent login waited forever.
    auth.reset();
    return start_mail(reply->user, mech, f[4], f[5]);
  }

  void start_mail(const std::string& user, const std::string& method, const std::string& session_id,
                  const std::string& note) {
    auto tempfail = [&] { ctl.send({"FAIL", "1", user, ""}); };
    auth::UserInfo info;
    auth::Lookup l = auth::lookup_user(*s.conf, user, auth::RequestInfo{s.protocol, rip, lip}, info);
    if (l != auth::Lookup::ok || !info.uid || !info.gid) {
      log::error("%s(%s)<%s>: user not found in any userdb, or it has no uid/gid", s.protocol.c_str(), user.c_str(),
                 session_id.c_str());
      return tempfail();
    }
    if (s.as_root && (*info.uid == 0 || long(*info.uid) < s.first_valid_uid)) {
      log::error("%s(%s): Mail access for users with UID %u not permitted (see first_valid_uid in config file)",
                 s.protocol.c_str(), user.c_str(), unsigned(*info.uid));
      return tempfail();
    }
    UserIpSlot slot;
    if (UserIpSlot::acquire(s.userip_dir, user, rip, s.max_userip_connections, slot) ==
        UserIpSlot::Outcome::over_limit) {
      log::info("%s: Maximum number of connections from user+IP exceeded (mail_max_userip_connections=%u): "
                "user=<%s>, method=%s, rip=%s, lip=%s%s, session=<%s>",
                tag().c_str(), s.max_userip_connections, user.c_str(), method.c_str(), rip.c_str(), lip.c_str(),
                note.c_str(), session_id.c_str());
      ctl.send({"LIMIT", "1", user, "Maximum number of connections from user+IP exceeded"});
      return;
    }
    // Last: only a login that is going ahead counts as the user's last one.
    if (auto v = check_login_delay(s.login_delay_dir, user, s.login_delay, wall_clock_ms()); !v.allowed) {
      const long wait = long((v.wait_ms + 999) / 1000);
      log::info("%s: Login refused: logged in again within %s_login_delay=%u (%ld secs left): "
                "user=<%s>, method=%s, rip=%s, lip=%s%s, session=<%s>",
                tag().c_str(), s.protocol.c_str(), s.login_delay, wait, user.c_str(), method.c_str(), rip.c_str(),
                lip.c_str(), note.c_str(), session_id.c_str());
      ctl.send({"DELAY", std::to_string(wait), user});
      return;
    }
    MailUser mu{user, session_id, info.home, info.mail.empty() ? s.mail_location : info.mail, rip, lip,
                *info.uid, *info.gid};
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) return tempfail();
    UniqueFd ours(sp[0]), theirs(sp[1]);
    // This process becomes the mail process: a root process waiting beside
    // every session cost a process per connection. Its user slot
    // (mail_max_userip_connections) is released by the login daemon when
    // it reaps us (release_userip_slots), as we can no longer unlink it.
    log::info("%s: Login: user=<%s>, method=%s, rip=%s, lip=%s, mpid=%d%s, session=<%s>", tag().c_str(), user.c_str(),
              method.c_str(), rip.c_str(), lip.c_str(), int(::getpid()), note.c_str(), session_id.c_str());
    ::signal(SIGCHLD, SIG_IGN);  // the login process, our child, is reaped when it ends
    if (s.as_root && !become(mu.uid, mu.gid)) {
      log::error("%s(%s): cannot become uid %u: %m", s.protocol.c_str(), user.c_str(), unsigned(mu.uid));
      ctl.send({"FAIL", "1", user, ""});
      ::_exit(1);
    }
    die_with_parent(daemon_pid);
    ctl.send({"OK", user}, ours.get());
    ours.reset();
    ::close(ctl.fd());
    auto client = receive_client(std::move(theirs));
    if (!client) {
      log::error("%s(%s)<%d><%s>: %s", s.protocol.c_str(), user.c_str(), int(::getpid()), session_id.c_str(),
                 client.error().message.c_str());
      ::_exit(1);
    }
    ::_exit(hooks.mail(*client, mu));
  }
};

}  // namespace

std::string socket_address(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len)
                : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  if (rc != 0) return "";
  char buf[INET6_ADDRSTRLEN] = "";
  if (ss.ss_family == AF_INET) ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  else if (ss.ss_family == AF_INET6) ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  std::string s = buf;
  if (s.starts_with("::ffff:") && s.find('.') != std::string::npos) s = s.substr(7);
  return s;
}

int run_connection(const LoginSettings& s, int fd, const ConnectionHooks& hooks) {
  // Responses reach the client through the login process's relay, often in
  // more than one write; with Nagle's algorithm the last piece waited for
  // the client's delayed ACK (about 40 ms per command with one client).
  int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // fails harmlessly on non-TCP sockets
  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
    log::error("%s-login: socketpair: %m", s.protocol.c_str());
    return 1;
  }
  UniqueFd ours(sp[0]), theirs(sp[1]);
  pid_t parent = ::getpid();
  pid_t login = ::fork();
  if (login < 0) return 1;
  if (login == 0) {
    ours.reset();
    // Pre-login code talks to the network: mail_owner, with no way back.
    if (s.as_root && !become(s.login_uid, s.login_gid)) {
      log::error("%s-login: cannot drop privileges to mail_owner: %m", s.protocol.c_str());
      ::_exit(1);
    }
    die_with_parent(parent);
    ControlChannel ctl(std::move(theirs));
    ::_exit(hooks.login(fd, ctl));
  }
  theirs.reset();
  ControlChannel ctl(std::move(ours));
  Root state{s, hooks, ctl, socket_address(fd, true), socket_address(fd, false), {}, ::getppid()};
  ::close(fd);  // only the login process talks to the client
  auto client = auth::AuthClient::connect(s.auth_socket, 30);
  if (client) state.auth = std::move(*client);
  else log::warning("%s-login: %s", s.protocol.c_str(), client.error().message.c_str());
  state.ctl.send(state.mechs_line());
  while (auto f = state.ctl.receive()) {
    if (f->empty() || (*f)[0] != "AUTH") break;  // anything else: a broken login process
    state.handle_auth(*f);
  }
  reap(login);
  return 0;
}

}  // namespace postern::login
