// pop3d: the POP3 server (RFC 1939, 2449, 5034, 2595; implicit TLS on 995).
// master starts it from dovecot.conf (protocols = pop3, service pop3-login
// listeners); args "-- ssl" mark the implicit-TLS listener.
//
// Processes and privileges (lib/login): this process stays root (when
// master is root) only to load the TLS key and fork; it never reads client
// input. Each connection gets a root process that never reads the client
// either; it forks a login process (mail_owner for good) that speaks POP3
// and TLS, runs the SASL exchange with the auth service for it, and then
// itself becomes the mail process: the mailbox owner for good, before
// opening any mail. The login process hands a plaintext client over and
// ends; it relays a TLS client (lib/login/handover.hpp).
// Settings (dovecot.conf): protocols, ssl, ssl_cert, ssl_key,
// disable_plaintext_auth, login_trusted_networks, login_greeting,
// mail_location, first_valid_uid, mail_max_userip_connections,
// pop3_uidl_format, pop3_login_delay (Postern's), userdb { };
// main.cf: dovecot_config_file, mail_owner, mail_spool_directory,
// queue_directory (private/auth socket).
#include "lib/login/login_daemon.hpp"
#include "lib/login/userip_limit.hpp"
#include "pop3d/connection_root.hpp"
#include "pop3d/pop3_settings.hpp"

using namespace postern;

int main(int argc, char** argv) {
  pop3d::Pop3Settings settings;
  login::LoginDaemon daemon;
  daemon.protocol = "pop3";
  daemon.load = [&](service::DaemonContext& ctx) { pop3d::load_pop3_settings(ctx, settings); };
  daemon.serve_connection = [&](int fd) { return pop3d::run_connection(settings, fd); };
  daemon.connection_ended = [&](pid_t pid) { login::release_userip_slots(settings.login().userip_dir, pid); };
  return login::run_login_daemon(argc, argv, std::move(daemon));
}
