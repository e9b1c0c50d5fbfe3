// 8BITMIME to 7BIT conversion for a server that does not announce 8BITMIME
// (RFC 6152 section 3; Postfix's smtp client behaviour unless
// disable_mime_output_conversion = yes). Every leaf part whose body holds
// 8-bit bytes (or lines over 998 bytes) and is labelled 7bit, 8bit, binary
// or not at all gets "Content-Transfer-Encoding: quoted-printable" and a QP
// body; multipart and message/rfc822 parts are walked and an 8bit/binary
// label on them becomes 7bit. Parts already in base64 or quoted-printable,
// and header fields with 8-bit bytes, are left as they are (as Postfix
// does). Pure; runs in smtp/lmtp (mail_owner).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mime {

// True when some byte of `text` has the high bit set.
bool has_8bit(std::string_view text);

// Quoted-printable (RFC 2045 6.7): line breaks (CRLF or LF) stay hard CRLF
// breaks, encoded lines are at most 76 characters (soft breaks "="), white
// space before a line break and every byte outside printable ASCII is =XX.
std::string encode_quoted_printable(std::string_view body);

// The message converted to 7 bit, or nullopt when nothing needs converting
// (send it as it is). `raw` is the whole message, CRLF or LF line ends.
std::optional<std::string> downgrade_to_7bit(std::string_view raw);

}  // namespace postern::mime
