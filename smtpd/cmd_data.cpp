// DATA and the end of a message (shared with BDAT LAST): the smuggling and
// line-length rules, then cleanup commits the queue file (fsynced, on the
// commit pool) before the 250 that carries its ID. In smtpd, as mail_owner.
#include "lib/log/log.hpp"
#include "lib/smtp/reply.hpp"
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_data(Session& s, const smtp::Command& cmd) {
  auto& tx = s.tx();
  if (tx.bdat_started) return s.reply(503, "5.5.1", "Error: DATA after BDAT");
  if (!tx.active) return s.reply(503, "5.5.1", "Error: need RCPT command");
  if (tx.recipients.empty()) return s.reply(554, "5.5.1", "Error: no valid recipients");
  (void)cmd;
  if (!s.check_access(Stage::data, "DATA", std::nullopt)) return;
  tx.content.emplace(s.params().cleanup, s.server().ids, s.submission());
  s.send_raw("354 End data with <CR><LF>.<CR><LF>\r\n");
  s.begin_data();
}

void end_of_data(Session& s) {
  auto& d = s.decoder();
  s.enter_command_mode();
  deliver_message(s, d.bare_lf(), d.longest_line(), d.size_exceeded(), smtp::Verb::data);
}

void deliver_message(Session& s, bool bare_lf, std::uint64_t longest_line, bool size_exceeded,
                     smtp::Verb verb) {
  const auto& p = s.params();
  // Mail refused for its content or size: notify_classes "bounce" (Postfix).
  auto reject = [&](const smtp::Reply& r) {
    s.note_error(kErrorBounce);
    s.log_reject(verb == smtp::Verb::data ? "END-OF-MESSAGE" : "BDAT", r, "");
    s.reset_transaction();
    s.reply(r);
  };
  if (size_exceeded) return reject({552, "5.3.4", "Message size exceeds fixed limit"});
  // Smuggling: a bare <LF> never ended the data (the decoder saw to that);
  // smtpd_forbid_bare_newline = reject refuses the message outright.
  if (bare_lf && p.bare_newline == BareNewline::reject &&
      !p.bare_newline_exclusions.contains(s.client().address))
    return reject(smtp::bare_lf_reply(p.bare_newline_code, p.myhostname));
  // RFC 5321 4.5.3.1.6: text lines are at most 1000 octets with <CR><LF>.
  if (longest_line > 998)
    return reject({552, "5.6.0", "Error: message line too long (RFC 5321 limit is 1000 bytes)"});

  if (!s.check_access(Stage::end_of_data, "END-OF-MESSAGE", std::nullopt)) {
    // A restriction waits for DNS or a policy server: finish again with the answer.
    if (s.dns_pending())
      return s.suspend_for_dns([&s, bare_lf, longest_line, size_exceeded, verb] {
        deliver_message(s, bare_lf, longest_line, size_exceeded, verb);
      });
    return s.reset_transaction();
  }
  auto& tx = s.tx();
  tx.content->add_actions(s.message_actions());
  const std::uint64_t bdat_size = s.bdat().size();
  s.await_commit(tx.content->finish_async(), [&s, verb, bdat_size](cleanup::Outcome out) {
    answer_message(s, out, verb, bdat_size);
  });
}

void answer_message(Session& s, const cleanup::Outcome& out, smtp::Verb verb, std::uint64_t bdat_size) {
  if (!out.ok()) {
    // Storage trouble is "resource"; hop and size limits refuse the mail
    // ("bounce"); anything else here is our own fault ("software").
    // header_checks REJECT is "policy", and cleanup's own log line
    // ("ID: reject: header ...") is its record, as in Postfix.
    if (out.content_rejected)
      s.note_error(bounce::kNotifyPolicy);
    else if (out.code == 452 || out.enhanced == "4.3.1")
      s.note_error(bounce::kNotifyResource);
    else if (out.enhanced == "5.4.0" || out.enhanced == "5.3.4")
      s.note_error(kErrorBounce);
    else
      s.note_error(kErrorSoftware);
    if (!out.content_rejected)
      s.log_reject(verb == smtp::Verb::data ? "END-OF-MESSAGE" : "BDAT",
                   smtp::Reply{out.code, out.enhanced, out.text}, "");
    s.reset_transaction();
    return s.reply(out.code, out.enhanced.c_str(), out.text);
  }
  s.count_ok(verb);
  s.reset_transaction();
  s.flush_transcript();
  // Postfix words the BDAT LAST reply "Ok: N bytes queued as ID".
  if (verb == smtp::Verb::bdat)
    return s.reply(250, "2.0.0",
                   "Ok: " + std::to_string(bdat_size) + " bytes queued as " + out.queue_id);
  s.reply(250, "2.0.0", out.text);
}

}  // namespace postern::smtpd
