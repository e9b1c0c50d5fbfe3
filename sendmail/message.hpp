// Reading the message sendmail is given on standard input, and sendmail -t's
// recipient extraction from To/Cc/Bcc (or Resent-To/Cc/Bcc). Runs as the
// invoking user; the result is checked again by postdrop and pickup.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::sendmail {

// Reads fd to its end, or (unless ignore_dots) to a line holding a single
// ".". Lines are stored ending in <CR><LF>. Fails when the message exceeds
// `limit` bytes (0: none), like Postfix's "message file too big".
Result<std::string> read_message(int fd, bool ignore_dots, std::uint64_t limit);

// Addresses in the header's To, Cc and Bcc fields; when any Resent-To,
// Resent-Cc or Resent-Bcc field is present, those instead (RFC 5322 3.6.6).
// Duplicates removed, order kept.
std::vector<std::string> header_recipients(std::string_view message);

// The addr-specs in one RFC 5322 address list: "A <a@x>, b@y (B), g: c@z;".
std::vector<std::string> parse_address_list(std::string_view text);

}  // namespace postern::sendmail
