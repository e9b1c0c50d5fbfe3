// The postmaster notice for notify_classes policy, protocol, resource,
// software, data (and bounce, for rejected mail): "<mail_name> SMTP server:
// errors from host[addr]" with the session transcript, the format Postfix
// sends. Pure; smtpd (mail_owner) builds one at the end of a session that
// had errors of a class the administrator asked for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/bounce/notify_policy.hpp"

namespace postern::bounce {

struct TranscriptNotice {
  std::string mail_name = "Postern";  // mail_name
  std::string role = "SMTP server";   // who had the trouble: "SMTP server", "SMTP client"
  std::string peer;                   // "host[addr]"
  std::string reporting_mta;          // myhostname
  std::string to;                     // the postmaster address
  std::int64_t now = 0;
  unsigned error_mask = 0;            // the classes seen (kNotify* bits)
  std::vector<std::string> transcript;  // "In:  ..." / "Out: ..." lines
};

// Whether a session whose errors are `error_mask` gets a notice.
bool wants_transcript(const NotifyPolicy& policy, unsigned error_mask);
// Postfix's choice: bounce_notice_recipient when the errors include
// rejected mail (class bounce), else error_notice_recipient. Qualified.
std::string transcript_recipient(const NotifyPolicy& policy, unsigned error_mask);
// "policy, protocol": the names of the classes in `mask`, for logs and the notice.
std::string class_names(unsigned mask);

// The whole notice, header and body, CRLF line ends.
std::string build_transcript_notice(const TranscriptNotice& notice);

}  // namespace postern::bounce
