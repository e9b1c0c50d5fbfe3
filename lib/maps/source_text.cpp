// Logical-line reader and entry splitters for table sources (postmap,
// postalias, texthash, regexp, pcre, cidr). Pure functions; any process.
#include "lib/maps/source_text.hpp"

#include "lib/base/strings.hpp"

namespace postern::maps {

std::string Diagnostic::text() const {
  if (line > 0) return file + ", line " + std::to_string(line) + ": " + message;
  return file.empty() ? message : file + ": " + message;
}

void for_each_logical_line(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags,
                           const std::function<void(int, std::string_view)>& fn) {
  int lineno = 0;
  // The logical line being gathered: a view into `text` until a
  // continuation line forces a copy into `joined`.
  int pending_line = 0;
  std::string_view pending;
  std::string joined;
  bool has_pending = false, is_joined = false;
  auto emit = [&] {
    if (has_pending) fn(pending_line, is_joined ? std::string_view(joined) : pending);
    has_pending = is_joined = false;
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view phys = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    ++lineno;
    if (!phys.empty() && phys.back() == '\r') phys.remove_suffix(1);
    std::string_view body = trim(phys);
    if (body.empty() || body.front() == '#') continue;  // does not end a logical line
    if (is_space(phys.front())) {
      if (has_pending) {
        if (!is_joined) joined.assign(pending);
        is_joined = true;
        joined.append(phys);
      } else {
        diags.push_back({file, lineno, "logical line must not start with whitespace: \"" + std::string(phys) + "\""});
      }
      continue;
    }
    emit();
    pending_line = lineno;
    pending = phys;
    has_pending = true;
  }
  emit();
}

std::vector<LogicalLine> logical_lines(std::string_view text, const std::string& file,
                                       std::vector<Diagnostic>& diags) {
  std::vector<LogicalLine> out;
  for_each_logical_line(text, file, diags,
                        [&](int line, std::string_view logical) { out.push_back({line, std::string(logical)}); });
  return out;
}

std::optional<KeyValueView> split_key_value_view(std::string_view line) {
  line = trim(line);
  size_t end = 0;
  if (!line.empty() && line.front() == '"') {
    end = 1;
    while (end < line.size() && line[end] != '"') end += line[end] == '\\' && end + 1 < line.size() ? 2 : 1;
    if (end >= line.size()) return std::nullopt;  // unterminated quote
    ++end;
  }
  while (end < line.size() && !is_space(line[end])) ++end;
  std::string_view value = trim(line.substr(end));
  if (end == 0 || value.empty()) return std::nullopt;
  return KeyValueView{line.substr(0, end), value};
}

std::optional<KeyValue> split_key_value(std::string_view line) {
  auto kv = split_key_value_view(line);
  if (!kv) return std::nullopt;
  return KeyValue{std::string(kv->key), std::string(kv->value)};
}

std::string normalize_alias_value(std::string_view value) {
  std::vector<std::string> items;
  std::string cur;
  int paren = 0, angle = 0;
  bool quoted = false, pending_space = false;
  auto flush = [&] {
    if (!cur.empty()) items.push_back(cur);
    cur.clear();
    pending_space = false;
  };
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (!quoted && is_space(c)) {
      pending_space = !cur.empty();
      continue;
    }
    if (!quoted && paren == 0 && angle == 0 && c == ',') {
      flush();
      continue;
    }
    if (pending_space) cur.push_back(' ');
    pending_space = false;
    cur.push_back(c);
    if (c == '\\' && i + 1 < value.size()) {
      cur.push_back(value[++i]);
      continue;
    }
    if (c == '"' && paren == 0) quoted = !quoted;
    if (quoted) continue;
    if (c == '(') ++paren;
    if (c == ')' && paren > 0) --paren;
    if (c == '<' && paren == 0) ++angle;
    if (c == '>' && paren == 0 && angle > 0) --angle;
  }
  flush();
  return join(items, ", ");
}

std::optional<KeyValue> split_alias(std::string_view line) {
  line = trim(line);
  std::string name;
  size_t pos = 0;
  if (!line.empty() && line.front() == '"') {
    // A quoted name may contain ':' and white space; the quotes go.
    pos = 1;
    while (pos < line.size() && line[pos] != '"') {
      if (line[pos] == '\\' && pos + 1 < line.size()) ++pos;
      name.push_back(line[pos++]);
    }
    if (pos >= line.size()) return std::nullopt;
    ++pos;
    while (pos < line.size() && is_space(line[pos])) ++pos;
    if (pos >= line.size() || line[pos] != ':') return std::nullopt;
  } else {
    pos = line.find(':');
    if (pos == std::string_view::npos) return std::nullopt;
    name = std::string(trim(line.substr(0, pos)));
  }
  std::string value = normalize_alias_value(line.substr(pos + 1));
  if (name.empty() || value.empty()) return std::nullopt;
  return KeyValue{std::move(name), std::move(value)};
}

bool looks_like_alias_entry(std::string_view key) {
  return key.size() > 1 && key.back() == ':' && key.front() != '"';
}

}  // namespace postern::maps
