// postsuper's per-message operations: delete, hold, release, requeue, for a
// list of queue IDs or ALL, restricted to some folders. Runs as mail_owner
// (root drops to it first, so nothing it creates is root's).
#pragma once

#include <string>
#include <vector>

#include "lib/queue/queue_layout.hpp"

namespace postern::postsuper {

enum class Operation { remove, hold, release, requeue };

struct Request {
  Operation op;
  std::vector<std::string> ids;  // queue IDs; "ALL" means every message
};

// The folders an operation looks in when none are named (Postfix's defaults).
std::vector<std::string> default_folders(Operation op);

// Applies one request; logs "ID: removed" / "placed on hold" / "released
// from hold" / "requeued" per message and returns how many it changed.
// Unknown IDs are skipped with a warning, as in Postfix.
int apply(const queue::QueueLayout& layout, const Request& request, const std::vector<std::string>& folders);

// Postfix's summary line: "Deleted: 3 messages", "Placed on hold: 1 message".
std::string summary(Operation op, int count);

}  // namespace postern::postsuper
