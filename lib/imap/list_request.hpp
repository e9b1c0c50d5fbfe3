// LIST and LSUB arguments (RFC 3501 6.3.8-9, RFC 5258 LIST-EXTENDED as far
// as selection and return options go, RFC 6154 SPECIAL-USE, RFC 5819
// RETURN (STATUS ...)), and mailbox-pattern matching with "*" and "%".
// Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/imap/command.hpp"
#include "lib/imap/parse_result.hpp"
#include "lib/imap/status_items.hpp"

namespace postern::imap {

struct ListRequest {
  bool extended = false;  // selection options, several patterns or RETURN were used
  // Selection options (RFC 5258 / 6154).
  bool select_subscribed = false;
  bool select_remote = false;
  bool select_recursive_match = false;
  bool select_special_use = false;
  // Return options.
  bool return_subscribed = false;
  bool return_children = false;
  bool return_special_use = false;
  std::optional<StatusItems> return_status;  // RETURN (STATUS (MESSAGES ...))
  std::string reference;                      // as sent (mUTF-7); may be ""
  std::vector<std::string> patterns;          // as sent (mUTF-7); "" asks for the separator
};

// `args` after LIST. lsub: only "reference pattern" is allowed.
Parsed<ListRequest> parse_list(Args args, bool lsub = false);

// A LIST pattern combined with its reference, matched against UTF-8 names
// whose hierarchy separator is `separator`. "*" matches anything, "%"
// anything but the separator; the leading "INBOX" of a name matches without
// regard to case. Reference and pattern are decoded from mUTF-7 first (an
// undecodable one is used as is). Linear time per name, no backtracking.
class ListPattern {
 public:
  ListPattern(std::string_view reference, std::string_view pattern, char separator = '/');
  bool matches(std::string_view name) const;
  const std::string& combined() const { return pattern_; }

 private:
  std::string pattern_;
  char separator_;
};

}  // namespace postern::imap
