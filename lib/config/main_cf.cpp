// main.cf parsing (Postfix syntax) and in-place editing for postconf -e/-X.
// Runs in every process that reads the configuration, with any privilege.
#include "lib/config/main_cf.hpp"

#include <set>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"

namespace postern::config {

namespace {

// Physical lines without their '\n'. A NUL ends the line, as it does for
// Postfix's C-string based reader, so garbage never reaches a value.
std::vector<std::string_view> physical_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// Quotes text for an error message, with unprintable bytes shown as '?'
// (Postfix does the same, so a binary file cannot garble the terminal).
std::string printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7f) ? '?' : c;
  }
  out += '"';
  return out;
}

bool is_blank_or_comment(std::string_view line) {
  std::string_view t = trim_left(line);
  return t.empty() || t.front() == '#';
}

bool starts_with_space(std::string_view line) {
  return !line.empty() && (line.front() == ' ' || line.front() == '\t');
}

// Postfix's split_nameval(): "name = value" with optional white space.
MainCfEntry split_name_value(const std::string& logical, const std::string& path, int line) {
  size_t i = 0;
  while (i < logical.size() && !is_space(logical[i]) && logical[i] != '=') ++i;
  if (i == 0) throw ConfigError(path, line, "missing attribute name: " + printable(logical));
  std::string name = logical.substr(0, i);
  while (i < logical.size() && is_space(logical[i])) ++i;
  if (i >= logical.size() || logical[i] != '=')
    throw ConfigError(path, line, "missing '=' after attribute name: " + printable(logical));
  ++i;
  return MainCfEntry{name, std::string(trim(std::string_view(logical).substr(i))), line};
}

// The parameter name a physical line starts, or "" for comments, blank
// lines and continuation lines.
std::string_view line_name(std::string_view line) {
  if (line.empty() || starts_with_space(line) || line.front() == '#') return {};
  size_t i = 0;
  while (i < line.size() && !is_space(line[i]) && line[i] != '=') ++i;
  return line.substr(0, i);
}

}  // namespace

MainCf MainCf::parse(std::string_view text, const std::string& path) {
  MainCf cf;
  cf.path_ = path;
  std::string logical;
  int logical_line = 0;
  auto flush = [&] {
    if (logical_line > 0) {
      MainCfEntry entry = split_name_value(logical, path, logical_line);
      // Postfix warns about a repeated name with a new value; the last one wins.
      const MainCfEntry* earlier = cf.find(entry.name);
      if (earlier && earlier->value != entry.value) {
        log::warning("%s, line %d: overriding earlier entry: %s=%s", path.c_str(), entry.line,
                     earlier->name.c_str(), earlier->value.c_str());
      }
      cf.entries_.push_back(std::move(entry));
    }
    logical.clear();
    logical_line = 0;
  };
  int number = 0;
  for (std::string_view raw : physical_lines(text)) {
    ++number;
    if (is_blank_or_comment(raw)) continue;
    std::string_view line = trim_right(raw);
    if (starts_with_space(line)) {
      if (logical_line == 0) {
        log::warning("%s: logical line must not start with whitespace: %s", path.c_str(),
                     printable(line).c_str());
        continue;
      }
      logical += ' ';
      logical += trim_left(line);
      continue;
    }
    flush();
    logical.assign(line);
    logical_line = number;
  }
  flush();
  return cf;
}

MainCf MainCf::load(const std::string& path) {
  auto text = read_file(path);
  // The message already names the path: "open /etc/postfix/main.cf: No such file or directory".
  if (!text) throw ConfigError("", 0, text.error().message);
  return parse(*text, path);
}

const MainCfEntry* MainCf::find(std::string_view name) const {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->name == name) return &*it;
  }
  return nullptr;
}

std::string edit_main_cf(std::string_view text,
                         const std::vector<std::pair<std::string, std::string>>& set,
                         const std::vector<std::string>& remove) {
  std::set<std::string, std::less<>> removed(remove.begin(), remove.end());
  std::set<std::string, std::less<>> written;
  // The last value given for a name wins, as with repeated -e arguments.
  auto new_value = [&](std::string_view name) -> const std::string* {
    const std::string* found = nullptr;
    for (const auto& [n, v] : set) {
      if (n == name) found = &v;
    }
    return found;
  };
  std::string out;
  out.reserve(text.size() + 64);
  bool skipping = false;  // inside an entry being replaced or deleted
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(start, next - start);
    start = next;
    // Like Postfix, every line that starts with white space (indented
    // comments included) belongs to the entry before it.
    if (starts_with_space(line)) {
      if (!skipping) out += line;
      continue;
    }
    skipping = false;
    std::string_view name = line_name(line);
    if (!name.empty()) {
      const std::string* value = removed.count(name) ? nullptr : new_value(name);
      if (removed.count(name) || value) {
        skipping = true;
        if (value && written.insert(std::string(name)).second) {
          out.append(name).append(" = ").append(*value).append("\n");
        }
        continue;
      }
    }
    out += line;
  }
  for (const auto& [name, value] : set) {
    if (removed.count(name) || written.count(name)) continue;
    const std::string* last = new_value(name);
    if (!out.empty() && out.back() != '\n') out += '\n';
    out.append(name).append(" = ").append(*last).append("\n");
    written.insert(name);
  }
  return out;
}

}  // namespace postern::config
