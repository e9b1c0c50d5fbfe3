// postconf -M: master.cf entries in Postfix's normalized layout, optionally
// folded (-Mf), and selected by service or service/type.
#include <cstdio>

#include "lib/config/master_cf.hpp"
#include "lib/log/log.hpp"
#include "postconf/postconf.hpp"

namespace postern::postconf {

namespace {

// Column where each of the first eight fields starts; a field that does not
// fit is separated by one space instead (Postfix's layout).
constexpr size_t kColumnStart[] = {0, 11, 17, 25, 33, 41, 49, 57};
// Folded lines stay shorter than this, continuation lines start with 4 spaces.
constexpr size_t kFoldWidth = 80;
constexpr const char* kIndent = "    ";

}  // namespace

std::string format_master_entry(const config::MasterEntry& entry, bool fold) {
  std::string out;
  std::vector<std::string> fields = entry.raw_columns;
  fields.push_back(entry.command);
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) {
      if (out.size() < kColumnStart[i]) out.append(kColumnStart[i] - out.size(), ' ');
      else out += ' ';
    }
    out += fields[i];
  }
  size_t line_start = 0;
  bool after_option = false;
  const auto& words = entry.print_args;
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word = words[i];
    bool option = word == "-o" && i + 1 < words.size();
    if (option) word += " " + words[++i];
    // Folding: every -o pair, and whatever follows one, on its own line.
    bool new_line = fold && (option || after_option ||
                             out.size() - line_start + 1 + word.size() >= kFoldWidth);
    if (new_line) {
      out += '\n';
      line_start = out.size();
      out += kIndent;
    } else {
      out += ' ';
    }
    out += word;
    after_option = option;
  }
  return out + "\n";
}

int print_master(const Options& o) {
  // Postfix reads main.cf here too, so its syntax errors are reported.
  (void)config::Config::load(o.config_dir);
  config::MasterCf master = config::MasterCf::load(o.config_dir + "/master.cf");
  std::vector<bool> matched(o.args.size(), false);
  for (const config::MasterEntry& e : master.entries()) {
    bool wanted = o.args.empty();
    for (size_t i = 0; i < o.args.size(); ++i) {
      const std::string& want = o.args[i];
      size_t slash = want.find('/');
      bool hit = slash == std::string::npos
                     ? want == e.service
                     : (want.substr(0, slash) == e.service && want.substr(slash + 1) == e.type);
      if (hit) matched[i] = wanted = true;
    }
    if (wanted) std::fputs(format_master_entry(e, o.fold).c_str(), stdout);
  }
  for (size_t i = 0; i < o.args.size(); ++i) {
    if (!matched[i]) log::warning("unmatched request: \"%s\"", o.args[i].c_str());
  }
  return 0;
}

}  // namespace postern::postconf
