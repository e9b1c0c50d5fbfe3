// postconf parameter modes: all parameters, -n (set in main.cf), -d
// (defaults) and NAME..., with -h (values only) and -x (expanded).
#include <cerrno>
#include <cstring>
#include <optional>
#include <cstdio>
#include <set>
#include <sys/stat.h>

#include "lib/base/strings.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/config/param_table.hpp"
#include "lib/log/log.hpp"
#include "postconf/postconf.hpp"

namespace postern::postconf {

namespace {

using config::Config;

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// Names used as $name, ${name...} or $(name...) in `text`: a main.cf entry
// that is not in the table but is referenced is a user-defined parameter,
// as in Postfix, and is neither unknown nor unused.
void collect_references(std::string_view text, std::set<std::string, std::less<>>& out) {
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '$') continue;
    size_t j = i + 1;
    if (text[j] == '$') {
      i = j;
      continue;
    }
    if (text[j] == '{' || text[j] == '(') ++j;
    size_t start = j;
    while (j < text.size() && is_name_char(text[j])) ++j;
    if (j > start) out.insert(std::string(text.substr(start, j - start)));
  }
}

// Postfix prints values with white space runs collapsed to one space.
std::string normalize(std::string_view value) {
  std::string out;
  for (char c : trim(value)) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void print_one(const Options& o, std::string_view name, const std::string& value) {
  std::string shown = normalize(value);
  if (o.values_only) {
    std::printf("%s\n", shown.c_str());
  } else if (shown.empty()) {
    std::printf("%.*s =\n", static_cast<int>(name.size()), name.data());
  } else {
    std::printf("%.*s = %s\n", static_cast<int>(name.size()), name.data(), shown.c_str());
  }
}

// master.cf, for its -o references; a missing file is only a warning here.
std::optional<config::MasterCf> read_master(const Options& o) {
  std::string path = o.config_dir + "/master.cf";
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    log::warning("open %s: %s", path.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  return config::MasterCf::load(path);
}

}  // namespace

int print_parameters(const Options& o) {
  // -d ignores main.cf entirely, like Postfix: defaults as compiled in.
  Config cfg = o.defaults ? Config() : Config::load(o.config_dir);
  std::set<std::string, std::less<>> referenced;
  std::optional<config::MasterCf> master;
  if (!o.defaults) {
    for (const auto& e : cfg.main_cf().entries()) collect_references(e.value, referenced);
    // smtpd_restriction_classes names parameters of the administrator's own.
    for (const auto& name : cfg.get_list("smtpd_restriction_classes")) referenced.insert(name);
    master = read_master(o);
    if (master) {
      for (const auto& m : master->entries()) {
        for (const auto& [n, v] : m.overrides) collect_references(v, referenced);
      }
    }
  }
  auto user_defined = [&](std::string_view name) {
    return !o.defaults && !config::find_param(name) && cfg.is_set(name) && referenced.count(name);
  };
  auto known = [&](std::string_view name) { return config::find_param(name) || user_defined(name); };
  auto value_of = [&](std::string_view name) {
    if (o.expand && !o.defaults) return cfg.get(name);  // loops reported at name's line
    std::string raw = o.defaults ? cfg.raw_default(name) : cfg.raw_value(name);
    return o.expand ? cfg.expand(raw) : raw;
  };
  // Any other name set in main.cf is a typo or a leftover: warn, like Postfix.
  auto warn_unused = [&] {
    if (o.defaults) return;
    std::set<std::string> warned;
    for (const auto& e : cfg.main_cf().entries()) {
      if (!known(e.name) && warned.insert(e.name).second) {
        const auto* last = cfg.main_cf().find(e.name);
        log::warning("%s: unused parameter: %s=%s", cfg.main_cf().path().c_str(), e.name.c_str(),
                     last->value.c_str());
      }
    }
    if (!master) return;
    for (const auto& m : master->entries()) {
      for (const auto& [n, v] : m.overrides) {
        if (!config::find_param(n) && !referenced.count(n))
          log::warning("%s: unused parameter: %s=%s", master->path().c_str(), n.c_str(), v.c_str());
      }
    }
  };

  if (!o.args.empty()) {
    for (const std::string& name : o.args) {
      if (!known(name)) {
        log::warning("%s: unknown parameter", name.c_str());
        continue;
      }
      print_one(o, name, value_of(name));
    }
    warn_unused();
    return 0;
  }

  std::set<std::string, std::less<>> names;
  if (o.non_default) {
    for (const auto& e : cfg.main_cf().entries()) {
      if (known(e.name)) names.insert(e.name);
    }
    if (o.dir_chosen) names.insert("config_directory");
  } else {
    for (const auto& p : config::param_table()) names.insert(std::string(p.name));
    for (const auto& e : cfg.main_cf().entries()) {
      if (user_defined(e.name)) names.insert(e.name);
    }
  }
  for (const std::string& name : names) print_one(o, name, value_of(name));
  warn_unused();
  return 0;
}

}  // namespace postern::postconf
