// Header fix-ups as pure functions over the message header: splitting into
// logical headers, the Received/Message-Id/Date/From that cleanup adds, hop
// counting and -t recipient extraction. No I/O, so unit tests drive it
// directly. Part of lib/cleanup (in smtpd and pickup, as mail_owner).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "lib/cleanup/cleanup.hpp"

namespace postern::cleanup {

// One logical header: "Name: value" with its continuation lines joined by
// <CR><LF> (folding kept), without the final <CR><LF>.
struct Header {
  std::string text;
  // cleanup's own Received, put among the headers so that header_checks see
  // it (as Postfix's cleanup sees smtpd's); rendered again by fix_headers
  // once the queue ID is known.
  bool generated_received = false;
  std::string_view name() const;          // the field name, as written
  bool is(std::string_view field) const;  // case-insensitive name match
  std::string value() const;              // after the colon, unfolded and trimmed
};

// True for "Name:" lines (printable ASCII name, optional blanks, colon).
bool is_header_line(std::string_view line);

// Everything the fix-ups need to know about the message and its origin.
struct HeaderContext {
  Source source = Source::smtp;
  std::string queue_id;
  std::string myhostname;
  std::string mail_name = "Postfix";
  std::string helo_name;
  std::string client_name;
  std::string client_address;
  std::string protocol = "SMTP";
  std::string single_recipient;  // Received "for <x>" only with exactly one recipient
  std::string tls_summary;       // smtp: "(using TLSv1.3 with cipher ...)" line when set
  std::string authenticated_sender;  // smtp: "(Authenticated sender: u)" line when set
  std::string sender;            // envelope sender (qualified); an added From: uses it
  long uid = -1;
  std::string full_name;
  std::time_t now = 0;
  // The headers already hold the Received (a generated_received entry, or
  // whatever header_checks left of it): fix_headers adds none of its own.
  bool received_in_headers = false;
};

// The Received header cleanup adds for this hop, without the final <CR><LF>.
std::string received_header(const HeaderContext& context);

// Received headers in the message (hopcount_limit applies to these).
int count_hops(const std::vector<Header>& headers);

// "Sun, 22 Nov 2026 13:10:23 +0000 (UTC)" in local time, as Postfix writes dates.
std::string mail_date(std::time_t when);

// Applies the fix-ups and renders the complete header section, ending with
// the empty line that separates it from the body. `message_id` receives the
// Message-Id value (existing or added) for cleanup's log line.
std::string fix_headers(const std::vector<Header>& headers, const HeaderContext& context,
                        std::string* message_id);

// The header section as it is (a requeued message's), ending with the empty
// line; `message_id` receives its Message-Id value for the log line.
std::string pass_headers(const std::vector<Header>& headers, std::string* message_id);

// Addresses in an address-list header value ("A <a@x>, b@y (Bee), group: c@z;").
std::vector<std::string> parse_address_list(std::string_view value);

// sendmail -t: the addresses in To/Cc/Bcc, or in Resent-To/Cc/Bcc when any
// Resent- header is present (RFC 5322 3.6.6).
std::vector<std::string> extract_recipients(const std::vector<Header>& headers);

}  // namespace postern::cleanup
