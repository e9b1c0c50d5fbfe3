// BDAT (RFC 3030 CHUNKING): every chunk is read, even when the command is
// refused, so the client and we never disagree on where commands resume.
// In smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_bdat(Session& s, const smtp::Command& cmd) {
  auto& tx = s.tx();
  if (cmd.bdat_size == 0 && !cmd.bdat_last) return s.reply(551, "5.7.1", "Null BDAT request");
  // Refused chunks are still read and then answered (end_of_chunk).
  bool keep = tx.active && !tx.recipients.empty() && !tx.bdat_failed;
  if (keep && !tx.bdat_started) {
    tx.bdat_started = true;
    tx.content.emplace(s.params().cleanup, s.server().ids, s.submission());
    s.begin_bdat(cmd.bdat_size, cmd.bdat_last, true, true);
    return;
  }
  s.begin_bdat(cmd.bdat_size, cmd.bdat_last, keep, false);
}

void end_of_chunk(Session& s) {
  auto& b = s.bdat();
  auto& tx = s.tx();
  const bool last = b.message_complete();
  s.enter_command_mode();
  if (!s.bdat_keep()) {
    if (tx.bdat_failed) {
      // The rest of a message whose earlier chunk was refused.
      if (last) s.reset_transaction();
      return s.reply(551, "5.0.0", "Discarded " + std::to_string(b.size()) + " bytes after earlier error");
    }
    if (!tx.active) return s.reply(503, "5.5.1", "Error: need MAIL command");
    return s.reply(503, "5.5.1", "Error: need RCPT command");
  }
  if (b.size_exceeded()) {
    tx.bdat_failed = !last;
    tx.content.reset();
    if (last) s.reset_transaction();
    return s.reply(552, "5.3.4", "Chunk exceeds message size limit");
  }
  if (!last) {
    s.count_ok(smtp::Verb::bdat);
    return s.reply(250, "2.0.0", "Ok: " + std::to_string(b.size()) + " bytes");
  }
  deliver_message(s, b.bare_lf(), b.longest_line(), false, smtp::Verb::bdat);
}

}  // namespace postern::smtpd
