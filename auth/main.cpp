// auth: Postern's authentication service, speaking the Dovecot auth protocol
// on a UNIX socket (service auth in dovecot.conf; default
// $queue_directory/private/auth, where Postfix's smtpd_sasl_path = private/auth
// finds it). Serves Postfix/Postern smtpd (smtpd_sasl_type = dovecot), pop3d
// and imapd.
//
// Privileges: stays root when master starts it as root, because the shadow
// and pam passdbs read /etc/shadow; it never touches mail.
// Settings (dovecot.conf, named by main.cf's dovecot_config_file):
// auth_mechanisms, passdb { }, disable_plaintext_auth, login_trusted_networks,
// auth_username_format, auth_failure_delay, auth_verbose, hostname, and
// service auth-worker { process_limit } (threads checking passwords; 30).
// Its sockets (service auth { unix_listener ... { mode user group } }) are
// created by master with their mode and owner (master/socket_permissions).
#include <algorithm>
#include <cstdlib>
#include <memory>

#include "auth/auth_service.hpp"
#include "lib/auth/auth_engine.hpp"
#include "lib/dovecot/dovecot_conf.hpp"
#include "lib/log/log.hpp"
#include "lib/service/multi_server.hpp"

using namespace postern;

int main(int argc, char** argv) {
  std::unique_ptr<auth::AuthEngine> engine;
  std::unique_ptr<authd::AuthService> clients;
  unsigned workers = 30;  // Dovecot's default service auth-worker process_limit
  service::MultiServerHooks hooks;
  hooks.pre_drop = [&](service::DaemonContext& ctx) {
    std::string path = ctx.config().get("dovecot_config_file");
    try {
      auto conf = dovecot::DovecotConf::load(path);
      for (const auto& w : conf.warnings()) log::warning("%s", w.c_str());
      engine = std::make_unique<auth::AuthEngine>(conf);
      if (const auto* w = conf.root().child("service", "auth-worker")) {
        long n = std::atol(w->get("process_limit", "30").c_str());
        if (n > 0) workers = static_cast<unsigned>(std::min(n, 256L));
      }
    } catch (const dovecot::ConfError& e) {
      log::fatal("%s", e.what());
    }
  };
  hooks.post_drop = [&](service::DaemonContext&, net::EventLoop& loop) {
    clients = std::make_unique<authd::AuthService>(loop, *engine, workers);
  };
  hooks.on_client = [&](UniqueFd fd, service::ClientLease lease) { clients->add_client(std::move(fd), std::move(lease)); };
  return service::run_multi_server(argc, argv, std::move(hooks));
}
