// Dovecot's pop3_uidl_format: %u (IMAP UID), %v (UIDVALIDITY), %m (MD5 of the
// header, hex), %f (Maildir file name), %g (the message GUID: the Maildir
// base name here), %% ; each with Dovecot's width and modifiers, e.g. the
// default "%08Xu%08Xv" (8 upper-case hex digits, zero-padded). Pure; used by
// pop3d's mail process.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::pop3 {

struct UidlVars {
  unsigned long uid = 0;          // 0: not known
  unsigned long uidvalidity = 0;  // 0: not known
  std::string md5;                // "" : not computed
  std::string filename;           // Maildir only
  std::string guid;
};

// The UIDL, or nullopt when the format needs a value that is not known.
std::optional<std::string> format_uidl(std::string_view format, const UidlVars& vars);

// Whether the format uses variable `var` ('m', 'u', ...).
bool uidl_format_uses(std::string_view format, char var);

inline constexpr std::string_view kDefaultUidlFormat = "%08Xu%08Xv";

}  // namespace postern::pop3
