// IMAP quoted strings and literals for ENVELOPE, BODYSTRUCTURE and imapd.
// Pure.
#include "lib/mime/imap_string.hpp"

namespace postern::mime {

namespace {

// Longer strings go out as literals: clients handle both, and a literal
// needs no escaping pass.
constexpr size_t kMaxQuoted = 1024;

bool quotable(std::string_view s) {
  if (s.size() > kMaxQuoted) return false;
  for (unsigned char c : s)
    if (c == 0 || c == '\r' || c == '\n' || c >= 0x80) return false;
  return true;
}

}  // namespace

void append_imap_string(std::string& out, std::string_view s) {
  if (quotable(s)) {
    out.push_back('"');
    for (char c : s) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
    return;
  }
  out.push_back('{');
  out += std::to_string(s.size());
  out += "}\r\n";
  size_t at = out.size();
  out.append(s);
  for (size_t i = at; i < out.size(); ++i)
    if (out[i] == '\0') out[i] = ' ';
}

void append_imap_nstring(std::string& out, std::optional<std::string_view> s) {
  if (s)
    append_imap_string(out, *s);
  else
    out += "NIL";
}

std::string imap_string(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  append_imap_string(out, s);
  return out;
}

std::string imap_nstring(std::optional<std::string_view> s) {
  std::string out;
  append_imap_nstring(out, s);
  return out;
}

}  // namespace postern::mime
