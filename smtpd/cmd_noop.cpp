// NOOP. In smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_noop(Session& s, const smtp::Command& cmd) {
  s.count_ok(cmd.verb);
  s.reply(250, "2.0.0", "Ok");
}

}  // namespace postern::smtpd
