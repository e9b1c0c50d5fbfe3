// RFC 5322 header field iteration over raw bytes. Pure; used by every
// lib/mime module (imapd's mail process).
#include "lib/mime/header_fields.hpp"

#include <cstring>

namespace postern::mime {

namespace {

// End of the line starting at `pos` (the offset after its LF, or size).
size_t line_end(std::string_view s, size_t pos) {
  const void* lf = std::memchr(s.data() + pos, '\n', s.size() - pos);
  return lf ? size_t(static_cast<const char*>(lf) - s.data()) + 1 : s.size();
}

bool is_blank_line(std::string_view s, size_t pos) {
  return s[pos] == '\n' || (s[pos] == '\r' && pos + 1 < s.size() && s[pos + 1] == '\n');
}

std::string_view drop_line_break(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

}  // namespace

namespace detail {

std::optional<HeaderField> next_field(std::string_view header, size_t& pos) {
  while (pos < header.size()) {
    if (is_blank_line(header, pos)) return std::nullopt;
    size_t start = pos;
    size_t end = line_end(header, pos);
    // Continuation lines belong to this field.
    while (end < header.size() && (header[end] == ' ' || header[end] == '\t')) end = line_end(header, end);
    pos = end;
    if (header[start] == ' ' || header[start] == '\t') continue;  // continuation without a field
    std::string_view text = header.substr(start, end - start);
    size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;  // not a field: skip the line
    std::string_view name = text.substr(0, colon);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
      name.remove_suffix(1);  // obs-optional
    if (name.empty() || name.find_first_of(" \t\r\n") != std::string_view::npos) continue;
    HeaderField field;
    field.name = name;
    field.value = drop_line_break(text.substr(colon + 1));
    field.raw = text;
    return field;
  }
  return std::nullopt;
}

}  // namespace detail

std::vector<HeaderField> header_fields(std::string_view header) {
  std::vector<HeaderField> out;
  for_each_field(header, [&](const HeaderField& f) {
    out.push_back(f);
    return true;
  });
  return out;
}

std::optional<std::string_view> find_field(std::string_view header, std::string_view name) {
  std::optional<std::string_view> found;
  for_each_field(header, [&](const HeaderField& f) {
    if (f.name.size() != name.size()) return true;
    for (size_t i = 0; i < name.size(); ++i) {
      char a = f.name[i], b = name[i];
      if (a >= 'A' && a <= 'Z') a = char(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = char(b - 'A' + 'a');
      if (a != b) return true;
    }
    found = f.value;
    return false;
  });
  return found;
}

std::string unfold(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value)
    if (c != '\r' && c != '\n') out.push_back(c);
  size_t b = 0, e = out.size();
  while (b < e && (out[b] == ' ' || out[b] == '\t')) ++b;
  while (e > b && (out[e - 1] == ' ' || out[e - 1] == '\t')) --e;
  return out.substr(b, e - b);
}

}  // namespace postern::mime
