// VRFY: off unless disable_vrfy_command = no (it lets spammers harvest
// addresses). When on, syntax only: no recipient lookup exists yet, so the
// answer is RFC 5321's "cannot verify, will try" 252. In smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_vrfy(Session& s, const smtp::Command& cmd) {
  if (s.params().disable_vrfy) return s.reply(502, "5.5.1", "VRFY command is disabled");
  s.count_ok(cmd.verb);
  std::string address = cmd.argument;
  if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
    address = address.substr(1, address.size() - 2);
  s.reply(252, "2.0.0", address);
}

}  // namespace postern::smtpd
