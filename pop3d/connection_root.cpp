// One POP3 connection in three processes (root, login, mail), run by the
// shared lib/login code: pop3d only says how its login process speaks POP3
// (Session::run) and how its mail process serves the mailbox
// (Session::run_mail). Runs as root when master is root.
#include <unistd.h>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/login/connection_root.hpp"
#include "lib/login/login_settings.hpp"
#include "pop3d/session.hpp"
#include "pop3d/settings_load.hpp"

namespace postern::pop3d {
namespace {

login::LoginSettings shared_settings(const Settings& s) {
  login::LoginSettings out;
  out.protocol = "pop3";
  out.conf = s.conf;
  out.tls = s.tls;
  out.implicit_tls = s.implicit_tls;
  out.ssl_required = s.ssl_required;
  out.disable_plaintext = s.disable_plaintext;
  out.trusted_networks = s.trusted_networks;
  out.greeting = s.greeting;
  out.auth_socket = s.auth_socket;
  out.mail_location = s.mail_location;
  out.spool_dir = s.spool_dir;
  out.first_valid_uid = s.first_valid_uid;
  out.as_root = s.as_root;
  out.login_uid = s.login_uid;
  out.login_gid = s.login_gid;
  // <queue_directory>/private/auth -> <queue_directory>
  std::string queue = s.auth_socket.substr(0, s.auth_socket.rfind("/private/"));
  out.userip_dir = login::userip_directory(queue);
  out.max_userip_connections =
      unsigned(parse_long(s.conf->get("mail_max_userip_connections", "pop3")).value_or(10));
  return out;
}

}  // namespace

int run_connection(const LoadedSettings& loaded, int fd) {
  const Settings& s = loaded.settings;
  const login::LoginSettings shared = shared_settings(s);
  login::ConnectionHooks hooks;
  hooks.login = [&s](int client, login::ControlChannel& ctl) {
    Session session(s, client, &ctl);
    return session.run();
  };
  hooks.mail = [&s](int relay, const login::MailUser& u) {
    auto location = mailstore::resolve_mail_location(u.mail_location, u.user, u.home, s.spool_dir);
    if (!location) {
      log::error("pop3(%s): %s", u.user.c_str(), location.error().message.c_str());
      (void)write_all(relay, "-ERR [SYS/TEMP] Temporary authentication failure.\r\n");
      return 0;
    }
    Session session(s, relay, nullptr);
    return session.run_mail(u.user, u.session_id, *location);
  };
  return login::run_connection(shared, fd, hooks);
}

}  // namespace postern::pop3d
