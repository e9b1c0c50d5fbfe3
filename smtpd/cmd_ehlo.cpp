// HELO and EHLO: name the client, start over, and (EHLO) list the extensions
// in Postfix's order. In smtpd, as mail_owner.
#include <algorithm>

#include "lib/smtp/reply.hpp"
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void cmd_helo(Session& s, const smtp::Command& cmd) {
  const bool esmtp = cmd.verb == smtp::Verb::ehlo;
  s.flush_transcript();  // Postfix's smtpd_history_flush_threshold points
  // RFC 5321 4.1.4: HELO/EHLO in the middle of a transaction resets it.
  s.reset_transaction();
  if (s.client_refusal()) {
    s.log_reject(esmtp ? "EHLO" : "HELO", *s.client_refusal(), "");
    return s.reply(*s.client_refusal());
  }
  if (!s.params().policy.delay_reject) {
    // The helo restrictions see the new name; a refused name is forgotten.
    std::string previous = s.helo();
    const bool previous_esmtp = s.esmtp();
    s.set_helo(cmd.argument, esmtp);
    if (!s.check_access(Stage::helo, esmtp ? "EHLO" : "HELO", std::nullopt)) {
      s.set_helo(previous, previous_esmtp);
      return;
    }
  }
  s.set_helo(cmd.argument, esmtp);
  s.count_ok(cmd.verb);
  if (!esmtp) {
    s.send_raw("250 " + s.params().myhostname + "\r\n");
    return;
  }
  std::vector<std::string> keywords = {"PIPELINING"};
  keywords.push_back(s.params().message_size_limit ? "SIZE " + std::to_string(s.params().message_size_limit)
                                                   : "SIZE");
  if (!s.params().disable_vrfy) keywords.push_back("VRFY");
  if (s.tls_available()) keywords.push_back("STARTTLS");
  auto mechanisms = s.offered_mechanisms();
  if (!mechanisms.empty()) {
    std::string list;
    for (const auto& m : mechanisms) list += " " + m;
    keywords.push_back("AUTH" + list);
    // broken_sasl_auth_clients: Outlook Express 4 and Office 2000 look for "AUTH=".
    if (s.params().broken_sasl_auth_clients) keywords.push_back("AUTH=" + list.substr(1));
  }
  keywords.push_back("ENHANCEDSTATUSCODES");
  keywords.push_back("8BITMIME");
  keywords.push_back("DSN");
  if (s.params().smtputf8_enable) keywords.push_back("SMTPUTF8");
  keywords.push_back("CHUNKING");
  const auto& discard = s.params().discard_ehlo_keywords;
  keywords.erase(std::remove_if(keywords.begin(), keywords.end(),
                                [&](const std::string& k) {
                                  std::string word = k.substr(0, k.find(' '));
                                  return std::find(discard.begin(), discard.end(), word) != discard.end();
                                }),
                 keywords.end());
  s.send_raw(smtp::ehlo_reply(s.params().myhostname, keywords));
}

}  // namespace postern::smtpd
