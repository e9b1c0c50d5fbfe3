// Message flags: the RFC 3501 system flags as bits, keywords as atoms, the
// flag-list grammar of STORE and APPEND, and the "(\Seen $Label)" output.
// Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/parse_result.hpp"

namespace postern::imap {

namespace flag {
inline constexpr unsigned seen = 1u << 0;
inline constexpr unsigned answered = 1u << 1;
inline constexpr unsigned flagged = 1u << 2;
inline constexpr unsigned deleted = 1u << 3;
inline constexpr unsigned draft = 1u << 4;
inline constexpr unsigned recent = 1u << 5;  // session flag: never stored by a client
}  // namespace flag

struct FlagList {
  unsigned system = 0;                // flag:: bits
  std::vector<std::string> keywords;  // as sent, de-duplicated ignoring case
};

// "\Seen" -> flag::seen (any case); 0 for anything else.
unsigned system_flag_bit(std::string_view name);
// flag::seen -> "\Seen".
std::string_view system_flag_name(unsigned bit);
// A keyword is an RFC 3501 atom: no specials, no "\", 1..255 octets here.
bool valid_keyword(std::string_view keyword);

// A parenthesized flag list "(\Seen $Forwarded)". \Recent, \* and unknown
// "\X" flags are errors (RFC 3501: a client cannot set them).
Parsed<FlagList> parse_flag_list(const Arg& list);
// STORE also allows bare flags without parentheses: one list, or 1+ atoms.
Parsed<FlagList> parse_store_flags(Args args);

// "(\Answered \Seen $Label)" in the order: system flags, then keywords.
std::string format_flag_list(unsigned system, const std::vector<std::string>& keywords);

}  // namespace postern::imap
