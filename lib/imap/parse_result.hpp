// Parsed<T>: what every lib/imap parser returns — a value, or a ParseError
// whose text the server puts after "tag BAD" (or, when a response code is
// set, "tag NO [code]"). Pure; used by imapd before and after login.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern::imap {

struct ParseError {
  std::string text;  // human text for the reply, e.g. "Invalid sequence set: 0 is not a message number"
  // Empty for a syntax error (reply BAD). Set when the RFC asks for a NO with
  // a response code instead, e.g. "BADCHARSET (US-ASCII UTF-8)" for SEARCH.
  std::string code;
};

template <class T>
using Parsed = Expected<T, ParseError>;

inline ParseError syntax_error(std::string text) { return ParseError{std::move(text), {}}; }

// Client text quoted back in an error: printable ASCII only (anything else
// becomes '?', so no CR/LF can reach a reply) and at most 40 octets.
inline std::string shown(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (text.size() > 40) out += "...";
  return out;
}

}  // namespace postern::imap
