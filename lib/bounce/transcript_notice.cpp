// Postmaster transcript notices (see transcript_notice.hpp). Pure; runs in smtpd.
#include "lib/bounce/transcript_notice.hpp"

#include <utility>

#include "lib/bounce/dsn_message.hpp"

namespace postern::bounce {

bool wants_transcript(const NotifyPolicy& policy, unsigned error_mask) {
  // delay and 2bounce are about queued mail, never about a session.
  constexpr unsigned kSessionClasses =
      kNotifyPolicy | kNotifyProtocol | kNotifyBounce | kNotifySoftware | kNotifyResource | kNotifyData;
  return (error_mask & policy.classes & kSessionClasses) != 0;
}

std::string transcript_recipient(const NotifyPolicy& policy, unsigned error_mask) {
  return policy.qualified((error_mask & kNotifyBounce) != 0 ? policy.bounce_recipient : policy.error_recipient);
}

std::string class_names(unsigned mask) {
  static constexpr std::pair<unsigned, const char*> kNames[] = {
      {kNotifyBounce, "bounce"},     {kNotifyData, "data"},         {kNotifyPolicy, "policy"},
      {kNotifyProtocol, "protocol"}, {kNotifyResource, "resource"}, {kNotifySoftware, "software"},
  };
  std::string out;
  for (const auto& [bit, name] : kNames) {
    if ((mask & bit) == 0) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string build_transcript_notice(const TranscriptNotice& n) {
  std::string m;
  m += "From: MAILER-DAEMON@" + n.reporting_mta + " (Mail Delivery System)\r\n";
  m += "To: " + n.to + " (Postmaster)\r\n";
  m += "Subject: " + n.mail_name + " " + n.role + ": errors from " + n.peer + "\r\n";
  m += "Date: " + rfc5322_date(n.now) + "\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: text/plain; charset=us-ascii\r\n";
  m += "\r\n";
  m += "Error classes: " + class_names(n.error_mask) + "\r\n\r\n";
  m += "Transcript of session follows.\r\n\r\n";
  for (const auto& line : n.transcript) m += line + "\r\n";
  m += "\r\nFor other details, see the local mail logfile\r\n";
  return m;
}

}  // namespace postern::bounce
