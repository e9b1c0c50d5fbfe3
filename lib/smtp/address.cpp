// RFC 5321 / RFC 6531 path syntax. Used by smtpd and lmtpd (as mail_owner).
#include "lib/smtp/address.hpp"

#include <arpa/inet.h>

#include "lib/base/strings.hpp"

namespace postern::smtp {
namespace {

bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_high(unsigned char c) { return c >= 0x80; }

bool is_atext(unsigned char c) {
  if (is_alpha(c) || is_digit(c) || is_high(c)) return true;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
    case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
    case '|': case '}': case '~':
      return true;
    default:
      return false;
  }
}

bool valid_dot_string(std::string_view s, bool lenient) {
  if (s.empty()) return false;
  bool atom_empty = true;
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '.') {
      if (atom_empty && !lenient) return false;
      atom_empty = true;
    } else if (is_atext(c)) {
      atom_empty = false;
    } else {
      return false;
    }
  }
  return lenient || !atom_empty;
}

bool valid_quoted_string(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      if (i + 2 >= s.size()) return false;
      auto q = static_cast<unsigned char>(s[++i]);
      if (q < 32 || q > 126) return false;
    } else if (c == '"' || (c < 32) || c == 127) {
      return false;
    }
  }
  return true;
}

bool valid_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    size_t n = 0;
    int value = 0;
    while (n < s.size() && is_digit(static_cast<unsigned char>(s[n]))) {
      value = value * 10 + (s[n] - '0');
      if (++n > 3) return false;
    }
    if (n == 0 || value > 255) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) break;
    if (s.front() != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
  return parts == 4;
}

bool valid_sub_domain(std::string_view label, bool lenient) {
  if (label.empty() || label.size() > 63) return false;
  auto letdig = [&](unsigned char c) {
    return is_alpha(c) || is_digit(c) || is_high(c) || (lenient && c == '_');
  };
  if (!letdig(static_cast<unsigned char>(label.front()))) return false;
  if (!letdig(static_cast<unsigned char>(label.back()))) return false;
  for (char ch : label) {
    auto c = static_cast<unsigned char>(ch);
    if (!letdig(c) && c != '-') return false;
  }
  return true;
}

// Finds the '>' closing a path that starts with '<', skipping quoted text.
size_t find_close(std::string_view s) {
  bool quoted = false;
  for (size_t i = 1; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == '>') {
      return i;
    }
  }
  return std::string_view::npos;
}

// End of an unbracketed (lenient) path: the first space outside quotes.
size_t find_bare_end(std::string_view s) {
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == ' ') {
      return i;
    }
  }
  return s.size();
}

// Removes "@a,@b:" (RFC 5321 4.1.2 A-d-l; servers must accept and ignore it).
bool strip_source_route(std::string_view& inner, bool lenient) {
  if (inner.empty() || inner.front() != '@') return true;
  size_t colon = inner.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view route = inner.substr(0, colon);
  inner.remove_prefix(colon + 1);
  while (!route.empty()) {
    size_t comma = route.find(',');
    std::string_view hop = route.substr(0, comma);
    if (hop.size() < 2 || hop.front() != '@') return false;
    hop.remove_prefix(1);
    bool ok = hop.front() == '[' ? valid_address_literal(hop) : valid_domain(hop, lenient);
    if (!ok) return false;
    if (comma == std::string_view::npos) break;
    route.remove_prefix(comma + 1);
  }
  return true;
}

// Splits at the '@' that ends the local part (the last one outside quotes).
size_t find_at(std::string_view s) {
  bool quoted = false;
  size_t at = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    if (quoted && s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      quoted = !quoted;
    } else if (!quoted && s[i] == '@') {
      at = i;
    }
  }
  return quoted ? std::string_view::npos - 1 : at;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    unsigned cp;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return false;
    if (cp >= 0xD800 && cp <= 0xDFFF) return false;
    i += len;
  }
  return true;
}

bool valid_domain(std::string_view domain, bool lenient) {
  if (domain.empty() || domain.size() > 255) return false;
  while (true) {
    size_t dot = domain.find('.');
    if (!valid_sub_domain(domain.substr(0, dot), lenient)) return false;
    if (dot == std::string_view::npos) return true;
    domain.remove_prefix(dot + 1);
  }
}

bool valid_address_literal(std::string_view s) {
  if (s.size() < 3 || s.front() != '[' || s.back() != ']') return false;
  s = s.substr(1, s.size() - 2);
  if (is_digit(static_cast<unsigned char>(s.front())) && s.find(':') == std::string_view::npos)
    return valid_ipv4(s);
  size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  std::string_view tag = s.substr(0, colon);
  std::string_view value = s.substr(colon + 1);
  if (iequals(tag, "IPv6")) {
    std::string text(value);
    unsigned char buf[16];
    return !text.empty() && ::inet_pton(AF_INET6, text.c_str(), buf) == 1;
  }
  // General-address-literal: Standardized-tag ":" 1*dcontent.
  if (!valid_sub_domain(tag, false) || value.empty()) return false;
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;
  }
  return true;
}

std::optional<Path> parse_path(std::string_view text, const PathOptions& options, std::string_view* rest) {
  const bool lenient = !options.strict;
  std::string_view inner;
  std::string_view after;
  if (!text.empty() && text.front() == '<') {
    size_t close = find_close(text);
    if (close == std::string_view::npos) return std::nullopt;
    inner = text.substr(1, close - 1);
    after = text.substr(close + 1);
    if (!after.empty() && after.front() != ' ' && !lenient) return std::nullopt;
  } else {
    if (!lenient) return std::nullopt;
    size_t end = find_bare_end(text);
    inner = text.substr(0, end);
    after = text.substr(end);
    if (inner.empty()) return std::nullopt;
  }
  if (options.strict && inner.size() > 254) return std::nullopt;  // 256 with the brackets

  Path path;
  if (inner.empty()) {
    path.null = true;
    if (rest) *rest = after;
    return path;
  }
  for (char ch : inner) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 32 || c == 127) return std::nullopt;
    if (c >= 0x80) path.utf8 = true;
  }
  if (path.utf8 && !valid_utf8(inner)) return std::nullopt;
  if (!strip_source_route(inner, lenient)) return std::nullopt;

  size_t at = find_at(inner);
  if (at == std::string_view::npos - 1) return std::nullopt;  // unbalanced quote
  std::string_view local = at == std::string_view::npos ? inner : inner.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? std::string_view{} : inner.substr(at + 1);

  bool local_ok = !local.empty() && (local.front() == '"' ? valid_quoted_string(local)
                                                          : valid_dot_string(local, lenient));
  if (!local_ok) return std::nullopt;
  if (options.strict && local.size() > 64) return std::nullopt;
  if (at != std::string_view::npos) {
    bool domain_ok = !domain.empty() && (domain.front() == '[' ? valid_address_literal(domain)
                                                               : valid_domain(domain, lenient));
    if (!domain_ok) return std::nullopt;
  }
  path.local_part = std::string(local);
  path.domain = std::string(domain);
  path.address = std::string(inner);
  if (rest) *rest = after;
  return path;
}

}  // namespace postern::smtp
