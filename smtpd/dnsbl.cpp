// DNSBL helpers (see dnsbl.hpp). In smtpd, as mail_owner.
#include "smtpd/dnsbl.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <cstdio>

#include "lib/base/strings.hpp"

namespace postern::smtpd {
namespace {

bool parse_number(std::string_view s, int* out) {
  if (s.empty() || s.size() > 3) return false;
  int v = 0;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  if (v > 255) return false;
  *out = v;
  return true;
}

// One octet pattern against one value; false with *ok = false on bad syntax.
bool octet_matches(std::string_view pattern, int value, bool* ok) {
  int n = 0;
  if (pattern.size() < 2 || pattern.front() != '[' || pattern.back() != ']') {
    if (!parse_number(pattern, &n)) *ok = false;
    return n == value;
  }
  bool any = false;
  for (const auto& item : split(pattern.substr(1, pattern.size() - 2), ";")) {
    std::string_view it = item;
    auto dots = it.find("..");
    int lo = 0, hi = 0;
    if (dots == std::string_view::npos ? !parse_number(it, &lo) || !parse_number(it, &hi)
                                       : !parse_number(it.substr(0, dots), &lo) ||
                                             !parse_number(it.substr(dots + 2), &hi) || lo > hi) {
      *ok = false;
      return false;
    }
    if (value >= lo && value <= hi) any = true;
  }
  return any;
}

// Splits "a.b.[c;d..e].f" into four patterns (dots inside brackets are ranges).
bool split_filter(std::string_view filter, std::string_view (&parts)[4]) {
  int count = 0;
  std::size_t start = 0;
  bool bracket = false;
  for (std::size_t i = 0; i <= filter.size(); ++i) {
    if (i < filter.size() && filter[i] == '[') bracket = true;
    if (i < filter.size() && filter[i] == ']') bracket = false;
    if (i == filter.size() || (filter[i] == '.' && !bracket)) {
      if (count == 4) return false;
      parts[count++] = filter.substr(start, i - start);
      start = i + 1;
    }
  }
  return count == 4 && !bracket;
}

}  // namespace

DnsblSite parse_dnsbl_site(std::string_view argument) {
  DnsblSite s;
  auto eq = argument.find('=');
  s.domain = to_lower(argument.substr(0, eq));
  while (!s.domain.empty() && s.domain.back() == '.') s.domain.pop_back();
  if (eq != std::string_view::npos) s.filter = std::string(argument.substr(eq + 1));
  return s;
}

bool valid_dnsbl_filter(std::string_view filter) {
  if (filter.empty()) return true;
  std::string_view parts[4];
  if (!split_filter(filter, parts)) return false;
  bool ok = true;
  for (auto& p : parts) octet_matches(p, 0, &ok);
  return ok;
}

bool dnsbl_filter_matches(std::string_view filter, std::string_view address) {
  if (filter.empty()) return true;
  unsigned char a[4];
  if (inet_pton(AF_INET, std::string(address).c_str(), a) != 1) return false;
  std::string_view parts[4];
  if (!split_filter(filter, parts)) return false;
  bool ok = true;
  bool all = true;
  for (int i = 0; i < 4; ++i)
    if (!octet_matches(parts[i], a[i], &ok)) all = false;
  return ok && all;
}

std::optional<std::string> dnsbl_address_query(std::string_view address, std::string_view domain) {
  std::string text(address);
  unsigned char b[16];
  char part[8];
  std::string q;
  if (inet_pton(AF_INET, text.c_str(), b) == 1) {
    for (int i = 3; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%u.", b[i]);
      q += part;
    }
  } else if (inet_pton(AF_INET6, text.c_str(), b) == 1) {
    for (int i = 15; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%x.%x.", b[i] & 0xf, b[i] >> 4);
      q += part;
    }
  } else {
    return std::nullopt;
  }
  return q + std::string(domain);
}

std::optional<std::string> dnsbl_domain_query(std::string_view name, std::string_view domain) {
  std::string n = to_lower(name);
  while (!n.empty() && n.back() == '.') n.pop_back();
  if (n.empty() || n.front() == '[' || n.find_first_of(" \t\r\n") != std::string::npos) return std::nullopt;
  return n + "." + std::string(domain);
}

std::string expand_reply_template(std::string_view t, const std::map<std::string, std::string>& vars) {
  auto value = [&](const std::string& name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
  std::string out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] != '$' || i + 1 == t.size()) {
      out += t[i];
      continue;
    }
    if (t[i + 1] == '$') {
      out += '$';
      ++i;
    } else if (t[i + 1] == '{') {
      // Find the matching brace (the text may hold ${...} in turn).
      int depth = 0;
      std::size_t j = i + 1;
      for (; j < t.size(); ++j) {
        if (t[j] == '{') ++depth;
        if (t[j] == '}' && --depth == 0) break;
      }
      if (j == t.size()) {
        out += t.substr(i);
        break;
      }
      std::string_view inner = t.substr(i + 2, j - i - 2);
      auto op = inner.find_first_of("?:");
      std::string name(inner.substr(0, op));
      std::string v = value(name);
      if (op == std::string_view::npos) {
        out += v;
      } else {
        const bool want_set = inner[op] == '?';
        if (want_set == !v.empty()) out += expand_reply_template(inner.substr(op + 1), vars);
      }
      i = j;
    } else {
      std::size_t j = i + 1;
      while (j < t.size() && (std::isalnum(static_cast<unsigned char>(t[j])) || t[j] == '_')) ++j;
      if (j == i + 1) {
        out += '$';
        continue;
      }
      out += value(std::string(t.substr(i + 1, j - i - 1)));
      i = j - 1;
    }
  }
  return out;
}

std::optional<smtp::Reply> parse_template_reply(std::string_view text) {
  text = trim(text);
  if (text.size() < 3 || (text[0] != '4' && text[0] != '5') || !std::isdigit(static_cast<unsigned char>(text[1])) ||
      !std::isdigit(static_cast<unsigned char>(text[2])) || (text.size() > 3 && text[3] != ' '))
    return std::nullopt;
  smtp::Reply r;
  r.code = (text[0] - '0') * 100 + (text[1] - '0') * 10 + (text[2] - '0');
  std::string_view rest = text.size() > 3 ? trim(text.substr(4)) : std::string_view{};
  auto sp = rest.find(' ');
  std::string_view first = rest.substr(0, sp);
  if (first.size() >= 5 && first[0] == text[0] && first[1] == '.' &&
      first.find_first_not_of("0123456789.") == std::string_view::npos) {
    r.enhanced = std::string(first);
    rest = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp));
  } else {
    r.enhanced = std::string(1, text[0]) + ".7.1";
  }
  r.text = std::string(rest);
  return r;
}

}  // namespace postern::smtpd
