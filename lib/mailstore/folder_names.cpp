// Folder names: modified UTF-7 for the disk (Dovecot's Maildir++ and mbox
// layouts keep names that way; the codec is lib/base's), Maildir++
// directory names, validity checks.
// Pure; runs in imapd's mail process.
#include "lib/mailstore/folder_names.hpp"

#include "lib/base/mutf7.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/utf8.hpp"
#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {
std::string utf8_to_mutf7(std::string_view utf8) {
  auto encoded = mutf7_encode(utf8_sanitize(utf8));  // valid UTF-8 always encodes
  return encoded ? std::move(*encoded) : std::string();
}

std::optional<std::string> mutf7_to_utf8(std::string_view mutf7) {
  auto decoded = mutf7_decode(mutf7);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

bool is_inbox(std::string_view name) { return iequals(name, "INBOX"); }

std::string canonical_name(std::string_view name) {
  if (is_inbox(name)) return "INBOX";
  // "inbox/x" keeps the user's spelling below the top level, but the top
  // level INBOX is one folder whatever its case.
  if (name.size() > 6 && name[5] == '/' && is_inbox(name.substr(0, 5))) return "INBOX" + std::string(name.substr(5));
  return std::string(name);
}

std::vector<std::string> name_levels(std::string_view name) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t slash = name.find('/', pos);
    out.emplace_back(name.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return out;
}

std::string maildir_dir_name(std::string_view name) {
  if (is_inbox(name)) return "";
  std::string out;
  for (const auto& level : name_levels(name)) out += "." + utf8_to_mutf7(level);
  return out;
}

std::optional<std::string> folder_from_maildir_dir(std::string_view dir) {
  if (dir.size() < 2 || dir[0] != '.' || dir == "..") return std::nullopt;
  std::string out;
  size_t pos = 1;
  while (true) {
    size_t dot = dir.find('.', pos);
    std::string_view level = dir.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (level.empty()) return std::nullopt;
    auto decoded = mutf7_to_utf8(level);
    if (!decoded) return std::nullopt;
    if (!out.empty()) out += '/';
    out += *decoded;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return out;
}

std::optional<std::string> invalid_folder_name(const std::string& name, MailLocation::Format format) {
  if (name.empty()) return "empty mailbox name";
  if (name.size() > 255) return "mailbox name too long";
  if (!utf8_valid(name)) return "mailbox name is not UTF-8";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7F) return "control character in mailbox name";
  for (const auto& level : name_levels(name)) {
    if (level.empty()) return "empty level in mailbox name";
    if (level == "." || level == "..") return "\".\" or \"..\" in mailbox name";
    if (format == MailLocation::Format::maildir && level.find('.') != std::string::npos)
      return "'.' is not allowed in Maildir folder names";
    if (format == MailLocation::Format::mbox && level.front() == '.') return "mbox folder names cannot start with '.'";
  }
  if (name.front() == '~') return "mailbox name cannot start with '~'";
  return std::nullopt;
}

}  // namespace postern::mailstore
