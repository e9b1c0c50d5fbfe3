// What an access(5) table value means to smtpd: OK/PERMIT, REJECT [text],
// DEFER [text], "4NN text"/"5NN text", DUNNO, WARN text, or a list of
// restrictions to evaluate in its place. Pure; in smtpd, as mail_owner.
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
    unsupported,   // HOLD, DISCARD, FILTER, ...: not implemented, logged, treated as DUNNO
  };
  Kind kind = Kind::dunno;
  int code = 0;          // reply: the table's code
  std::string enhanced;  // reply: "5.7.1" when the text starts with one, else empty
  std::string text;      // reject/defer/reply/warn/defer_if_* text (may be empty); restrictions: the value
};

AccessAction parse_access_action(std::string_view value);

}  // namespace postern::smtpd
