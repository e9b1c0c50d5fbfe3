// POP3 command parsing and response formatting. Pure; runs in pop3d before
// and after login.
#include "lib/pop3/pop3_command.hpp"

#include <cstring>

#include "lib/base/strings.hpp"

namespace postern::pop3 {

std::optional<Command> parse_command(std::string_view line) {
  for (unsigned char c : line)
    if ((c < 0x20 && c != '\t') || c == 0x7f) return std::nullopt;
  auto space = line.find(' ');
  std::string_view kw = line.substr(0, space);
  if (kw.size() < 3 || kw.size() > 4) return std::nullopt;
  for (char c : kw)
    if (!std::isalpha(static_cast<unsigned char>(c))) return std::nullopt;
  Command cmd;
  cmd.keyword = to_upper(kw);
  if (space != std::string_view::npos) {
    cmd.rest = std::string(line.substr(space + 1));
    cmd.args = split(cmd.rest, " ");
  }
  return cmd;
}

std::optional<size_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  auto n = parse_long(s);
  if (!n || *n < 0) return std::nullopt;
  return size_t(*n);
}

std::string ok(std::string_view text) { return text.empty() ? "+OK\r\n" : "+OK " + std::string(text) + "\r\n"; }

std::string err(std::string_view text, std::string_view code) {
  return "-ERR " + (code.empty() ? std::string() : "[" + std::string(code) + "] ") + std::string(text) + "\r\n";
}

void append_dot_stuffed(std::string& out, std::string_view m) {
  // Line by line with memchr: RETR of a whole mailbox spends its time here.
  out.reserve(out.size() + m.size() + m.size() / 64 + 5);
  size_t pos = 0;
  while (pos < m.size()) {
    if (m[pos] == '.') out.push_back('.');  // pos is always at a line start
    const void* nl = std::memchr(m.data() + pos, '\n', m.size() - pos);
    size_t end = nl ? size_t(static_cast<const char*>(nl) - m.data()) + 1 : m.size();
    out.append(m.data() + pos, end - pos);
    pos = end;
  }
  if (!m.empty() && m.back() != '\n') out += "\r\n";
  out += ".\r\n";
}

std::string dot_stuff(std::string_view m) {
  std::string out;
  append_dot_stuffed(out, m);
  return out;
}

std::string top_of(std::string_view m, size_t lines) {
  size_t end = m.find("\r\n\r\n");
  if (end == std::string_view::npos) return std::string(m);
  size_t pos = end + 4;
  for (size_t i = 0; i < lines && pos < m.size(); ++i) {
    size_t nl = m.find('\n', pos);
    pos = nl == std::string_view::npos ? m.size() : nl + 1;
  }
  return std::string(m.substr(0, pos));
}

}  // namespace postern::pop3
