// IMAP string output (RFC 3501 4.3, 4.5): quoted when that is safe, else a
// literal. Pure; used by envelope/body_structure and by imapd.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::mime {

// "quoted" (with \" and \\ escaped) when `s` is short and holds only 7-bit
// text without CR, LF or NUL; else a literal "{n}\r\n" followed by the
// bytes, with any NUL (never valid in an IMAP string) sent as a space.
std::string imap_string(std::string_view s);
// NIL for nullopt, else imap_string.
std::string imap_nstring(std::optional<std::string_view> s);
// Appending forms, to build large responses without temporaries.
void append_imap_string(std::string& out, std::string_view s);
void append_imap_nstring(std::string& out, std::optional<std::string_view> s);

}  // namespace postern::mime
