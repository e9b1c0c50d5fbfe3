// One client connection of a login service (pop3d, imapd). The root
// process (this code; root when master is root) never reads the client: it
// forks the login process (mail_owner for good), runs the SASL exchanges
// that process relays with the auth service, enforces
// mail_max_userip_connections and pop3_login_delay, looks the user up in
// the userdbs, and then becomes the mail process itself: the mailbox owner
// for good (no saved root), before it reads anything from the client or
// touches mail. The login process then hands the client over (handover.hpp):
// a plaintext session is one process, a TLS session two (the login process
// relays).
//
// Control lines, login process -> root:
//   AUTH <mech> <secured 0|1> <R<initial b64>|N> <session id> <log note>
//   RESP <b64> | CANCEL                       (answers to CONT)
// root -> login process:
//   MECHS <name:p|n>...                       (first line; p = plaintext)
//   CONT <challenge b64> | OK <user> + the mail process's socket (SCM_RIGHTS;
//                                        the login process hands the client over on it)
//   FAIL <temp 0|1> <user> <reason> | TEMPFAIL | ABORTED
//   LIMIT 1 <user> <reason>                   (mail_max_userip_connections; shaped like FAIL)
//   DELAY <seconds left> <user>               (login_delay: logged in too recently; the session ends)
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

#include "lib/login/control_channel.hpp"
#include "lib/login/handover.hpp"
#include "lib/login/login_settings.hpp"

namespace postern::login {

// The authenticated user, as the mail process gets it.
struct MailUser {
  std::string user;
  std::string session_id;
  std::string home;
  std::string mail_location;  // userdb "mail" field, else mail_location
  std::string rip, lip;
  uid_t uid = 0;
  gid_t gid = 0;
};

struct ConnectionHooks {
  // In the login process (mail_owner): serves the client on `client_fd`
  // until login (then relays) or the end. Returns the exit status.
  std::function<int(int client_fd, ControlChannel& control)> login;
  // In the mail process (already the mailbox owner): serves the session
  // on the client's socket, or the login process's relay for TLS
  // (handover.hpp), reading `client.pending` first.
  std::function<int(HandedClient& client, const MailUser& user)> mail;
};

// In a freshly forked connection process; returns its exit status when no
// login went ahead (after a login the process serves the mail session and
// exits from there).
int run_connection(const LoginSettings& s, int fd, const ConnectionHooks& hooks);

// "203.0.113.9" for the peer (peer = true) or our end of a socket.
std::string socket_address(int fd, bool peer);

}  // namespace postern::login
