// header_checks, mime_header_checks and body_checks (header_checks(5)):
// each logical header, and each body line, of a new message is looked up
// in pattern tables, and the action found is applied: REJECT, DISCARD,
// HOLD, REDIRECT, BCC, FILTER (message actions), IGNORE, REPLACE, PREPEND
// (edits), WARN, INFO (log).
// Part of lib/cleanup (smtpd and pickup, as mail_owner). The tables belong
// to the thread that calls check_headers (lib/maps tables are not
// thread-safe).
#pragma once

#include <cstdint>
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

// What body_checks did to one line.
struct LineEdit {
  enum class Kind { keep, drop, replace, prepend } kind = Kind::keep;
  std::string text;  // replace: the new line; prepend: the line put before
};

class ContentChecks {
 public:
  // Opens the tables named by header_checks, mime_header_checks and
  // body_checks. Nothing (nullptr) when all are empty. A table that cannot
  // be opened is an error naming it.
  static Result<std::shared_ptr<ContentChecks>> from_config(const config::Config& config);

  // Tables given directly (tests). MIME headers (Content-*, MIME-Version)
  // are looked up in `mime`, all others in `header`; body lines in `body`.
  ContentChecks(maps::TableList header, maps::TableList mime, maps::TableList body = {},
                std::uint64_t body_size_limit = 51200);

  bool has_body_checks() const { return !body_.empty(); }
  // body_checks_size_limit: bytes of the body that are inspected.
  std::uint64_t body_size_limit() const { return body_size_limit_; }

  // One body line (without its line ending). Checks nothing once `verdict`
  // is refused or discarded.
  LineEdit check_body_line(const std::string& line, const CheckOrigin& origin, CheckVerdict& verdict);

  // Applies the checks to `headers` in place (IGNORE removes, REPLACE
  // rewrites, PREPEND inserts before; lines put there are not checked
  // again). Stops at the first REJECT or DISCARD, as Postfix does.
  void check_headers(std::vector<Header>& headers, const CheckOrigin& origin, CheckVerdict& verdict);

 private:
  maps::TableList header_;
  maps::TableList mime_;
  maps::TableList body_;
  std::uint64_t body_size_limit_;
};

}  // namespace postern::cleanup
