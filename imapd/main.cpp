// imapd: the IMAP server (RFC 3501 with SASL-IR, ID, ENABLE, IDLE,
// LITERAL+, UIDPLUS, MOVE, NAMESPACE, UNSELECT, CHILDREN, SPECIAL-USE,
// ESEARCH; STARTTLS and implicit TLS on 993). master starts it from
// dovecot.conf (protocols = imap, service imap-login listeners); args
// "-- ssl" mark the implicit-TLS listener.
//
// Processes and privileges (lib/login, as pop3d): this process stays root
// (when master is root) only to load the TLS key and fork; it never reads
// client input. Each connection gets a root process that never reads the
// client either; it forks a login process (mail_owner for good) that speaks
// IMAP and TLS until login (login_session.cpp), runs the SASL exchange with
// the auth service for it, and then itself becomes the mail process: the
// mailbox owner for good, before opening any mail (mail_session.cpp). The
// login process hands a plaintext client over and ends; it relays a TLS
// client (lib/login/handover.hpp). An idle session is one process.
// Settings (dovecot.conf): protocols, ssl, ssl_cert, ssl_key,
// disable_plaintext_auth, login_trusted_networks, login_greeting,
// mail_location, first_valid_uid, mail_max_userip_connections,
// imap_max_line_length, imap_capability, imap_idle_notify_interval,
// userdb { }; main.cf: dovecot_config_file, mail_owner,
// mail_spool_directory, queue_directory (private/auth socket).
#include "imapd/imap_settings.hpp"
#include "imapd/login_session.hpp"
#include "imapd/mail_session.hpp"
#include "lib/login/connection_root.hpp"
#include "lib/login/login_daemon.hpp"
#include "lib/login/userip_limit.hpp"

using namespace postern;

int main(int argc, char** argv) {
  imapd::ImapSettings settings;
  login::LoginDaemon daemon;
  daemon.protocol = "imap";
  daemon.load = [&](service::DaemonContext& ctx) { imapd::load_imap_settings(ctx, settings); };
  daemon.serve_connection = [&](int fd) {
    login::ConnectionHooks hooks;
    hooks.login = [&](int client, login::ControlChannel& control) {
      return imapd::LoginSession(settings, client, control).run();
    };
    hooks.mail = [&](login::HandedClient& client, const login::MailUser& user) {
      return imapd::MailSession(settings, client, user).run();
    };
    return login::run_connection(settings.login(), fd, hooks);
  };
  daemon.connection_ended = [&](pid_t pid) { login::release_userip_slots(settings.login().userip_dir, pid); };
  return login::run_login_daemon(argc, argv, std::move(daemon));
}
