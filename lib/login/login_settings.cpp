// Loading the settings every login service shares. See login_settings.hpp.
#include "lib/login/login_settings.hpp"

#include <unistd.h>

#include <algorithm>

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/service/privileges.hpp"

namespace postern::login {

std::string userip_directory(const std::string& queue_directory) { return queue_directory + "/pid/userip"; }

std::string login_delay_directory(const std::string& queue_directory) {
  return queue_directory + "/pid/login-delay";
}

void load_login_settings(service::DaemonContext& ctx, const std::string& protocol, LoadedLogin& out) {
  const auto& config = ctx.config();
  // Dovecot's log identity, so fail2ban's dovecot filter matches our lines.
  log::Options options;
  options.tag = "dovecot";
  options.to_syslog = true;
  options.file = config.get("maillog_file");
  options.to_stderr = ctx.args().stand_alone;
  log::configure(options);
  try {
    out.conf = std::make_unique<dovecot::DovecotConf>(dovecot::DovecotConf::load(config.get("dovecot_config_file")));
    const auto& conf = *out.conf;
    LoginSettings& s = out.settings;
    s.protocol = protocol;
    s.conf = out.conf.get();
    const auto& args = ctx.args().args;
    s.implicit_tls = std::find(args.begin(), args.end(), "ssl") != args.end();
    std::string ssl = to_lower(conf.get("ssl", protocol));
    s.ssl_required = ssl == "required";
    std::string cert = conf.get("ssl_cert", protocol), key = conf.get("ssl_key", protocol);
    if (ssl != "no" && !cert.empty() && !key.empty()) {
      auto cert_path = dovecot::file_value_path(cert), key_path = dovecot::file_value_path(key);
      auto tls = tls::TlsContext::server(cert_path.empty() ? cert : cert_path, key_path.empty() ? key : key_path);
      if (!tls) log::fatal("%s", tls.error().message.c_str());
      out.tls = std::move(*tls);
      s.tls = &*out.tls;
    } else if (s.implicit_tls || s.ssl_required) {
      log::fatal("%s: ssl = %s needs ssl_cert and ssl_key", conf.path().c_str(), ssl.c_str());
    }
    s.disable_plaintext = conf.get_bool("disable_plaintext_auth", protocol);
    s.trusted_networks = conf.get("login_trusted_networks", protocol);
    s.greeting = conf.get("login_greeting", protocol);
    s.mail_location = conf.get("mail_location", protocol);
    s.spool_dir = config.get("mail_spool_directory");
    s.auth_socket = config.get("queue_directory") + "/private/auth";
    s.userip_dir = userip_directory(config.get("queue_directory"));
    s.login_delay_dir = login_delay_directory(config.get("queue_directory"));
    s.first_valid_uid = long(parse_long(conf.get("first_valid_uid")).value_or(500));
    auto limit = parse_long(conf.get("mail_max_userip_connections", protocol));
    if (!limit || *limit < 0)
      log::fatal("%s: mail_max_userip_connections: not a number: %s", conf.path().c_str(),
                 conf.get("mail_max_userip_connections", protocol).c_str());
    s.max_userip_connections = unsigned(*limit);
    s.as_root = ::getuid() == 0;
    if (s.as_root) {
      auto owner = service::find_account(config.get("mail_owner"));
      if (!owner) log::fatal("%s", owner.error().message.c_str());
      s.login_uid = owner->uid;
      s.login_gid = owner->gid;
    }
    for (const auto& w : conf.warnings()) log::warning("%s", w.c_str());
  } catch (const dovecot::ConfError& e) {
    log::fatal("%s", e.what());
  }
}

}  // namespace postern::login
