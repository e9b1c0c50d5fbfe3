// What access(5) actions (HOLD, DISCARD, REDIRECT, BCC, PREPEND, FILTER)
// ask cleanup to do to a message once it is received. smtpd collects them
// while it evaluates its restrictions (access tables, policy services) and
// hands them over with the envelope; cleanup applies them when it writes the
// queue file. Pure data; in smtpd and pickup, as mail_owner.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

namespace postern::cleanup {

struct MessageActions {
  std::optional<std::string> hold;     // HOLD: into hold/ (mailq '!'); the reason, for the log
  std::optional<std::string> discard;  // DISCARD: 250 to the client, nothing queued; the reason
  std::string redirect;                // REDIRECT: every recipient replaced by this address
  std::string bcc;                     // BCC: one more recipient (the last BCC wins, as in Postfix 3.0)
  std::vector<std::string> prepend;    // PREPEND: header lines put above all others, in order
  std::string filter;                  // FILTER: "transport:nexthop", overrides content_filter

  bool empty() const {
    return !hold && !discard && redirect.empty() && bcc.empty() && prepend.empty() && filter.empty();
  }

  // Adds what a later check found: HOLD and DISCARD stick, the last
  // REDIRECT/BCC/FILTER wins, PREPEND lines accumulate (a line already there
  // is not added again: with smtpd_delay_reject the sender restrictions run
  // once per recipient).
  void merge(const MessageActions& later) {
    if (later.hold && !hold) hold = later.hold;
    if (later.discard && !discard) discard = later.discard;
    if (!later.redirect.empty()) redirect = later.redirect;
    if (!later.bcc.empty()) bcc = later.bcc;
    if (!later.filter.empty()) filter = later.filter;
    for (const auto& line : later.prepend)
      if (std::find(prepend.begin(), prepend.end(), line) == prepend.end()) prepend.push_back(line);
  }
};

}  // namespace postern::cleanup
