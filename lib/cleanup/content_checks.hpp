// header_checks and mime_header_checks (header_checks(5)): each logical
// header of a new message is looked up, whole, in pattern tables, and the
// action found is applied: REJECT, DISCARD, HOLD, REDIRECT, BCC, FILTER
// (message actions), IGNORE, REPLACE, PREPEND (edits), WARN, INFO (log).
// Part of lib/cleanup (smtpd and pickup, as mail_owner). The tables belong
// to the thread that calls check_headers (lib/maps tables are not
// thread-safe).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/cleanup/headers.hpp"
#include "lib/cleanup/message_actions.hpp"
#include "lib/maps/table.hpp"

namespace postern::config {
class Config;
}

namespace postern::cleanup {

// Who sent the message, for the log lines Postfix writes about a match:
// "ID: warning: header Subject: x from host[addr]; from=<s> to=<r> proto=ESMTP helo=<h>: text".
struct CheckOrigin {
  std::string client;  // "name[addr]", or "local" for sendmail submissions
  std::string sender;
  std::string recipient;  // the first one
  std::string protocol;
  std::string helo;
};

// What the checks decided for one message.
struct CheckVerdict {
  // REJECT (5xx) or a lookup failure (451): the message is refused.
  int code = 0;
  std::string enhanced;
  std::string text;
  MessageActions actions;          // DISCARD, HOLD, REDIRECT, BCC, FILTER
  std::vector<std::string> logs;   // log lines without the "ID: " prefix, in order
  bool refused() const { return code != 0; }
};

class ContentChecks {
 public:
  // Opens the tables named by header_checks and mime_header_checks. Nothing
  // (nullptr) when both are empty. A table that cannot be opened is an
  // error naming it.
  static Result<std::shared_ptr<ContentChecks>> from_config(const config::Config& config);

  // Tables given directly (tests). MIME headers (Content-*, MIME-Version)
  // are looked up in `mime`, all others in `header`.
  ContentChecks(maps::TableList header, maps::TableList mime);

  // Applies the checks to `headers` in place (IGNORE removes, REPLACE
  // rewrites, PREPEND inserts before; lines put there are not checked
  // again). Stops at the first REJECT or DISCARD, as Postfix does.
  void check_headers(std::vector<Header>& headers, const CheckOrigin& origin, CheckVerdict& verdict);

 private:
  maps::TableList header_;
  maps::TableList mime_;
};

}  // namespace postern::cleanup
