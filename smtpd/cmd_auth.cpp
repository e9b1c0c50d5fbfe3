// AUTH (RFC 4954) through the auth server (smtpd_sasl_type = dovecot): the
// checks Postfix makes before an exchange starts; the exchange itself runs on
// the event loop (Session::begin_auth). In smtpd, as mail_owner.
#include <algorithm>

#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_auth(Session& s, const smtp::Command& cmd) {
  const auto offered = s.offered_mechanisms();
  if (offered.empty()) return s.reply(503, "5.5.1", "Error: authentication not enabled");
  if (s.helo().empty()) return s.reply(503, "5.5.1", "Error: send HELO/EHLO first");
  if (!s.sasl_username().empty()) return s.reply(503, "5.5.1", "Error: already authenticated");
  if (s.tx().active) return s.reply(503, "5.5.1", "Error: MAIL transaction in progress");
  if (std::find(offered.begin(), offered.end(), cmd.argument) == offered.end())
    return s.reply(535, "5.7.8", "Error: authentication failed: Invalid authentication mechanism");
  std::optional<std::string> initial;
  if (!cmd.initial_response.empty()) initial = cmd.initial_response == "=" ? "" : cmd.initial_response;
  s.begin_auth(cmd.argument, initial);
}

}  // namespace postern::smtpd
