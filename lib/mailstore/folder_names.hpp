// Folder names on disk: modified UTF-7 (RFC 3501 5.1.3) as Dovecot stores
// them, Maildir++ directory names (".a.b"), and name checks. Internal to
// lib/mailstore; pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mailstore {

// UTF-8 -> modified UTF-7 (lib/base/mutf7). Invalid UTF-8 bytes are
// encoded as U+FFFD.
std::string utf8_to_mutf7(std::string_view utf8);
// Modified UTF-7 -> UTF-8; nullopt when `mutf7` is not valid modified UTF-7.
std::optional<std::string> mutf7_to_utf8(std::string_view mutf7);

// "INBOX" in any case -> "INBOX"; other names unchanged.
std::string canonical_name(std::string_view name);
bool is_inbox(std::string_view name);

// The levels of a "/" separated name ("a/b" -> {"a", "b"}).
std::vector<std::string> name_levels(std::string_view name);

// Maildir++: "a/b" -> ".a.b" (each level in modified UTF-7); INBOX -> "".
std::string maildir_dir_name(std::string_view name);
// ".a.b" -> "a/b"; nullopt for entries that are not folders (".", "..",
// "tmp", names that do not decode).
std::optional<std::string> folder_from_maildir_dir(std::string_view dir);

}  // namespace postern::mailstore
