// Loading pop3d's settings. See pop3_settings.hpp.
#include "pop3d/pop3_settings.hpp"

#include "lib/log/log.hpp"

namespace postern::pop3d {

void load_pop3_settings(service::DaemonContext& ctx, Pop3Settings& out) {
  login::load_login_settings(ctx, "pop3", out.loaded);
  const auto& conf = *out.loaded.conf;
  try {
    out.uidl_format = conf.get("pop3_uidl_format", "pop3");
    // Postern's own setting (Dovecot has none): RFC 2449 LOGIN-DELAY.
    long long delay = conf.get_seconds("pop3_login_delay", "pop3");
    if (delay < 0 || delay > 86400)
      log::fatal("%s: pop3_login_delay: not between 0 and 1 day: %s", conf.path().c_str(),
                 conf.get("pop3_login_delay", "pop3").c_str());
    out.loaded.settings.login_delay = unsigned(delay);
  } catch (const dovecot::ConfError& e) {
    log::fatal("%s", e.what());
  }
}

}  // namespace postern::pop3d
