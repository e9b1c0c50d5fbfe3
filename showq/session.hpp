// One showq client: read the bounded request line under a deadline, answer
// with the queue report or an error line, close. Runs in the showq daemon as
// mail_owner (chrooted to queue_directory when master.cf says so).
#pragma once

#include <chrono>

#include "lib/queue/queue_layout.hpp"

namespace postern::showq {

inline constexpr std::chrono::seconds kRequestDeadline{10};  // the whole request line
inline constexpr std::chrono::seconds kReplyDeadline{60};    // the whole report

// Serves one connected client; `fd` stays owned by the caller.
void serve_client(int fd, const queue::QueueLayout& layout);

}  // namespace postern::showq
