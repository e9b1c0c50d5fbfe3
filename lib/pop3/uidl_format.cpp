// pop3_uidl_format expansion (see the header).
#include "lib/pop3/uidl_format.hpp"

#include <cctype>
#include <cstdio>

namespace postern::pop3 {
namespace {

struct Spec {
  bool zero = false;
  int width = 0;
  char modifier = 0;  // 'X' or 'x' (hex), 'L', 'U' (case) or 0
  char var = 0;
};

// Parses "%[0][width][X|x|L|U]v" at text[i] == '%'; advances i past it.
std::optional<Spec> parse(std::string_view text, std::size_t& i) {
  Spec s;
  std::size_t j = i + 1;
  if (j < text.size() && text[j] == '0') {
    s.zero = true;
    ++j;
  }
  while (j < text.size() && std::isdigit(static_cast<unsigned char>(text[j])) && s.width < 100)
    s.width = s.width * 10 + (text[j++] - '0');
  if (j < text.size() && (text[j] == 'X' || text[j] == 'x' || text[j] == 'L' || text[j] == 'U') && j + 1 < text.size() &&
      std::isalpha(static_cast<unsigned char>(text[j + 1])))
    s.modifier = text[j++];
  if (j >= text.size()) return std::nullopt;
  s.var = text[j];
  i = j + 1;
  return s;
}

std::string pad(std::string value, const Spec& s) {
  if (static_cast<int>(value.size()) < s.width) value.insert(0, s.width - value.size(), s.zero ? '0' : ' ');
  return value;
}

std::optional<std::string> number(unsigned long n, const Spec& s) {
  if (n == 0) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, s.modifier == 'X' ? "%lX" : s.modifier == 'x' ? "%lx" : "%lu", n);
  return pad(buf, s);
}

std::optional<std::string> text_value(const std::string& v, const Spec& s) {
  if (v.empty()) return std::nullopt;
  std::string out = v;
  for (char& c : out) {
    if (s.modifier == 'L' || s.modifier == 'x') c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s.modifier == 'U' || s.modifier == 'X') c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return pad(out, s);
}

}  // namespace

std::optional<std::string> format_uidl(std::string_view format, const UidlVars& vars) {
  std::string out;
  for (std::size_t i = 0; i < format.size();) {
    if (format[i] != '%') {
      out += format[i++];
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      out += '%';
      i += 2;
      continue;
    }
    auto spec = parse(format, i);
    if (!spec) return std::nullopt;
    std::optional<std::string> v;
    switch (spec->var) {
      case 'u': v = number(vars.uid, *spec); break;
      case 'v': v = number(vars.uidvalidity, *spec); break;
      case 'm': v = text_value(vars.md5, *spec); break;
      case 'f': v = text_value(vars.filename, *spec); break;
      case 'g': v = text_value(vars.guid, *spec); break;
      default: return std::nullopt;  // an unknown variable: never guess
    }
    if (!v) return std::nullopt;
    out += *v;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

bool uidl_format_uses(std::string_view format, char var) {
  for (std::size_t i = 0; i < format.size();) {
    if (format[i] != '%') {
      ++i;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '%') {
      i += 2;
      continue;
    }
    auto spec = parse(format, i);
    if (!spec) return false;
    if (spec->var == var) return true;
  }
  return false;
}

}  // namespace postern::pop3
