// `master -w`: the caller (postfix start) waits in the foreground until the
// background master has initialised, and learns whether it succeeded.
#pragma once

#include "lib/base/unique_fd.hpp"

namespace postern::master {

// Forks. The parent waits for the child to call report_ready() (exit 0) or to
// die first (exit 1), at most `timeout_seconds`; it never returns. The child
// starts a new session and gets back the descriptor to report on; it keeps
// standard error until it is ready, so start-up errors reach the terminal.
UniqueFd daemonize_and_wait(int timeout_seconds);
// Tells the waiting parent we are up, then points stdin/stdout/stderr at /dev/null.
void report_ready(UniqueFd& ready_fd);

}  // namespace postern::master
