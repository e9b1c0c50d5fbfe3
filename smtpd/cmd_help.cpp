// HELP: lists the commands (Postfix has none; RFC 5321 4.1.1.8). In smtpd,
// as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_help(Session& s, const smtp::Command& cmd) {
  s.count_ok(cmd.verb);
  s.reply(214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");
}

}  // namespace postern::smtpd
