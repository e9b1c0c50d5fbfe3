// What an access(5) table value means to smtpd: OK/PERMIT, REJECT [text],
// DEFER [text], "4NN text"/"5NN text", DUNNO, WARN text, the message
// actions (HOLD, DISCARD, REDIRECT, BCC, PREPEND, FILTER, INFO), or a list
// of restrictions to evaluate in its place. The same words come back from
// policy services. Pure; in smtpd, as mail_owner.
#pragma once

#include <string>
#include <string_view>

namespace postern::smtpd {

struct AccessAction {
  enum class Kind {
    permit,        // OK, PERMIT, an all-numeric value (Postfix's legacy OK)
    dunno,         // DUNNO: stop looking at this table's keys, go on with the next restriction
    reject,        // REJECT [text]: access_map_reject_code
    defer,         // DEFER [text]: access_map_defer_code
    reply,         // "4NN text", "5NN text": code (and enhanced code) from the table
    warn,          // WARN text: log, go on
    defer_if_permit,  // DEFER_IF_PERMIT [text]: defer if the checks would end in a permit
    defer_if_reject,  // DEFER_IF_REJECT [text]: defer instead if a later restriction rejects
    restrictions,  // anything else: restriction names, evaluated in place of the value
    hold,          // HOLD [text]: the message goes to the hold queue; go on
    discard,       // DISCARD [text]: accept with 250, then drop the message; ends the list like OK
    redirect,      // REDIRECT user@domain: every recipient replaced; go on
    bcc,           // BCC user@domain: one more recipient; go on
    prepend,       // PREPEND name: text: a header line on top; go on
    filter,        // FILTER transport:destination: deliver through that content filter; go on
    info,          // INFO text: log, go on
  };
  Kind kind = Kind::dunno;
  int code = 0;          // reply: the table's code
  std::string enhanced;  // reply: "5.7.1" when the text starts with one, else empty
  // reject/defer/reply/warn/defer_if_*/hold/discard/info text (may be empty);
  // redirect/bcc: the address; prepend: the header line; filter:
  // "transport:destination"; restrictions: the whole value.
  std::string text;
};

AccessAction parse_access_action(std::string_view value);

}  // namespace postern::smtpd
