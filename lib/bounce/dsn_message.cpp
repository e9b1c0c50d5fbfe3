// RFC 3464 notification builder (see dsn_message.hpp). Pure; runs in qmgr.
#include "lib/bounce/dsn_message.hpp"

#include <time.h>

namespace postern::bounce {

std::string rfc5322_date(std::int64_t seconds) {
  time_t t = static_cast<time_t>(seconds);
  struct tm tm{};
  ::localtime_r(&t, &tm);
  char buf[64];
  ::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
  return buf;
}

std::string header_block(const std::string& message) {
  auto end = message.find("\r\n\r\n");
  if (end == std::string::npos) return message;
  return message.substr(0, end + 2);
}

namespace {

const char* subject_for(const DsnInput& in) {
  if (in.postmaster_copy) return "Postmaster Copy: Undelivered Mail";
  switch (in.kind) {
    case DsnKind::failure: return "Undelivered Mail Returned to Sender";
    case DsnKind::delay: return "Delayed Mail (still being retried)";
    case DsnKind::success: return "Successful Mail Delivery Report";
  }
  return "";
}

const char* action_for(DsnKind kind) {
  switch (kind) {
    case DsnKind::failure: return "failed";
    case DsnKind::delay: return "delayed";
    case DsnKind::success: return "delivered";
  }
  return "";
}

std::string explanation(const DsnInput& in) {
  std::string out = "This is the mail system at host " + in.reporting_mta + ".\r\n\r\n";
  switch (in.kind) {
    case DsnKind::failure:
      out += "Your message could not be delivered to one or more recipients.\r\n"
             "The details are below; the original message is attached.\r\n";
      break;
    case DsnKind::delay:
      out += "Your message has not been delivered yet to the recipients below.\r\n"
             "The mail system keeps trying; you need not send it again.\r\n";
      break;
    case DsnKind::success:
      out += "Your message was delivered to the recipients below, as you asked.\r\n";
      break;
  }
  out += "\r\n";
  for (const auto& r : in.recipients) out += "<" + r.final_recipient + ">: " + r.diagnostic + "\r\n";
  return out;
}

}  // namespace

std::string build_dsn(const DsnInput& in) {
  const std::string boundary = in.queue_id + "/" + in.reporting_mta;
  std::string m;
  m += "From: MAILER-DAEMON@" + in.reporting_mta + " (Mail Delivery System)\r\n";
  m += "To: " + in.to + "\r\n";
  m += std::string("Subject: ") + subject_for(in) + "\r\n";
  m += "Date: " + rfc5322_date(in.now) + "\r\n";
  m += "Auto-Submitted: auto-replied\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n";
  m += "Content-Transfer-Encoding: 8bit\r\n";
  m += "\r\nThis is a MIME-encapsulated message.\r\n\r\n";

  m += "--" + boundary + "\r\n";
  m += "Content-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += explanation(in) + "\r\n";

  m += "--" + boundary + "\r\n";
  m += "Content-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  m += "Reporting-MTA: dns; " + in.reporting_mta + "\r\n";
  m += "X-Postern-Queue-ID: " + in.queue_id + "\r\n";
  if (!in.envid.empty()) m += "Original-Envelope-Id: " + in.envid + "\r\n";
  m += "Arrival-Date: " + rfc5322_date(in.arrival) + "\r\n";
  for (const auto& r : in.recipients) {
    m += "\r\nFinal-Recipient: rfc822; " + r.final_recipient + "\r\n";
    if (!r.original_recipient.empty()) {
      std::string o = r.original_recipient;
      auto semi = o.find(';');
      if (semi != std::string::npos) o = o.substr(0, semi) + "; " + o.substr(semi + 1);
      m += "Original-Recipient: " + o + "\r\n";
    }
    m += std::string("Action: ") + action_for(in.kind) + "\r\n";
    m += "Status: " + r.status + "\r\n";
    if (!r.diagnostic.empty()) m += "Diagnostic-Code: X-Postern; " + r.diagnostic + "\r\n";
  }
  m += "\r\n";

  m += "--" + boundary + "\r\n";
  if (in.headers_only) {
    m += "Content-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n";
    m += header_block(in.original);
  } else {
    m += "Content-Description: Undelivered Message\r\nContent-Type: message/rfc822\r\n"
         "Content-Transfer-Encoding: 8bit\r\n\r\n";
    m += in.original;
    if (in.original.size() < 2 || in.original.compare(in.original.size() - 2, 2, "\r\n") != 0) m += "\r\n";
  }
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace postern::bounce
