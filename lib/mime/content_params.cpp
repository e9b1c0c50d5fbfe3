// Content-Type / Content-Disposition / Content-Language values, including
// RFC 2231 continuation merging. Pure; internal to lib/mime.
#include "lib/mime/content_params.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "lib/base/strings.hpp"

namespace postern::mime::detail {

namespace {

bool is_tspecial(char c) { return c != '\0' && std::strchr("()<>@,;:\\\"/[]?=", c) != nullptr; }

bool is_token_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 32 && u != 127 && !is_tspecial(c);
}

std::string read_token(std::string_view s, size_t& pos) {
  size_t start = pos;
  while (pos < s.size() && is_token_char(s[pos])) ++pos;
  return std::string(s.substr(start, pos - start));
}

// At an opening quote: the unquoted content (quoted-pairs resolved, folding removed).
std::string read_quoted(std::string_view s, size_t& pos) {
  std::string out;
  ++pos;
  while (pos < s.size() && s[pos] != '"') {
    char c = s[pos++];
    if (c == '\\' && pos < s.size())
      c = s[pos++];
    else if (c == '\r' || c == '\n')
      continue;
    out.push_back(c);
  }
  if (pos < s.size()) ++pos;  // closing quote (absent: the value ran to the end)
  return out;
}

size_t word_end(std::string_view s, size_t pos) {
  while (pos < s.size() && s[pos] != ';' && s[pos] != '(' && !is_space(s[pos]) && s[pos] != '"') ++pos;
  return pos;
}

// Lenient value: a quoted string, or a token. Broken mailers write
// unquoted values with spaces ("name=My file.pdf"), so following words join
// the value unless they look like the next parameter ("a=b c=d").
std::string read_value(std::string_view s, size_t& pos) {
  if (pos < s.size() && s[pos] == '"') return read_quoted(s, pos);
  size_t start = pos;
  pos = word_end(s, pos);
  size_t end = pos;
  while (true) {
    size_t next = end;
    while (next < s.size() && (s[next] == ' ' || s[next] == '\t')) ++next;
    if (next == end || next >= s.size()) break;
    size_t stop = word_end(s, next);
    std::string_view word = s.substr(next, stop - next);
    if (word.empty() || word.find('=') != std::string_view::npos) break;
    end = pos = stop;
  }
  return std::string(s.substr(start, end - start));
}

bool needs_percent(unsigned char c) {
  return c <= 32 || c >= 127 || c == '%' || c == '\'' || c == '*' || is_tspecial(char(c));
}

std::string percent_encode(std::string_view s) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (needs_percent(c)) {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    } else {
      out.push_back(char(c));
    }
  }
  return out;
}

// RFC 2231: "name*0", "name*1*" ... become one parameter; "name*" alone stays.
std::vector<Param> merge_continuations(std::vector<Param> in) {
  struct Piece {
    unsigned number;
    bool extended;
    std::string value;
  };
  bool any = false;
  for (const auto& p : in)
    if (p.name.find('*') != std::string::npos) any = true;
  if (!any) return in;

  std::vector<Param> out;
  std::vector<std::pair<std::string, std::vector<Piece>>> groups;  // base name -> pieces
  std::vector<std::pair<size_t, size_t>> slots;                    // out index -> group index, for ordering
  for (auto& p : in) {
    size_t star = p.name.find('*');
    if (star == std::string::npos || star == 0) {
      out.push_back(std::move(p));
      continue;
    }
    std::string base = p.name.substr(0, star);
    std::string_view rest = std::string_view(p.name).substr(star + 1);
    bool extended = false;
    unsigned number = 0;
    if (rest.empty()) {  // "name*": a single extended value
      extended = true;
    } else {
      if (!rest.empty() && rest.back() == '*') {
        extended = true;
        rest.remove_suffix(1);
      }
      auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), number);
      if (ec != std::errc() || ptr != rest.data() + rest.size() || (rest.size() > 1 && rest[0] == '0')) {
        out.push_back(std::move(p));  // not a continuation after all: keep as written
        continue;
      }
    }
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == base; });
    if (it == groups.end()) {
      slots.emplace_back(out.size(), groups.size());
      out.push_back(Param{});  // placeholder, filled below
      groups.emplace_back(base, std::vector<Piece>{});
      it = groups.end() - 1;
    }
    it->second.push_back(Piece{number, extended, std::move(p.value)});
  }
  for (auto [slot, index] : slots) {
    auto& [base, pieces] = groups[index];
    std::stable_sort(pieces.begin(), pieces.end(),
                     [](const Piece& a, const Piece& b) { return a.number < b.number; });
    bool extended = std::any_of(pieces.begin(), pieces.end(), [](const Piece& p) { return p.extended; });
    Param merged;
    merged.name = extended ? base + "*" : base;
    if (extended && !pieces.front().extended) merged.value = "''";  // empty charset and language
    for (const auto& piece : pieces)
      merged.value += (extended && !piece.extended) ? percent_encode(piece.value) : piece.value;
    out[slot] = std::move(merged);
  }
  return out;
}

}  // namespace

void skip_cfws(std::string_view s, size_t& pos) {
  while (pos < s.size()) {
    char c = s[pos];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++pos;
    } else if (c == '(') {
      int depth = 0;
      while (pos < s.size()) {
        char d = s[pos++];
        if (d == '\\' && pos < s.size())
          ++pos;
        else if (d == '(')
          ++depth;
        else if (d == ')' && --depth == 0)
          break;
      }
    } else {
      break;
    }
  }
}

ContentValue parse_content_value(std::string_view s, bool with_subtype) {
  ContentValue out;
  size_t pos = 0;
  skip_cfws(s, pos);
  out.first = to_lower(read_token(s, pos));
  skip_cfws(s, pos);
  if (with_subtype) {
    if (pos < s.size() && s[pos] == '/') {
      ++pos;
      skip_cfws(s, pos);
      out.second = to_lower(read_token(s, pos));
      skip_cfws(s, pos);
    }
    out.valid = !out.first.empty() && !out.second.empty();
  } else {
    out.valid = !out.first.empty();
  }
  if (!out.valid) return out;

  std::vector<Param> params;
  while (pos < s.size()) {
    if (s[pos] == ';') {
      ++pos;
    } else if (!is_token_char(s[pos])) {
      ++pos;  // junk between parameters
      continue;
    }
    // A missing ';' before a parameter is forgiven ("text/plain charset=x").
    skip_cfws(s, pos);
    std::string name = to_lower(read_token(s, pos));
    skip_cfws(s, pos);
    if (name.empty()) continue;
    if (pos >= s.size() || s[pos] != '=') continue;  // attribute without value: dropped
    ++pos;
    skip_cfws(s, pos);
    std::string value = read_value(s, pos);
    skip_cfws(s, pos);
    params.push_back(Param{std::move(name), std::move(value)});
    if (params.size() >= 256) break;  // hostile parameter floods stay cheap
  }
  out.params = merge_continuations(std::move(params));
  return out;
}

std::vector<std::string> parse_language_list(std::string_view s) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < s.size()) {
    skip_cfws(s, pos);
    if (pos >= s.size()) break;
    if (s[pos] == ',') {
      ++pos;
      continue;
    }
    size_t start = pos;
    while (pos < s.size() && s[pos] != ',' && s[pos] != '(' && !is_space(s[pos])) ++pos;
    if (pos == start) {
      ++pos;  // white space skip_cfws does not take (\f, \v): step over it
      continue;
    }
    out.emplace_back(s.substr(start, pos - start));
    if (out.size() >= 64) break;
  }
  return out;
}

}  // namespace postern::mime::detail
