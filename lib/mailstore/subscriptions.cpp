// Reading and writing the subscriptions file. Runs in imapd's mail process
// as the mailbox owner.
#include "lib/mailstore/subscriptions.hpp"

#include <algorithm>
#include <cerrno>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"

namespace postern::mailstore {

std::vector<std::string> parse_subscriptions(std::string_view text, char v1_separator) {
  std::vector<std::string> out;
  bool v2 = text.starts_with("V\t");
  size_t pos = 0;
  bool header = v2;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string line(text.substr(pos, eol - pos));
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (header) {  // "V\t2" then an empty line
      if (line.empty()) header = false;
      continue;
    }
    if (line.empty()) continue;
    if (v2) {
      std::replace(line.begin(), line.end(), '\t', '/');
    } else if (v1_separator != '/') {
      std::replace(line.begin(), line.end(), v1_separator, '/');
    }
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(line);
  }
  return out;
}

std::string format_subscriptions(const std::vector<std::string>& names) {
  std::string out = "V\t2\n\n";
  for (std::string n : names) {
    std::replace(n.begin(), n.end(), '/', '\t');
    out += n + "\n";
  }
  return out;
}

Result<std::vector<std::string>> read_subscriptions(const std::string& root, char v1_separator) {
  auto text = read_file(root + "/subscriptions");
  if (!text) {
    if (text.error().sys_errno == ENOENT) return std::vector<std::string>{};
    return text.error();
  }
  return parse_subscriptions(*text, v1_separator);
}

Status write_subscriptions(const std::string& root, const std::vector<std::string>& names) {
  return write_file_atomic(root + "/subscriptions", format_subscriptions(names), 0600);
}

}  // namespace postern::mailstore
