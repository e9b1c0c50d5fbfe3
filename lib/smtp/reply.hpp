// SMTP replies: a code, an RFC 3463 enhanced status code and text, rendered as
// single- or multi-line wire replies. Used by smtpd (as mail_owner) and lmtpd.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

struct Reply {
  int code = 0;           // 250, 501, ...
  std::string enhanced;   // "5.1.7"; empty for replies Postfix sends without one (HELO/EHLO syntax)
  std::string text;       // one line of text, no CR/LF

  bool ok() const { return code >= 200 && code < 400; }
  // "501 5.1.7 Bad sender address syntax\r\n"
  std::string wire() const;
};

// Renders "250-first\r\n250-second\r\n250 last\r\n", with the enhanced code (if
// any) after the code on every line (RFC 2034). CR and LF inside a line become
// spaces, so text taken from a client can never inject a reply line.
std::string format_reply(int code, std::string_view enhanced, const std::vector<std::string>& lines);

// The EHLO reply: "250-<hostname>" then one line per keyword ("SIZE 10240000",
// "PIPELINING", ...). Postfix sends no enhanced code here; neither do we.
std::string ehlo_reply(std::string_view hostname, const std::vector<std::string>& keywords);

// Postfix's reply to a bare <LF> under smtpd_forbid_bare_newline = reject:
// "<code> 5.5.2 <myhostname> Error: bare <LF> received" where code is
// smtpd_forbid_bare_newline_reject_code (default 550; 521 means disconnect).
Reply bare_lf_reply(int code, std::string_view myhostname);

}  // namespace postern::smtp
