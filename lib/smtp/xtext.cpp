// RFC 3461 xtext codec. Used by smtpd and the smtp client (as mail_owner).
#include "lib/smtp/xtext.hpp"

namespace postern::smtp {

static int hex_value(char c) {
  // RFC 3461 section 4: hexchar uses upper-case "A"-"F" only.
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> xtext_decode(std::string_view xtext) {
  std::string out;
  out.reserve(xtext.size());
  for (size_t i = 0; i < xtext.size(); ++i) {
    auto c = static_cast<unsigned char>(xtext[i]);
    if (c < 33 || c > 126 || c == '=') return std::nullopt;
    if (c != '+') {
      out += char(c);
      continue;
    }
    if (i + 2 >= xtext.size()) return std::nullopt;
    int hi = hex_value(xtext[i + 1]);
    int lo = hex_value(xtext[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += char(hi * 16 + lo);
    i += 2;
  }
  return out;
}

std::string xtext_encode(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c > 126 || c == '+' || c == '=') {
      out += '+';
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace postern::smtp
