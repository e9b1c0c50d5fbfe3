// Modified UTF-7 mailbox names (RFC 3501 5.1.3): the wire form clients send
// and see, and UTF-8 as stored. Decoding validates strictly: a bare "&", a
// non-base64 character, non-zero padding bits, broken UTF-16 and base64 used
// for printable ASCII are all errors. Pure.
#pragma once

#include <string>
#include <string_view>

#include "lib/imap/parse_result.hpp"

namespace postern::imap {

// Wire form -> UTF-8.
Parsed<std::string> mutf7_decode(std::string_view wire);
// UTF-8 -> wire form. Invalid UTF-8 is an error.
Parsed<std::string> mutf7_encode(std::string_view utf8);

// A mailbox argument from a command: decoded to UTF-8, control characters
// refused, and "INBOX" in any case — alone or as the first level before
// `separator` — spelt "INBOX" (RFC 3501 5.1: INBOX is case-insensitive).
Parsed<std::string> mailbox_from_wire(std::string_view wire, char separator = '/');
// A UTF-8 mailbox name for LIST/LSUB/STATUS output (mUTF-7; valid UTF-8
// assumed, invalid sequences are passed through byte for byte).
std::string mailbox_to_wire(std::string_view utf8);

}  // namespace postern::imap
