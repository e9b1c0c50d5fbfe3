// Postfix-format delivery status log lines ("QID: to=<...>, relay=local,
// delay=0.05, delays=0.01/0/0/0.04, dsn=2.0.0, status=sent (...)"), which
// pflogsumm and administrators parse. Used by qmgr (mail_owner) and the
// delivery agents (local: root).
#pragma once

#include <string>

namespace postern::bounce {

struct StatusTimes {
  double arrival = 0;       // message arrival
  double active = 0;        // moved into active/ by qmgr
  double request = 0;       // handed to the delivery agent
  double connected = 0;     // agent ready to transmit (== request for local)
  double done = 0;          // finished
};

// "0.05", "1.2", "12", "0": Postfix's short forms (at most two decimals
// below one second, one below ten, whole seconds above).
std::string format_delay(double seconds);

struct StatusLine {
  std::string queue_id;
  std::string to;
  std::string orig_to;   // written only when it differs from `to`
  std::string relay;     // "local", "none", "host[addr]:port"
  StatusTimes times;
  std::string dsn;       // "2.0.0"
  std::string status;    // sent, deferred, bounced, expired
  std::string reason;    // "delivered to mailbox"
};

// The text after "tag[pid]: ", without a trailing newline.
std::string format_status(const StatusLine& line);

// Seconds since the epoch with microseconds.
double now_seconds();

}  // namespace postern::bounce
