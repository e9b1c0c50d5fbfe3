// postconf -e / -X / -#: edits main.cf in place, keeping every other line,
// and replaces it atomically so a daemon never reads half a file.
#include <set>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/config/config_error.hpp"
#include "lib/config/main_cf.hpp"
#include "lib/log/log.hpp"
#include "postconf/postconf.hpp"

namespace postern::postconf {

namespace {

// -# keeps the setting for later: each of its lines gets a leading '#'.
std::string comment_out(std::string_view text, const std::set<std::string, std::less<>>& names) {
  std::string out;
  bool inside = false;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    size_t next = end == std::string_view::npos ? text.size() : end + 1;
    std::string_view line = text.substr(start, next - start);
    start = next;
    bool continuation = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    if (!continuation) {
      size_t n = 0;
      while (n < line.size() && !is_space(line[n]) && line[n] != '=') ++n;
      inside = n > 0 && line.front() != '#' && names.count(line.substr(0, n));
    }
    if (inside) out += '#';
    out += line;
  }
  return out;
}

}  // namespace

int edit_parameters(const Options& o) {
  const std::string path = o.config_dir + "/main.cf";
  std::vector<std::pair<std::string, std::string>> set;
  std::vector<std::string> remove;
  for (const std::string& arg : o.args) {
    if (o.edit) {
      size_t eq = arg.find('=');
      if (eq == std::string::npos) log::fatal("-e requires name=value input");
      std::string name(trim(std::string_view(arg).substr(0, eq)));
      if (name.empty()) log::fatal("-e requires name=value input");
      set.emplace_back(name, std::string(trim(std::string_view(arg).substr(eq + 1))));
    } else {
      remove.push_back(arg);
    }
  }
  auto text = read_file(path);
  std::string old_text;
  if (text) {
    old_text = std::move(*text);
  } else if (text.error().sys_errno != ENOENT || !o.edit) {
    log::fatal("%s", text.error().message.c_str());
  }
  // Refuse to edit a file we could not parse: the edit would hide the error.
  (void)config::MainCf::parse(old_text, path);
  std::string new_text;
  if (o.comment_out) {
    new_text = comment_out(old_text, std::set<std::string, std::less<>>(remove.begin(), remove.end()));
  } else {
    new_text = config::edit_main_cf(old_text, set, remove);
  }
  if (new_text == old_text) return 0;
  if (Status st = write_file_atomic(path, new_text, 0644); !st) log::fatal("%s", st.error().message.c_str());
  return 0;
}

}  // namespace postern::postconf
