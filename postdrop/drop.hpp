// postdrop's work: read one maildrop stream from standard input, check it
// strictly, stamp the submitting uid, store it in maildrop/ and wake pickup.
// Runs as the submitting user, set-group-ID postdrop.
#pragma once

#include <cstdint>
#include <string>

#include "lib/base/result.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::postdrop {

struct DropOptions {
  queue::QueueLayout layout;
  std::uint64_t message_size_limit = 0;  // 0: none
  std::string pickup_endpoint;           // public/pickup
};

// Returns the maildrop ID. Errors say what was wrong with the input or which
// system call failed.
Result<std::string> drop_message(int in_fd, const DropOptions& options);

}  // namespace postern::postdrop
