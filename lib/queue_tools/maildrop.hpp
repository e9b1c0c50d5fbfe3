// The maildrop file: what sendmail hands postdrop on a pipe and what postdrop
// leaves in maildrop/ for pickup. It is a queue file (docs/queue-format.md)
// whose content is the message as the user gave it, with a few extra
// attributes. It comes from an untrusted user, so every reader checks it with
// check_maildrop(). Written by postdrop (setgid postdrop); read by pickup
// (mail_owner).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

// Attributes only the sendmail path uses (in Attributes::extra).
inline constexpr std::string_view kAttrFullName = "sendmail_full_name";  // -F
inline constexpr std::string_view kAttrUid = "sendmail_uid";  // informational; pickup trusts the file owner

inline constexpr std::size_t kMaxAddress = 2048;  // longer addresses are not mail
inline constexpr std::size_t kMaxRecipients = 10000;
inline constexpr std::size_t kMaxFullName = 512;

// Encodes a complete maildrop stream: envelope, content, end record.
std::string encode_maildrop(const queue::Envelope& envelope, std::string_view content);

// Strict checks beyond parse_queue_file(): addresses without control bytes
// or spaces and of sane length, recipient count, only known attributes with
// sane values, content within `size_limit` (0: none). The error says what.
Status check_maildrop(const queue::QueueFile& file, std::uint64_t size_limit);

// Writes `bytes` (an encoded maildrop stream) as maildrop/<new ID>: created
// O_EXCL mode 0600 (incomplete), fsynced, then mode 0744 (complete; readable
// by pickup, which runs as another user; maildrop/ itself is not searchable
// by other users, so they cannot read it). Returns the ID. The folder fsync
// is skipped when the folder is not readable (setgid postdrop: mode 1730).
Result<std::string> write_maildrop(const queue::QueueLayout& layout, queue::QueueIdGenerator& ids,
                                   std::string_view bytes);

}  // namespace postern::queue_tools
