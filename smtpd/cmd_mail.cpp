// MAIL FROM: starts a transaction after smtpd_helo_required, the
// queue_minfree check and (smtpd_delay_reject = no) the sender restrictions. In smtpd,
// as mail_owner.
#include "lib/log/log.hpp"
#include "lib/queue/queue_layout.hpp"
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_mail(Session& s, const smtp::Command& cmd) {
  if (s.tx().bdat_started) return s.reply(503, "5.5.1", "Error: MAIL after BDAT");
  if (s.tx().active) return s.reply(503, "5.5.1", "Error: nested MAIL command");
  if (s.params().helo_required && s.helo().empty()) return s.reply(503, "5.5.1", "Error: send HELO/EHLO first");
  if (s.client_refusal()) {
    s.note_error(kErrorPolicy);
    s.log_reject("MAIL", *s.client_refusal(), "");
    return s.reply(*s.client_refusal());
  }
  if (cmd.mail.smtputf8 && !s.params().smtputf8_enable)
    return s.reply(504, "5.5.4", "Error: SMTPUTF8 support is not enabled");
  // Refuse now rather than after the client sent the whole message.
  std::uint64_t expected = cmd.mail.size.value_or(0);
  const auto& p = s.params();
  Status space = queue::check_free_space(p.cleanup.layout.queue_directory, p.queue_minfree,
                                         std::max<std::uint64_t>(p.message_size_limit, expected));
  if (!space) {
    log::warning("%s", space.error().message.c_str());
    smtp::Reply r{452, "4.3.1", "Insufficient system storage"};
    s.note_error(bounce::kNotifyResource);
    s.log_reject("MAIL", r, "");
    return s.reply(r);
  }
  s.tx().active = true;
  s.tx().sender = cmd.path.address;
  s.tx().mail = cmd.mail;
  if (!p.policy.delay_reject && !s.check_access(Stage::sender, "MAIL", std::nullopt)) {
    s.reset_transaction();
    return;
  }
  s.count_ok(cmd.verb);
  s.reply(250, "2.1.0", "Ok");
}

}  // namespace postern::smtpd
