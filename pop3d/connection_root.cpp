// The root process of one POP3 connection. It never reads the client: it
// forks the login process (mail_owner, for good), runs the SASL exchanges the
// login process relays with the auth service, and for an authenticated user
// forks the mail process, which becomes that user before opening any mail.
// Runs as root when master is root (otherwise nothing changes user).
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/auth/auth_client.hpp"
#include "lib/auth/passdb.hpp"
#include "lib/log/log.hpp"
#include "pop3d/control_channel.hpp"
#include "pop3d/session.hpp"
#include "pop3d/settings_load.hpp"

namespace postern::pop3d {
namespace {

// Permanently: no saved set-user-ID to return to.
bool become(uid_t uid, gid_t gid) {
  return ::setgroups(1, &gid) == 0 && ::setresgid(gid, gid, gid) == 0 && ::setresuid(uid, uid, uid) == 0 &&
         (uid == 0 || ::setuid(0) != 0);
}

// Dovecot's shutdown_clients = yes: when pop3d stops, its sessions end too
// (and, having no QUIT, delete nothing). Set after any change of user ID,
// which clears it.
void die_with_parent(pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  if (::getppid() != parent) ::_exit(0);
}

void reap(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

struct Login {
  const Settings& s;
  ControlChannel& ctl;
  std::string rip, lip;
  std::optional<auth::AuthClient> auth;

  std::vector<std::string> mechs_line() {
    std::vector<std::string> out = {"MECHS"};
    if (auth)
      for (const auto& m : auth->mechanisms()) out.push_back(m + (auth->is_plaintext(m) ? ":p" : ":n"));
    return out;
  }

  // One AUTH request from the login process: fields mech, secured, initial, session, tls note.
  // Returns true when a mail process was started (the connection is then handed over).
  bool handle_auth(const std::vector<std::string>& f) {
    if (f.size() < 6) return false;
    const std::string& mech = f[1];
    std::optional<std::string> initial;
    if (f[3].starts_with("R")) initial = f[3].substr(1);
    if (!auth) {
      auto client = auth::AuthClient::connect(s.auth_socket, 30);
      if (!client) {
        log::warning("pop3-login: %s", client.error().message.c_str());
        ctl.send({"TEMPFAIL"});
        return false;
      }
      auth = std::move(*client);
    }
    bool cancelled = false;
    auth::AuthParams params{"pop3", rip, lip, f[2] == "1"};
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
      if (!reply) log::warning("pop3-login: auth: %s", reply.error().message.c_str());
      auth.reset();  // the server may still hold the request: start afresh
      ctl.send({cancelled ? "ABORTED" : "TEMPFAIL"});
      return false;
    }
    if (reply->kind == auth::AuthReply::Kind::fail) {
      ctl.send({"FAIL", reply->temp ? "1" : "0", reply->user, reply->reason});
      return false;
    }
    return start_mail(reply->user, mech, f[4], f[5]);
  }

  bool start_mail(const std::string& user, const std::string& method, const std::string& session_id,
                  const std::string& tls_note) {
    auto tempfail = [&] {
      ctl.send({"FAIL", "1", user, ""});
      return false;
    };
    auth::UserInfo info;
    auth::Lookup l = auth::lookup_user(*s.conf, user, auth::RequestInfo{"pop3", rip, lip}, info);
    if (l != auth::Lookup::ok || !info.uid || !info.gid) {
      log::error("pop3(%s)<%s>: user not found in any userdb, or it has no uid/gid", user.c_str(), session_id.c_str());
      return tempfail();
    }
    if (s.as_root && (*info.uid == 0 || long(*info.uid) < s.first_valid_uid)) {
      log::error("pop3(%s): Mail access for users with UID %u not permitted (see first_valid_uid in config file)",
                 user.c_str(), unsigned(*info.uid));
      return tempfail();
    }
    auto location = mailstore::resolve_mail_location(info.mail.empty() ? s.mail_location : info.mail, user, info.home,
                                                     s.spool_dir);
    if (!location) {
      log::error("pop3(%s): %s", user.c_str(), location.error().message.c_str());
      return tempfail();
    }
    int sp[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) return tempfail();
    UniqueFd ours(sp[0]), theirs(sp[1]);
    pid_t parent = ::getpid();
    pid_t mail = ::fork();
    if (mail < 0) return tempfail();
    if (mail == 0) {
      ours.reset();
      ::close(ctl.fd());
      if (s.as_root && !become(*info.uid, *info.gid)) {
        log::error("pop3(%s): cannot become uid %u: %m", user.c_str(), unsigned(*info.uid));
        ::_exit(1);
      }
      die_with_parent(parent);
      Session session(s, theirs.get(), nullptr);
      ::_exit(session.run_mail(user, session_id, *location));
    }
    theirs.reset();
    log::info("pop3-login: Login: user=<%s>, method=%s, rip=%s, lip=%s, mpid=%d%s, session=<%s>", user.c_str(),
              method.c_str(), rip.c_str(), lip.c_str(), int(mail), tls_note.c_str(), session_id.c_str());
    ctl.send({"OK", user}, ours.get());
    ours.reset();
    reap(mail);
    return true;
  }
};

}  // namespace

int run_connection(const LoadedSettings& loaded, int fd) {
  const Settings& s = loaded.settings;
  int sp[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) != 0) {
    log::error("pop3-login: socketpair: %m");
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
      log::error("pop3-login: cannot drop privileges to mail_owner: %m");
      ::_exit(1);
    }
    die_with_parent(parent);
    ControlChannel ctl(std::move(theirs));
    Session session(s, fd, &ctl);
    ::_exit(session.run());
  }
  theirs.reset();
  ControlChannel ctl(std::move(ours));
  Login state{s, ctl, socket_address(fd, true), socket_address(fd, false), {}};
  ::close(fd);  // only the login process talks to the client
  auto client = auth::AuthClient::connect(s.auth_socket, 30);
  if (client) state.auth = std::move(*client);
  else log::warning("pop3-login: %s", client.error().message.c_str());
  state.ctl.send(state.mechs_line());
  while (auto f = state.ctl.receive()) {
    if (f->empty() || (*f)[0] != "AUTH") break;  // anything else: a broken login process
    if (state.handle_auth(*f)) break;
  }
  reap(login);
  return 0;
}

}  // namespace postern::pop3d
