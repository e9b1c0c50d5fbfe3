// Reader for Dovecot-syntax configuration: `key = value`, `type [name] { }`
// blocks, `!include` / `!include_try` globs, `key = <file`, `$key` references,
// backslash continuations. Runs in master, auth, pop3d and the commands,
// with whatever privilege they have at start-up or reload.
#include "lib/dovecot/dovecot_conf.hpp"

#include <glob.h>

#include <algorithm>
#include <functional>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"

namespace postern::dovecot {

const Setting* Section::find(std::string_view key) const {
  for (auto it = settings.rbegin(); it != settings.rend(); ++it)
    if (it->key == key) return &*it;
  return nullptr;
}

std::string Section::get(std::string_view key, std::string_view fallback) const {
  const Setting* s = find(key);
  return s ? s->value : std::string(fallback);
}

std::vector<const Section*> Section::children(std::string_view t) const {
  std::vector<const Section*> out;
  for (const auto& s : sections)
    if (s.type == t) out.push_back(&s);
  return out;
}

const Section* Section::child(std::string_view t, std::string_view n) const {
  for (const auto& s : sections)
    if (s.type == t && s.name == n) return &s;
  return nullptr;
}

class Parser {
 public:
  explicit Parser(DovecotConf& conf) : conf_(conf) { stack_.push_back(&conf_.root_); }

  void parse_file(const std::string& path, int depth) {
    if (depth > 20) throw ConfError(path, 0, "!include nesting is too deep (a loop?)");
    auto text = read_file(path);
    if (!text) throw ConfError(path, 0, text.error().message);
    parse_text(*text, path, depth);
  }

  void parse_text(std::string_view text, const std::string& path, int depth) {
    size_t start_depth = stack_.size();
    int line_no = 0;
    std::string pending;
    int pending_line = 0;
    size_t pos = 0;
    // A final newline does not start another line.
    while (pos < text.size() || (pos == 0 && text.empty())) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      std::string_view raw = text.substr(pos, eol - pos);
      pos = eol + 1;
      ++line_no;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      if (pending.empty()) pending_line = line_no;
      std::string_view t = trim(raw);
      if (!t.empty() && t.back() == '\\' && t.front() != '#') {
        pending.append(trim_right(t.substr(0, t.size() - 1)));
        pending.push_back(' ');
        if (pos > text.size()) break;
        continue;
      }
      pending.append(t);
      std::string line = std::move(pending);
      pending.clear();
      statement(trim(line), path, pending_line, depth);
      if (pos > text.size()) break;
    }
    if (!pending.empty()) statement(trim(pending), path, pending_line, depth);
    if (stack_.size() != start_depth)
      throw ConfError(path, line_no, "missing '}' for the block \"" + stack_.back()->type + "\" opened at line " +
                                         std::to_string(stack_.back()->line));
  }

 private:
  void statement(std::string_view line, const std::string& path, int line_no, int depth) {
    while (!line.empty()) {
      if (line.front() == '#') return;
      if (line.front() == '}') {
        close_block(path, line_no);
        line = trim(line.substr(1));
        continue;
      }
      if (line.front() == '!') {
        include(line, path, line_no, depth);
        return;
      }
      size_t name_end = 0;
      while (name_end < line.size() && !is_space(line[name_end]) && line[name_end] != '=' && line[name_end] != '{')
        ++name_end;
      std::string key(line.substr(0, name_end));
      std::string_view rest = trim_left(line.substr(name_end));
      if (key.empty()) throw ConfError(path, line_no, "expected a setting name");
      if (!rest.empty() && rest.front() == '=') {
        line = value(key, trim_left(rest.substr(1)), path, line_no);
        continue;
      }
      // A block: "type {" or "type name {"; the name may be quoted.
      std::string name;
      if (!rest.empty() && rest.front() != '{') {
        if (rest.front() == '"' || rest.front() == '\'') {
          size_t used = 0;
          name = unquote(rest, used, path, line_no);
          rest = trim_left(rest.substr(used));
        } else {
          size_t e = 0;
          while (e < rest.size() && !is_space(rest[e]) && rest[e] != '{') ++e;
          name = std::string(rest.substr(0, e));
          rest = trim_left(rest.substr(e));
        }
      }
      if (rest.empty() || rest.front() != '{')
        throw ConfError(path, line_no, "expected '=' or '{' after \"" + key + "\"");
      Section s;
      s.type = key;
      s.name = name;
      s.file = path;
      s.line = line_no;
      stack_.back()->sections.push_back(std::move(s));
      stack_.push_back(&stack_.back()->sections.back());
      line = trim(rest.substr(1));
    }
  }

