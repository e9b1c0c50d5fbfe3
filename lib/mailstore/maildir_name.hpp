// Maildir file names: "<base>:2,<info>" where info letters are the flags
// (S seen, R replied = \Answered, F flagged, T trashed = \Deleted, D draft,
// P passed) and a-z are keywords numbered in the folder's dovecot-keywords
// file, as Dovecot keeps them. Pure; internal to lib/mailstore.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mailstore/folder.hpp"

namespace postern::mailstore {

struct MaildirName {
  std::string base;      // up to the ':' (unique; the key in dovecot-uidlist)
  Flags flags = 0;
  std::string keywords;  // letters 'a'..'z', sorted
  std::string other;     // other flag letters we keep untouched (P, ...), sorted
};

MaildirName parse_maildir_name(std::string_view file_name);
// Only the flags (and keyword letters, unsorted) of a file name: the fast
// path for opening a large folder from its index.
Flags maildir_name_flags(std::string_view file_name, std::string& keyword_letters);
// "<base>:2,<letters>" with the letters in ASCII order (Maildir's rule).
std::string make_maildir_name(const MaildirName& name);

// ",S=<n>" (file size) and ",W=<n>" (CRLF size) inside a base name.
std::optional<uint64_t> base_name_size(std::string_view base, char key);

// dovecot-keywords: "<index> <keyword>" lines; index 0 is letter 'a'.
constexpr size_t kMaxMaildirKeywords = 26;
std::vector<std::string> parse_dovecot_keywords(std::string_view text);
std::string format_dovecot_keywords(const std::vector<std::string>& keywords);

}  // namespace postern::mailstore
