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
// the auth service for it, and forks a mail process that becomes the
// mailbox owner before opening any mail (mail_session.cpp).
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
  return login::run_login_daemon(argc, argv, std::move(daemon));
}
