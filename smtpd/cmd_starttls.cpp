// STARTTLS (RFC 3207): "220 2.0.0 Ready to start TLS", then everything the
// client sent before the handshake is thrown away (CVE-2011-0411) and the
// session starts over inside TLS. In smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_starttls(Session& s, const smtp::Command& cmd) {
  if (s.tls_active()) return s.reply(554, "5.5.1", "Error: TLS already active");
  if (!s.tls_available()) return s.reply(502, "5.5.1", "Error: command not implemented");
  s.count_ok(cmd.verb);
  s.reset_transaction();
  s.reply(220, "2.0.0", "Ready to start TLS");
  s.begin_starttls();
}

}  // namespace postern::smtpd
