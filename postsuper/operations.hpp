// postsuper's per-message operations: delete, hold, release, requeue,
// expire, for a list of queue IDs or ALL, restricted to some folders. Runs as mail_owner
// (root drops to it first, so nothing it creates is root's).
#pragma once

#include <string>
#include <vector>

#include "lib/queue/queue_layout.hpp"

namespace postern::postsuper {

// requeue: the file moves to maildrop/ (mode 0700, mail_owner's), so pickup
// passes it through cleanup again and it gets a new queue ID, as in Postfix.
// expire (-e): marked administratively expired; qmgr returns it to the
// sender at the next delivery attempt. expire_release (-f): the same, and a
// message on hold is released so that attempt happens.
enum class Operation { remove, hold, release, requeue, expire, expire_release };

struct Request {
  Operation op;
  std::vector<std::string> ids;  // queue IDs; "ALL" means every message
};

// The folders an operation looks in when none are named (Postfix's defaults).
std::vector<std::string> default_folders(Operation op);

// Applies one request; logs "ID: removed" / "placed on hold" / "released
// from hold" / "requeued" / "expired" per message and returns how many it changed.
// Unknown IDs are skipped with a warning, as in Postfix.
int apply(const queue::QueueLayout& layout, const Request& request, const std::vector<std::string>& folders);

// Postfix's summary line: "Deleted: 3 messages", "Placed on hold: 1 message".
std::string summary(Operation op, int count);

}  // namespace postern::postsuper
