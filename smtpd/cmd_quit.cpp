// QUIT: "221 2.0.0 Bye", then the session closes once the reply is out. In
// smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_quit(Session& s, const smtp::Command& cmd) {
  s.count_ok(cmd.verb);
  s.reply(221, "2.0.0", "Bye");
  s.close_after_reply();
}

}  // namespace postern::smtpd