  void close_block(const std::string& path, int line_no) {
    if (stack_.size() <= 1) throw ConfError(path, line_no, "unexpected '}'");
    stack_.pop_back();
  }

  // Parses the value after '='; returns what follows it on the line (a '}').
  std::string_view value(const std::string& key, std::string_view rest, const std::string& path, int line_no) {
    std::string val;
    std::string_view after;
    if (!rest.empty() && (rest.front() == '"' || rest.front() == '\'')) {
      size_t used = 0;
      val = unquote(rest, used, path, line_no);
      after = trim(rest.substr(used));
      if (!after.empty() && after.front() == '#') after = {};
    } else {
      // The value runs to the end of the line, a " #" comment, or a '}'.
      size_t end = rest.size();
      for (size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '#' && (i == 0 || is_space(rest[i - 1]))) {
          end = i;
          break;
        }
        if (rest[i] == '}' && (i == 0 || is_space(rest[i - 1]))) {
          end = i;
          break;
        }
      }
      val = expand(std::string(trim(rest.substr(0, end))));
      after = rest.substr(end);
      if (!after.empty() && after.front() == '#') after = {};
    }
    Section& here = *stack_.back();
    bool checked = here.type.empty() || here.type == "protocol" || here.type == "local" || here.type == "remote";
    if (checked && !default_value(key))
      conf_.warnings_.push_back(path + ", line " + std::to_string(line_no) + ": unknown setting: " + key);
    here.settings.push_back(Setting{key, val, path, line_no});
    return after;
  }

  // "$name" words refer to the value set so far (mail_plugins = $mail_plugins x).
  std::string expand(const std::string& v) const {
    if (v.find('$') == std::string::npos) return v;
    std::string out;
    size_t i = 0;
    while (i < v.size()) {
      if (v[i] == '$' && i + 1 < v.size() && (std::isalpha(static_cast<unsigned char>(v[i + 1])) || v[i + 1] == '_')) {
        size_t e = i + 1;
        while (e < v.size() && (std::isalnum(static_cast<unsigned char>(v[e])) || v[e] == '_')) ++e;
        std::string name = v.substr(i + 1, e - i - 1);
        if (const Setting* s = stack_.back()->find(name)) {
          out += s->value;
        } else if (const Setting* r = conf_.root_.find(name)) {
          out += r->value;
        } else if (auto d = default_value(name)) {
          out += *d;
        } else {
          out += v.substr(i, e - i);
        }
        i = e;
      } else {
        out.push_back(v[i++]);
      }
    }
    return std::string(trim(out));
  }

  static std::string unquote(std::string_view s, size_t& used, const std::string& path, int line_no) {
    char q = s.front();
    std::string out;
    for (size_t i = 1; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        out.push_back(s[++i]);
      } else if (s[i] == q) {
        used = i + 1;
        return out;
      } else {
        out.push_back(s[i]);
      }
    }
    throw ConfError(path, line_no, "missing closing quote");
  }

  void include(std::string_view line, const std::string& path, int line_no, int depth) {
    bool try_only = false;
    std::string_view arg;
    if (line.starts_with("!include_try") && (line.size() == 12 || is_space(line[12]))) {
      try_only = true;
      arg = trim(line.substr(12));
    } else if (line.starts_with("!include") && (line.size() == 8 || is_space(line[8]))) {
      arg = trim(line.substr(8));
    } else {
      throw ConfError(path, line_no, "unknown directive: " + std::string(line.substr(0, line.find(' '))));
    }
    std::string pattern(arg);
    if (!pattern.empty() && (pattern.front() == '"' || pattern.front() == '\'')) {
      size_t used = 0;
      pattern = unquote(arg, used, path, line_no);
    }
    if (pattern.empty()) throw ConfError(path, line_no, "!include needs a file name");
    if (pattern.front() != '/') {
      auto slash = path.rfind('/');
      pattern = (slash == std::string::npos ? std::string(".") : path.substr(0, slash)) + "/" + pattern;
    }
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_ERR, nullptr, &g);
    std::vector<std::string> files(g.gl_pathv, g.gl_pathv + (rc == 0 ? g.gl_pathc : 0));
    ::globfree(&g);
    if (files.empty()) {
      if (try_only) return;
      // A glob with wildcards that matches nothing is fine (an empty conf.d).
      if (pattern.find_first_of("*?[") != std::string::npos) return;
      throw ConfError(path, line_no, "!include " + pattern + ": no such file");
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      auto text = read_file(f);
      if (!text) {
        if (try_only) continue;
        throw ConfError(path, line_no, "!include " + f + ": " + text.error().message);
      }
      parse_text(*text, f, depth + 1);
    }
  }

  DovecotConf& conf_;
  // Pointers into conf_.root_; a block is only appended to the innermost one,
  // so the outer pointers stay valid.
  std::vector<Section*> stack_;
};

