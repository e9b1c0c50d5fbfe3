// master.cf parsing (Postfix syntax): eight columns, '-' defaults, -o overrides.
// Runs in master (as root) and in postconf; input is trusted but may be wrong,
// so every error names file and line.
#include "lib/config/master_cf.hpp"

#include <set>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"

namespace postern::config {

namespace {

struct LogicalLine {
  std::string text;
  int line = 0;
};

// Comments and blank lines are skipped; a line starting with white space
// continues the previous logical line.
std::vector<LogicalLine> logical_lines(std::string_view text, const std::string& path) {
  std::vector<LogicalLine> out;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (size_t nul = line.find('\0'); nul != std::string_view::npos) line = line.substr(0, nul);
    std::string_view body = trim(line);
    if (body.empty() || body.front() == '#') continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (out.empty()) {
        log::warning("%s: logical line must not start with whitespace: \"%s\"", path.c_str(),
                     std::string(trim_right(line)).c_str());
        continue;
      }
      out.back().text += ' ';
      out.back().text += body;
      continue;
    }
    out.push_back({std::string(body), number});
  }
  return out;
}

// White-space separated words; a word that starts with '{' runs to its
// matching '}' and may hold white space (Postfix 3.0 and later).
std::vector<std::string> tokenize(const std::string& text, const std::string& path, int line) {
  std::vector<std::string> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && is_space(text[i])) ++i;
    if (i >= text.size()) break;
    size_t begin = i;
    if (text[i] == '{') {
      int depth = 0;
      for (; i < text.size(); ++i) {
        if (text[i] == '{') ++depth;
        if (text[i] == '}' && --depth == 0) break;
      }
      if (i >= text.size())
        throw ConfigError(path, line, "missing '}' in \"" + text.substr(begin) + "\"");
      ++i;
    } else {
      while (i < text.size() && !is_space(text[i])) ++i;
    }
    words.push_back(text.substr(begin, i - begin));
  }
  return words;
}

bool parse_yes_no(const std::string& field, bool dflt, const char* what, const std::string& path,
                  int line) {
  if (field == "-") return dflt;
  if (field == "y") return true;
  if (field == "n") return false;
  throw ConfigError(path, line, std::string("invalid ") + what + " field \"" + field + "\"");
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;  // 9 digits always fit in an int
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "-o name=value" or "-o { name = value }" -> (name, value).
std::pair<std::string, std::string> parse_override(const std::string& word, const std::string& path,
                                                   int line) {
  std::string_view body = word;
  if (!body.empty() && body.front() == '{') body = trim(body.substr(1, body.size() - 2));
  size_t eq = body.find('=');
  std::string name(trim(body.substr(0, eq == std::string_view::npos ? 0 : eq)));
  if (eq == std::string_view::npos || name.empty())
    throw ConfigError(path, line, "missing '=' after attribute name: \"" + std::string(body) + "\"");
  for (char c : name) {
    if (is_space(c)) throw ConfigError(path, line, "bad parameter name in -o: \"" + name + "\"");
  }
  return {name, std::string(trim(body.substr(eq + 1)))};
}

MasterEntry parse_entry(const LogicalLine& logical, const std::string& path) {
  const int line = logical.line;
  std::vector<std::string> words = tokenize(logical.text, path, line);
  if (words.size() < 8) throw ConfigError(path, line, "bad field count");
  MasterEntry e;
  e.line = line;
  e.raw_columns.assign(words.begin(), words.begin() + 7);
  e.service = words[0];
  e.type = words[1];
  static const std::set<std::string, std::less<>> kTypes = {"inet", "unix", "unix-dgram", "fifo",
                                                            "pass"};
  if (!kTypes.count(e.type)) throw ConfigError(path, line, "invalid type field \"" + e.type + "\"");
  e.private_service = parse_yes_no(words[2], true, "private", path, line);
  e.unprivileged = parse_yes_no(words[3], true, "unprivileged", path, line);
  e.chroot = parse_yes_no(words[4], false, "chroot", path, line);
  std::string wakeup = words[5];
  if (wakeup != "-") {
    if (wakeup.back() == '?') {
      e.wakeup_if_used = true;
      wakeup.pop_back();
    }
    if (!all_digits(wakeup))
      throw ConfigError(path, line, "invalid wakeup field \"" + words[5] + "\"");
    e.wakeup_seconds = std::stoi(wakeup);
  }
  if (words[6] != "-") {
    if (!all_digits(words[6]))
      throw ConfigError(path, line, "invalid process_limit field \"" + words[6] + "\"");
    e.maxproc = std::stoi(words[6]);
  }
  e.command = words[7];
  for (size_t i = 8; i < words.size(); ++i) {
    if (words[i] != "-o") {
      e.args.push_back(words[i]);
      e.print_args.push_back(words[i]);
      continue;
    }
    if (i + 1 >= words.size()) throw ConfigError(path, line, "missing argument after -o");
    auto [name, value] = parse_override(words[++i], path, line);
    bool spaced = false;
    for (char c : value) spaced = spaced || is_space(c);
    e.print_args.push_back("-o");
    e.print_args.push_back(spaced ? "{" + name + "=" + value + "}" : name + "=" + value);
    e.overrides.emplace_back(std::move(name), std::move(value));
  }
  return e;
}

}  // namespace

MasterCf MasterCf::parse(std::string_view text, const std::string& path) {
  MasterCf cf;
  cf.path_ = path;
  for (const LogicalLine& logical : logical_lines(text, path)) {
    MasterEntry entry = parse_entry(logical, path);
    if (const MasterEntry* other = cf.find(entry.service, entry.type)) {
      throw ConfigError(path, entry.line,
                        "duplicate service name/type \"" + entry.service + "/" + entry.type +
                            "\" (first defined at line " + std::to_string(other->line) + ")");
    }
    cf.entries_.push_back(std::move(entry));
  }
  return cf;
}

MasterCf MasterCf::load(const std::string& path) {
  auto text = read_file(path);
  // The message already names the path: "open /etc/postfix/main.cf: No such file or directory".
  if (!text) throw ConfigError("", 0, text.error().message);
  return parse(*text, path);
}

const MasterEntry* MasterCf::find(std::string_view service, std::string_view type) const {
  for (const MasterEntry& e : entries_) {
    if (e.service == service && e.type == type) return &e;
  }
  return nullptr;
}

}  // namespace postern::config
