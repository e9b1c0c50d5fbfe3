// One POP3 connection in three processes (root, login, mail), run by the
// shared lib/login code: pop3d only says how its login process speaks POP3
// (Session::run) and how its mail process serves the mailbox
// (Session::run_mail). Runs as root when master is root.
#include "pop3d/connection_root.hpp"

#include <unistd.h>

#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"
#include "lib/login/client_handoff.hpp"
#include "lib/login/connection_root.hpp"
#include "pop3d/session.hpp"

namespace postern::pop3d {

int run_connection(const Pop3Settings& s, int fd) {
  login::ConnectionHooks hooks;
  hooks.login = [&s](int client, login::ControlChannel& ctl) {
    Session session(s, client, &ctl);
    return session.run();
  };
  hooks.mail = [&s](int relay, const login::MailUser& u) {
    // The client socket itself when the login process handed it over
    // (plain connections), else the login process relays through `relay`.
    auto handed = login::accept_client(relay);
    if (!handed) {
      log::error("pop3(%s): %s", u.user.c_str(), handed.error().message.c_str());
      return 0;
    }
    const int client = *handed ? handed->get() : relay;
    auto location = mailstore::resolve_mail_location(u.mail_location, u.user, u.home, s.login().spool_dir);
    if (!location) {
      log::error("pop3(%s): %s", u.user.c_str(), location.error().message.c_str());
      (void)write_all(client, "-ERR [SYS/TEMP] Temporary authentication failure.\r\n");
      return 0;
    }
    Session session(s, client, nullptr);
    return session.run_mail(u.user, u.session_id, *location);
  };
  return login::run_connection(s.login(), fd, hooks);
}

}  // namespace postern::pop3d
