// The IMAP ENVELOPE (RFC 3501 7.4.2) of a message: date, subject, from,
// sender, reply-to, to, cc, bcc, in-reply-to, message-id. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mime/part.hpp"

namespace postern::mime {

// One RFC 5322 address as IMAP shows it. A group is a start marker
// {name=nullopt, route=nullopt, mailbox=group name, host=nullopt}, its
// members, then an end marker with all four nullopt.
struct Address {
  std::optional<std::string> name;     // display name (quotes removed, encoded words kept) or comment
  std::optional<std::string> route;    // obsolete source route "@a,@b"
  std::optional<std::string> mailbox;  // local part (quotes removed)
  std::optional<std::string> host;     // domain
};

// Parses an address-list field value (From, To, Cc, ...), tolerating
// comments, quoted local parts, route addresses, groups, missing domains
// (host ".MISSING-HOST-NAME.") and junk (skipped).
std::vector<Address> parse_address_list(std::string_view value);

// "(date subject (from) (sender) (reply-to) (to) (cc) (bcc) in-reply-to
// message-id)" for the message whose header is message.header. Sender and
// Reply-To default to From; absent fields are NIL.
std::string envelope(std::string_view raw, const Part& message);
void append_envelope(std::string& out, std::string_view raw, const Part& message);

}  // namespace postern::mime