DovecotConf DovecotConf::load(const std::string& path) {
  DovecotConf conf;
  conf.path_ = path;
  Parser(conf).parse_file(path, 0);
  return conf;
}

DovecotConf DovecotConf::parse(std::string_view text, const std::string& path) {
  DovecotConf conf;
  conf.path_ = path;
  Parser(conf).parse_text(text, path, 0);
  return conf;
}

bool DovecotConf::is_set(std::string_view key, std::string_view protocol) const {
  if (!protocol.empty())
    if (const Section* p = root_.child("protocol", protocol); p && p->find(key)) return true;
  return root_.find(key) != nullptr;
}

std::string DovecotConf::get(std::string_view key, std::string_view protocol) const {
  if (!protocol.empty()) {
    for (const Section* p : root_.children("protocol"))
      if (p->name == protocol)
        if (const Setting* s = p->find(key)) return s->value;
  }
  if (const Setting* s = root_.find(key)) return s->value;
  return std::string(default_value(key).value_or(""));
}

bool DovecotConf::get_bool(std::string_view key, std::string_view protocol) const {
  std::string v = to_lower(get(key, protocol));
  return v == "yes" || v == "true" || v == "1";
}

long long DovecotConf::get_seconds(std::string_view key, std::string_view protocol) const {
  std::string v = get(key, protocol);
  std::string_view t = trim(v);
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  auto n = parse_long(t.substr(0, i));
  std::string unit = to_lower(trim(t.substr(i)));
  long long mult = 0;
  if (unit.empty() || unit == "s" || unit.starts_with("sec")) mult = 1;
  else if (unit == "m" || unit.starts_with("min")) mult = 60;
  else if (unit == "h" || unit.starts_with("hour")) mult = 3600;
  else if (unit == "d" || unit.starts_with("day")) mult = 86400;
  if (!n || mult == 0) {
    const Setting* s = root_.find(key);
    throw ConfError(s ? s->file : path_, s ? s->line : 0, "invalid time for " + std::string(key) + ": " + v);
  }
  return *n * mult;
}

namespace {

void dump_section(const Section& s, int indent, std::string& out) {
  std::string pad(size_t(indent) * 2, ' ');
  for (const auto& set : s.settings) {
    // Only the last of repeated settings is in effect.
    if (s.find(set.key) != &set) continue;
    if (s.type.empty())
      if (auto d = default_value(set.key); d && *d == set.value) continue;
    out += pad + set.key + " = " + set.value + "\n";
  }
  for (const auto& c : s.sections) {
    out += pad + c.type + (c.name.empty() ? "" : " " + c.name) + " {\n";
    dump_section(c, indent + 1, out);
    out += pad + "}\n";
  }
}

}  // namespace

std::string DovecotConf::dump_non_default() const {
  std::string out = "# " + path_ + "\n";
  dump_section(root_, 0, out);
  return out;
}

std::string DovecotConf::dump_all() const {
  std::string out;
  for (const auto& [key, def] : known_settings()) out += std::string(key) + " = " + get(key) + "\n";
  for (const auto& c : root_.sections) {
    out += c.type + (c.name.empty() ? "" : " " + c.name) + " {\n";
    dump_section(c, 1, out);
    out += "}\n";
  }
  return out;
}

std::string file_value_path(const std::string& value) {
  std::string_view t = trim(value);
  if (t.empty() || t.front() != '<') return "";
  return std::string(trim(t.substr(1)));
}

std::optional<std::string> file_value(const std::string& value) {
  std::string path = file_value_path(value);
  if (path.empty()) return value;
  auto text = read_file(path);
  if (!text) return std::nullopt;
  return std::move(*text);
}

}  // namespace postern::dovecot
