// Loading pop3d's settings and starting a session process. See settings_load.hpp.
#include "pop3d/settings_load.hpp"

#include <unistd.h>

#include <algorithm>

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/service/privileges.hpp"

namespace postern::pop3d {

void load_settings(service::DaemonContext& ctx, LoadedSettings& out) {
  const auto& config = ctx.config();
  // Dovecot's log identity, so fail2ban's dovecot filter matches our lines.
  log::configure({.tag = "dovecot", .to_syslog = true, .file = config.get("maillog_file"),
                  .to_stderr = ctx.args().stand_alone});
  try {
    out.conf = std::make_unique<dovecot::DovecotConf>(dovecot::DovecotConf::load(config.get("dovecot_config_file")));
    const auto& conf = *out.conf;
    Settings& s = out.settings;
    s.conf = out.conf.get();
    const auto& args = ctx.args().args;
    s.implicit_tls = std::find(args.begin(), args.end(), "ssl") != args.end();
    std::string ssl = to_lower(conf.get("ssl", "pop3"));
    s.ssl_required = ssl == "required";
    std::string cert = conf.get("ssl_cert", "pop3"), key = conf.get("ssl_key", "pop3");
    if (ssl != "no" && !cert.empty() && !key.empty()) {
      auto cert_path = dovecot::file_value_path(cert), key_path = dovecot::file_value_path(key);
      auto tls = tls::TlsContext::server(cert_path.empty() ? cert : cert_path, key_path.empty() ? key : key_path);
      if (!tls) log::fatal("%s", tls.error().message.c_str());
      out.tls = std::move(*tls);
      s.tls = &*out.tls;
    } else if (s.implicit_tls || s.ssl_required) {
      log::fatal("%s: ssl = %s needs ssl_cert and ssl_key", conf.path().c_str(), ssl.c_str());
    }
    s.disable_plaintext = conf.get_bool("disable_plaintext_auth", "pop3");
    s.trusted_networks = conf.get("login_trusted_networks", "pop3");
    s.greeting = conf.get("login_greeting", "pop3");
    s.mail_location = conf.get("mail_location", "pop3");
    s.uidl_format = conf.get("pop3_uidl_format", "pop3");
    s.spool_dir = config.get("mail_spool_directory");
    s.auth_socket = config.get("queue_directory") + "/private/auth";
    s.first_valid_uid = long(parse_long(conf.get("first_valid_uid")).value_or(500));
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

}  // namespace postern::pop3d
