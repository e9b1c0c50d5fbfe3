// Delivery status notifications (RFC 3464): the multipart/report message
// sent back to a sender for failed, delayed or (NOTIFY=SUCCESS) delivered
// recipients, with the original headers or message per RET. Pure; used by
// qmgr (mail_owner), which enqueues the result from the null sender.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace postern::bounce {

enum class DsnKind { failure, delay, success };

struct DsnRecipient {
  std::string final_recipient;     // the address that failed
  std::string original_recipient;  // ORCPT "rfc822;addr" or empty
  std::string status;              // "5.1.1"
  std::string diagnostic;          // "unknown user: \"x\""
};

struct DsnInput {
  DsnKind kind = DsnKind::failure;
  std::string queue_id;            // of the original message
  std::string reporting_mta;       // myhostname
  std::string to;                  // who gets the notification
  std::string envid;               // DSN ENVID, or empty
  std::int64_t arrival = 0;        // original arrival, seconds
  std::int64_t now = 0;
  std::vector<DsnRecipient> recipients;
  std::string original;            // original message (CRLF), possibly truncated by the caller
  bool headers_only = false;       // RET=HDRS: only the header block is returned
  bool postmaster_copy = false;    // a notify_classes copy / double bounce for postmaster
};

// The whole notification, header and body, CRLF line ends.
std::string build_dsn(const DsnInput& input);

// RFC 5322 date ("Sun, 22 Nov 2026 13:10:23 +0000") in local time.
std::string rfc5322_date(std::int64_t seconds);

// The header block of a message (up to and including the empty line).
std::string header_block(const std::string& message);

}  // namespace postern::bounce
