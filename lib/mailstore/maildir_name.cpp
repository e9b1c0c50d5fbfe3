// Maildir file name flags and the dovecot-keywords file. Pure; runs in
// imapd's mail process.
#include "lib/mailstore/maildir_name.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"

namespace postern::mailstore {
namespace {

struct FlagLetter {
  char letter;
  Flag flag;
};
constexpr FlagLetter kLetters[] = {
    {'D', kDraft}, {'F', kFlagged}, {'R', kAnswered}, {'S', kSeen}, {'T', kDeleted},
};

}  // namespace

MaildirName parse_maildir_name(std::string_view file_name) {
  MaildirName out;
  auto colon = file_name.find(':');
  out.base = std::string(file_name.substr(0, colon));
  if (colon == std::string_view::npos) return out;
  std::string_view info = file_name.substr(colon + 1);
  if (!info.starts_with("2,")) return out;  // experimental "1," info: no flags
  for (char c : info.substr(2)) {
    bool known = false;
    for (const auto& fl : kLetters)
      if (fl.letter == c) {
        out.flags |= fl.flag;
        known = true;
      }
    if (known) continue;
    if (c >= 'a' && c <= 'z') {
      if (out.keywords.find(c) == std::string::npos) out.keywords.push_back(c);
    } else if (c > ' ' && c < 0x7f && c != ',' && c != ':' && c != '/' && out.other.find(c) == std::string::npos) {
      out.other.push_back(c);
    }
  }
  std::sort(out.keywords.begin(), out.keywords.end());
  std::sort(out.other.begin(), out.other.end());
  return out;
}

Flags maildir_name_flags(std::string_view file_name, std::string& keyword_letters) {
  auto info = file_name.find(':');
  if (info == std::string_view::npos || file_name.substr(info + 1, 2) != "2,") return 0;
  Flags flags = 0;
  for (char c : file_name.substr(info + 3)) {
    switch (c) {
      case 'D': flags |= kDraft; break;
      case 'F': flags |= kFlagged; break;
      case 'R': flags |= kAnswered; break;
      case 'S': flags |= kSeen; break;
      case 'T': flags |= kDeleted; break;
      default:
        if (c >= 'a' && c <= 'z') keyword_letters.push_back(c);
    }
  }
  return flags;
}

std::string make_maildir_name(const MaildirName& name) {
  std::string letters = name.other;
  for (const auto& fl : kLetters)
    if (name.flags & fl.flag) letters.push_back(fl.letter);
  letters += name.keywords;
  std::sort(letters.begin(), letters.end());
  letters.erase(std::unique(letters.begin(), letters.end()), letters.end());
  return name.base + ":2," + letters;
}

std::optional<uint64_t> base_name_size(std::string_view base, char key) {
  const char tag[] = {',', key, '=', 0};
  auto w = base.find(tag);
  if (w == std::string_view::npos) return std::nullopt;
  size_t start = w + 3, end = start;
  while (end < base.size() && base[end] >= '0' && base[end] <= '9') ++end;
  auto n = parse_long(base.substr(start, end - start));
  if (!n || *n < 0) return std::nullopt;
  return uint64_t(*n);
}

std::vector<std::string> parse_dovecot_keywords(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& line : split(text, "\n")) {
    auto sp = line.find(' ');
    if (sp == std::string::npos) continue;
    auto idx = parse_long(line.substr(0, sp));
    std::string word(trim(line.substr(sp + 1)));
    if (!idx || *idx < 0 || size_t(*idx) >= kMaxMaildirKeywords || word.empty()) continue;
    if (out.size() <= size_t(*idx)) out.resize(size_t(*idx) + 1);
    out[size_t(*idx)] = word;
  }
  return out;
}

std::string format_dovecot_keywords(const std::vector<std::string>& keywords) {
  std::string out;
  for (size_t i = 0; i < keywords.size(); ++i)
    if (!keywords[i].empty()) out += std::to_string(i) + " " + keywords[i] + "\n";
  return out;
}

}  // namespace postern::mailstore
