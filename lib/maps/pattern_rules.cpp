// Line splitting and $n substitution for the pattern tables.
#include "lib/maps/pattern_rules.hpp"

#include <cctype>

#include "lib/base/strings.hpp"

namespace postern::maps {

namespace {

// Parses the digits of a reference at s[i]: "n", "{n}" or "(n)". Returns
// the group and advances i past it; -1 on junk.
int parse_reference(std::string_view s, size_t& i) {
  char close = 0;
  if (i < s.size() && (s[i] == '{' || s[i] == '(')) close = s[i++] == '{' ? '}' : ')';
  size_t start = i;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == start || i - start > 4) return -1;
  int n = std::stoi(std::string(s.substr(start, i - start)));
  if (close) {
    if (i >= s.size() || s[i] != close) return -1;
    ++i;
  }
  return n;
}

bool read_pattern(std::string_view& s, std::string& pattern, std::string& flags, std::string& error) {
  if (s.empty() || std::isalnum(static_cast<unsigned char>(s[0])) || is_space(s[0])) {
    error = "ignoring unrecognized request";
    return false;
  }
  char delim = s[0];
  size_t i = 1;
  for (; i < s.size() && s[i] != delim; ++i)
    if (s[i] == '\\' && i + 1 < s.size()) ++i;  // an escaped delimiter stays in the pattern
  if (i >= s.size()) {
    error = std::string("no closing regexp delimiter \"") + delim + "\"";
    return false;
  }
  // "\/" only protects the delimiter; the regex engine must see "/" alone.
  std::string_view raw = s.substr(1, i - 1);
  pattern.clear();
  for (size_t j = 0; j < raw.size(); ++j) {
    if (raw[j] == '\\' && j + 1 < raw.size() && raw[j + 1] == delim) continue;
    pattern.push_back(raw[j]);
  }
  s.remove_prefix(i + 1);
  size_t f = 0;
  while (f < s.size() && std::isalpha(static_cast<unsigned char>(s[f]))) ++f;
  flags = std::string(s.substr(0, f));
  s.remove_prefix(f);
  return true;
}

}  // namespace

std::string substitute(std::string_view result, std::string_view subject, const Captures& caps) {
  std::string out;
  for (size_t i = 0; i < result.size();) {
    if (result[i] != '$') {
      out.push_back(result[i++]);
      continue;
    }
    ++i;
    if (i < result.size() && result[i] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    size_t save = i;
    int n = parse_reference(result, i);
    if (n < 0) {  // checked at load time; keep text literally if it slips through
      out.push_back('$');
      i = save;
      continue;
    }
    if (size_t(n) < caps.size() && caps[n].first >= 0)
      out.append(subject.substr(size_t(caps[n].first), size_t(caps[n].second)));
  }
  return out;
}

int highest_reference(std::string_view result) {
  int high = 0;
  for (size_t i = 0; i < result.size();) {
    if (result[i++] != '$') continue;
    if (i < result.size() && result[i] == '$') {
      ++i;
      continue;
    }
    int n = parse_reference(result, i);
    if (n < 0) return -1;
    high = std::max(high, n);
  }
  return high;
}

std::optional<RegexLine> split_regex_line(std::string_view text, std::string& error) {
  RegexLine out;
  std::string_view s = trim(text);
  auto word = [&](std::string_view w) {
    return istarts_with(s, w) && (s.size() == w.size() || is_space(s[w.size()]) ||
                                  !std::isalnum(static_cast<unsigned char>(s[w.size()])));
  };
  if (word("endif")) {
    if (!trim(s.substr(5)).empty()) {
      error = "ignoring extra text after ENDIF";
    }
    out.kind = RegexLine::Kind::endif;
    return out;
  }
  if (word("if")) {
    out.kind = RegexLine::Kind::if_begin;
    s = trim_left(s.substr(2));
  }
  if (!s.empty() && s[0] == '!') {
    out.negate = true;
    s = trim_left(s.substr(1));
  }
  if (!read_pattern(s, out.pattern, out.flags, error)) return std::nullopt;
  if (out.kind == RegexLine::Kind::rule && !s.empty() && s[0] == '!' && !out.negate) {
    std::string_view rest = s.substr(1);
    if (!rest.empty() && !is_space(rest[0]) && !std::isalnum(static_cast<unsigned char>(rest[0]))) {
      s = rest;
      out.has_exclude = true;
      if (!read_pattern(s, out.exclude_pattern, out.exclude_flags, error)) return std::nullopt;
    }
  }
  if (!s.empty() && !is_space(s[0])) {
    error = std::string("unknown regexp option \"") + s[0] + "\": skipping this rule";
    return std::nullopt;
  }
  out.result = std::string(trim(s));
  if (out.kind == RegexLine::Kind::if_begin && !out.result.empty()) {
    error = "ignoring extra text after IF";
    out.result.clear();
  }
  return out;
}

}  // namespace postern::maps
