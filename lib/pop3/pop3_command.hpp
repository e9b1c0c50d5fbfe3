// POP3 command grammar (RFC 1939, 2449, 5034, 2595): a line split into a
// keyword and arguments, message-number parsing, response lines. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::pop3 {

// RFC 2449: commands are at most 255 octets with CRLF; an AUTH initial or
// continuation response may be longer (base64 of a SASL message).
inline constexpr size_t kMaxCommandLine = 255;
inline constexpr size_t kMaxAuthLine = 8192;

struct Command {
  std::string keyword;            // upper case: "USER", "RETR"
  std::vector<std::string> args;  // separated by single spaces
  std::string rest;               // everything after the keyword and one space (PASS may hold spaces)
};

// nullopt for an empty line, a keyword that is not 3-4 letters, or control characters.
std::optional<Command> parse_command(std::string_view line);

// "1".."n" only: no sign, no leading zeros beyond "0", fits in size_t.
std::optional<size_t> parse_number(std::string_view s);

std::string ok(std::string_view text);
// "-ERR [CODE] text" (RFC 2449 response codes: IN-USE, LOGIN-DELAY, SYS/TEMP, SYS/PERM, AUTH).
std::string err(std::string_view text, std::string_view code = "");

// Dot-stuffs a CRLF message for RETR/TOP and adds the terminating "." (and
// a CRLF before it when the message lacks a final one).
std::string dot_stuff(std::string_view message);
// The same, appended to `out` (a response already holding its "+OK" line).
void append_dot_stuffed(std::string& out, std::string_view message);
// The header and the first `lines` body lines of a CRLF message (TOP).
std::string top_of(std::string_view message, size_t lines);

}  // namespace postern::pop3
