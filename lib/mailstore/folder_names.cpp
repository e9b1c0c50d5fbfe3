// Folder names: modified UTF-7 for the disk (Dovecot's Maildir++ and mbox
// layouts keep names that way), Maildir++ directory names, validity checks.
// Pure; runs in imapd's mail process.
#include "lib/mailstore/folder_names.hpp"

#include <cstdint>

#include "lib/base/strings.hpp"
#include "lib/mailstore/mail_store.hpp"

namespace postern::mailstore {
namespace {

const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

// Decodes one UTF-8 sequence at s[i]; advances i. U+FFFD for bad bytes.
uint32_t next_code_point(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i++]);
  if (c < 0x80) return c;
  int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : -1;
  if (extra < 0 || c >= 0xF8) return 0xFFFD;
  uint32_t cp = c & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    if (i >= s.size() || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) return 0xFFFD;
    cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
  }
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t before = i;
    if (next_code_point(s, i) == 0xFFFD && s.substr(before, 3) != "\xEF\xBF\xBD") return false;
  }
  return true;
}

}  // namespace

std::string utf8_to_mutf7(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  auto flush = [&] {
    if (units.empty()) return;
    out.push_back('&');
    uint32_t bits = 0;
    int nbits = 0;
    for (uint16_t u : units) {
      bits = (bits << 16) | u;
      nbits += 16;
      while (nbits >= 6) {
        nbits -= 6;
        out.push_back(kB64[(bits >> nbits) & 0x3F]);
      }
    }
    if (nbits > 0) out.push_back(kB64[(bits << (6 - nbits)) & 0x3F]);
    out.push_back('-');
    units.clear();
  };
  size_t i = 0;
  while (i < utf8.size()) {
    uint32_t cp = next_code_point(utf8, i);
    if (cp >= 0x20 && cp <= 0x7E) {
      flush();
      out.push_back(char(cp));
      if (cp == '&') out.push_back('-');
    } else if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push_back(uint16_t(0xD800 | (cp >> 10)));
      units.push_back(uint16_t(0xDC00 | (cp & 0x3FF)));
    } else {
      units.push_back(uint16_t(cp));
    }
  }
  flush();
  return out;
}

std::optional<std::string> mutf7_to_utf8(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7E) return std::nullopt;
    if (c != '&') {
      out.push_back(c);
      ++i;
      continue;
    }
    size_t end = s.find('-', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    if (end == i + 1) {
      out.push_back('&');
      i = end + 1;
      continue;
    }
    uint32_t bits = 0;
    int nbits = 0;
    std::vector<uint16_t> units;
    for (size_t k = i + 1; k < end; ++k) {
      int v = b64_value(s[k]);
      if (v < 0) return std::nullopt;
      bits = (bits << 6) | uint32_t(v);
      nbits += 6;
      if (nbits >= 16) {
        nbits -= 16;
        units.push_back(uint16_t(bits >> nbits));
        bits &= (1u << nbits) - 1;
      }
    }
    if (nbits >= 6 || bits != 0 || units.empty()) return std::nullopt;  // leftover must be zero padding
    for (size_t k = 0; k < units.size(); ++k) {
      uint32_t u = units[k];
      if (u >= 0xD800 && u <= 0xDBFF) {
        if (k + 1 >= units.size() || units[k + 1] < 0xDC00 || units[k + 1] > 0xDFFF) return std::nullopt;
        u = 0x10000 + ((u - 0xD800) << 10) + (units[++k] - 0xDC00);
      } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return std::nullopt;
      } else if (u >= 0x20 && u <= 0x7E) {
        return std::nullopt;  // printable ASCII must not be encoded
      }
      append_utf8(out, u);
    }
    i = end + 1;
  }
  return out;
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
  if (!valid_utf8(name)) return "mailbox name is not UTF-8";
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
