// Appending one message to an mbox file under dotlock + fcntl locks, with
// the From_ line, delivery headers and >From quoting; a failed append is
// truncated away so the mailbox is never left with half a message. Used by
// local (spool mailboxes as root, home mbox files as the recipient).
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "lib/base/result.hpp"
#include "lib/mailbox/delivery_format.hpp"
#include "lib/mailbox/mailbox_lock.hpp"
#include "lib/mailbox/safe_open.hpp"

namespace postern::mailbox {

struct MboxAppend {
  std::string path;
  SafeOpenOptions open;
  LockOptions lock;
  DeliveryHeaders headers;
  std::time_t arrival = 0;             // for the From_ line; 0: now
  std::uint64_t size_limit = 0;        // mailbox_size_limit; 0: none
};

// Appends and fsyncs. Errors carry errno: EFBIG/EDQUOT/ENOSPC (mailbox full
// or over size_limit), EAGAIN (still locked), EPERM (unsafe file), others.
Status append_mbox(const MboxAppend& request, const ContentSource& content);

}  // namespace postern::mailbox
