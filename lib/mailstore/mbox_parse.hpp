// mbox file contents for the IMAP store: message spans (a plausible From_
// line after an empty line, RFC 4155), a per-message
// identity that survives other programs rewriting the file, the From_
// line's date, and the flags and UIDs mutt or Dovecot left in Status,
// X-Status, X-Keywords, X-UID and X-IMAPbase headers. Pure; internal to
// lib/mailstore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mailstore/folder.hpp"

namespace postern::mailstore {

struct MboxMessage {
  uint64_t from = 0;       // offset of the From_ line
  uint64_t body = 0;       // offset of the message (after the From_ line)
  uint64_t length = 0;     // message octets (without the separating empty line)
  uint64_t end = 0;        // offset of the next From_ line (or the file's end)
  std::string identity;    // MD5 of From_ line + header block without Status/X-Status/X-Keywords
  int64_t date = 0;        // from the From_ line (local time), 0 if unreadable
  uint64_t vsize = 0;      // octets with CRLF line ends, without_flag_headers()
  Flags flags = 0;         // from Status / X-Status
  std::vector<std::string> keywords;  // from X-Keywords
  uint32_t x_uid = 0;      // Dovecot's X-UID, 0 if none
};

struct MboxContents {
  std::vector<MboxMessage> messages;
  uint32_t x_imapbase_uidvalidity = 0;  // Dovecot's X-IMAPbase in the first message
  uint32_t x_imapbase_nextuid = 0;
};

// RFC 4155's From_ line: "From " then a sender and a date (a month name
// and a time of day), so a body line "From here on..." does not split.
bool plausible_from_line(std::string_view line);

// The message as IMAP shows it: without the Status, X-Status and X-Keywords
// headers (they hold flags, which IMAP shows as flags; hiding them keeps
// the message's bytes the same when its flags are written into the file).
std::string without_flag_headers(std::string_view message);

// Offset of the next "\n\nFrom " at or after `from` whose From_ line is
// plausible (npos when none): where the next message starts, minus 2.
size_t find_mbox_separator(std::string_view text, size_t from);

Flags flags_from_headers(std::string_view status, std::string_view xstatus);

// One entry (From_ line .. the empty line after the message) with its
// Status / X-Status / X-Keywords headers replaced by `flags` and
// `keywords`, as Dovecot and mutt write them. Unchanged when the message
// has no header block to put them in.
std::string mbox_entry_with_flags(std::string_view entry, Flags flags, const std::vector<std::string>& keywords);

// nullopt when the text is not an mbox (does not start with "From ").
std::optional<MboxContents> parse_mbox(std::string_view text);

// The bytes to append for one message: From_ line, LF line ends, ">From "
// quoting, and the empty line that ends it. `prefix_newline` when the file
// does not end with an empty line yet.
std::string mbox_entry(std::string_view message, int64_t date, bool prefix_newline);

}  // namespace postern::mailstore
