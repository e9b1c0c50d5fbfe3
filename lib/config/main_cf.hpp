// main.cf in Postfix syntax: "name = value" lines, '#' comments, and
// continuation lines (a line that starts with white space continues the
// previous one). Values are kept raw; expansion is Config's job.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::config {

struct MainCfEntry {
  std::string name;
  std::string value;  // raw, continuation lines joined with one space
  int line = 0;       // line where the entry starts
};

class MainCf {
 public:
  MainCf() = default;
  // Throws ConfigError (file, line) on a syntax error.
  static MainCf parse(std::string_view text, const std::string& path);
  // Reads and parses path; a missing or unreadable file is a ConfigError.
  static MainCf load(const std::string& path);

  const std::string& path() const { return path_; }
  // In file order; a name set twice appears twice (the last one wins).
  const std::vector<MainCfEntry>& entries() const { return entries_; }
  // The effective (last) entry for name, or nullptr.
  const MainCfEntry* find(std::string_view name) const;

 private:
  std::string path_;
  std::vector<MainCfEntry> entries_;
};

// postconf -e / -X: returns `text` with each (name, value) in `set` replacing
// that parameter's existing entry (all its continuation lines) or appended at
// the end, and each name in `remove` deleted. Comments and every other line
// are kept byte for byte.
std::string edit_main_cf(std::string_view text,
                         const std::vector<std::pair<std::string, std::string>>& set,
                         const std::vector<std::string>& remove);

}  // namespace postern::config
