// STATUS data items (RFC 3501 6.3.10, RFC 7162 HIGHESTMODSEQ, RFC 8438
// SIZE) in the order asked. Pure.
#pragma once

#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/parse_result.hpp"

namespace postern::imap {

enum class StatusItem { messages, recent, uidnext, uidvalidity, unseen, highestmodseq, size };

struct StatusItems {
  std::vector<StatusItem> items;  // as asked, without repeats
  bool has(StatusItem item) const;
};

struct StatusOptions {
  bool condstore = false;  // HIGHESTMODSEQ
  bool size = false;       // SIZE (RFC 8438)
};

// The parenthesized list, e.g. "(MESSAGES UNSEEN)"; empty lists are errors.
Parsed<StatusItems> parse_status_items(const Arg& list, const StatusOptions& options = {});
const char* status_item_name(StatusItem item);  // "MESSAGES"

}  // namespace postern::imap
