// pop3_login_delay (RFC 2449 LOGIN-DELAY): a user who logged in less than
// the delay ago is refused until it has passed. The time of each user's last
// successful login is one small file per user (wall-clock milliseconds) in a
// folder only the connection root processes write: <queue>/pid/login-delay,
// 0700, root's when master is root. Neither the login process (it parses
// client input) nor the mail process (it runs as the user, who could reset
// their own delay) can touch it. Files outlive processes and restarts, so
// the delay holds across both. Runs in the connection root process.
#pragma once

#include <cstdint>
#include <string>

namespace postern::login {

struct LoginDelayVerdict {
  bool allowed = true;
  int64_t wait_ms = 0;  // refused: how long until the delay has passed
};

// Refused when `user`'s last recorded login is less than `delay_seconds`
// before `now_ms`; an allowed login is recorded as the new last one. 0
// seconds: always allowed, nothing recorded. A folder or file we cannot use
// is logged and lets the login through (the delay is a courtesy, not a lock).
// Concurrent logins of one user are serialised by an flock on the user's file.
LoginDelayVerdict check_login_delay(const std::string& dir, const std::string& user, unsigned delay_seconds,
                                    int64_t now_ms);

// CLOCK_REALTIME in milliseconds: comparable across processes and restarts.
int64_t wall_clock_ms();

}  // namespace postern::login
