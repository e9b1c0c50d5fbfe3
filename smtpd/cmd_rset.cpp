// RSET: abandons the transaction (an unfinished message leaves nothing). In
// smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_rset(Session& s, const smtp::Command& cmd) {
  s.reset_transaction();
  s.flush_transcript();
  s.count_ok(cmd.verb);
  s.reply(250, "2.0.0", "Ok");
}

}  // namespace postern::smtpd
