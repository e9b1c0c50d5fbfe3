// RCPT TO: the access policy (relay control, local_recipient_maps), the recipient limit,
// DSN NOTIFY/ORCPT kept for the queue file. In smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_rcpt(Session& s, const smtp::Command& cmd) {
  auto& tx = s.tx();
  if (!tx.active) return s.reply(503, "5.5.1", "Error: need MAIL command");
  if (tx.bdat_started) return s.reply(503, "5.5.1", "Error: RCPT after BDAT");
  if (static_cast<int>(tx.recipients.size()) >= s.params().recipient_limit)
    return s.reply(452, "4.5.3", "Error: too many recipients");
  if (s.client_refusal()) {
    s.note_error(kErrorPolicy);
    s.log_reject("RCPT", *s.client_refusal(), cmd.path.address);
    return s.reply(*s.client_refusal());
  }
  // smtpd_*_restrictions (the client, helo and sender lists too, with
  // smtpd_delay_reject), then the implicit reject_unlisted_recipient.
  if (!s.check_access(Stage::recipient, "RCPT", cmd.path.address)) return;
  queue::Recipient rcpt;
  rcpt.address = cmd.path.address;
  rcpt.notify = cmd.rcpt.notify;
  if (cmd.rcpt.orcpt) rcpt.orcpt = cmd.rcpt.orcpt_type.value_or("rfc822") + ";" + *cmd.rcpt.orcpt;
  tx.recipients.push_back(std::move(rcpt));
  s.count_ok(cmd.verb);
  s.reply(250, "2.1.5", "Ok");
}

}  // namespace postern::smtpd
