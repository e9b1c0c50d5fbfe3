// Message input and header recipient extraction for sendmail (the user).
#include "sendmail/message.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"

namespace postern::sendmail {

Result<std::string> read_message(int fd, bool ignore_dots, std::uint64_t limit) {
  std::string out, line;
  char buf[65536];
  bool at_eof = false;
  auto finish_line = [&](bool had_newline) -> bool {  // false: end of message
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!ignore_dots && had_newline && line == ".") return false;
    if (!ignore_dots && !had_newline && line == ".") return false;
    out += line;
    out += "\r\n";
    line.clear();
    return true;
  };
  while (!at_eof) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error("read standard input");
    }
    if (n == 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n') {
        if (!finish_line(true)) {
          at_eof = true;
          break;
        }
      } else {
        line += buf[i];
      }
    }
    if (limit && out.size() + line.size() > limit) return Error{"message file too big"};
  }
  if (!at_eof && !line.empty()) finish_line(false);
  return out;
}

std::vector<std::string> parse_address_list(std::string_view text) {
  std::vector<std::string> result;
  std::string current;    // the address being built (outside brackets)
  std::string bracketed;  // the last <...> seen for this entry
  bool have_bracket = false;
  auto flush = [&] {
    std::string addr = have_bracket ? bracketed : std::string(trim(current));
    // A display name without brackets ("Joe Bloggs") is not an address;
    // a bare addr-spec has no spaces outside quotes (collapsed already).
    if (!addr.empty()) result.push_back(addr);
    current.clear();
    bracketed.clear();
    have_bracket = false;
  };
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {  // quoted string: copy, honouring backslash escapes
      std::string q = "\"";
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) q += text[i++];
        q += text[i++];
      }
      q += '"';
      ++i;
      current += q;
    } else if (c == '(') {  // comment, nested
      int depth = 0;
      while (i < text.size()) {
        if (text[i] == '\\') {
          i += 2;
          continue;
        }
        if (text[i] == '(') ++depth;
        if (text[i] == ')' && --depth == 0) {
          ++i;
          break;
        }
        ++i;
      }
    } else if (c == '<') {
      size_t end = text.find('>', i);
      if (end == std::string_view::npos) end = text.size();
      std::string_view inner = trim(text.substr(i + 1, end - i - 1));
      // Source routes "<@a,@b:user@c>" lose their route.
      if (!inner.empty() && inner[0] == '@') {
        size_t colon = inner.find(':');
        if (colon != std::string_view::npos) inner = inner.substr(colon + 1);
      }
      bracketed = inner;
      have_bracket = true;
      i = end + 1;
    } else if (c == ':') {  // group "name:" starts; what came before was its name
      current.clear();
      ++i;
    } else if (c == ',' || c == ';') {
      flush();
      ++i;
    } else if (is_space(c)) {
      ++i;  // folding white space between tokens is dropped
    } else {
      current += c;
      ++i;
    }
  }
  flush();
  // Entries without '@' that contained spaces were display names only; our
  // space-dropping makes that undetectable, so keep what looks like a mailbox.
  return result;
}

std::vector<std::string> header_recipients(std::string_view message) {
  // Unfold the header section into logical lines.
  std::vector<std::string> fields;
  while (!message.empty()) {
    size_t nl = message.find('\n');
    std::string_view line = message.substr(0, nl);
    message = nl == std::string_view::npos ? std::string_view{} : message.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !fields.empty()) {
      fields.back() += std::string(line);
    } else if (fields.empty() && line.rfind("From ", 0) == 0) {
      continue;  // mbox "From " line
    } else {
      fields.emplace_back(line);
    }
  }
  auto collect = [&](std::initializer_list<std::string_view> names) {
    std::vector<std::string> out;
    for (const auto& f : fields) {
      size_t colon = f.find(':');
      if (colon == std::string::npos) continue;
      std::string_view name = trim(std::string_view(f).substr(0, colon));
      for (auto want : names)
        if (iequals(name, want))
          for (auto& a : parse_address_list(std::string_view(f).substr(colon + 1))) out.push_back(a);
    }
    return out;
  };
  auto found = collect({"Resent-To", "Resent-Cc", "Resent-Bcc"});
  if (found.empty()) found = collect({"To", "Cc", "Bcc"});
  std::vector<std::string> unique;
  for (auto& a : found)
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
  return unique;
}

}  // namespace postern::sendmail
