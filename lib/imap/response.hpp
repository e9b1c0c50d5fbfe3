// Building IMAP response lines: status responses with response codes,
// astrings for names and the capability texts. String quoting for
// ENVELOPE/BODYSTRUCTURE output lives in lib/mime (imap_string); this only
// has what that does not. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace postern::imap {

// "<tag> <status> [<code>] <text>\r\n"; an empty code leaves out the
// brackets. status is "OK", "NO", "BAD", "BYE" or "PREAUTH"; tag "*" for untagged.
std::string status_response(std::string_view tag, std::string_view status, std::string_view code,
                            std::string_view text);

// An astring for mailbox names and similar: an atom when every octet is an
// ASTRING-CHAR (and it is not "NIL"), else mime::imap_string (quoted or literal).
std::string astring(std::string_view value);

// Response code texts (RFC 4315 UIDPLUS, RFC 3501 7.1).
std::string copyuid_code(uint32_t uidvalidity, std::string_view source_set, std::string_view dest_set);
std::string appenduid_code(uint32_t uidvalidity, uint32_t uid);

}  // namespace postern::imap
