// Config: defaults + main.cf + -o overrides, typed getters, and the choice
// of configuration directory. Used by every process at start-up and reload.
#include "lib/config/config.hpp"

#include <cstdlib>

#include "lib/base/build_paths.hpp"
#include "lib/base/strings.hpp"
#include "lib/config/config_error.hpp"
#include "lib/config/expand.hpp"
#include "lib/config/param_table.hpp"

namespace postern::config {

namespace {

std::string main_cf_path(const std::string& dir) {
  return dir.empty() ? "main.cf" : dir + "/main.cf";
}

}  // namespace

Config Config::load(const std::string& config_dir) {
  Config c;
  c.config_dir_ = config_dir;
  c.main_cf_ = MainCf::load(main_cf_path(config_dir));
  return c;
}

Config Config::from_text(std::string_view main_cf_text, const std::string& config_dir) {
  Config c;
  c.config_dir_ = config_dir;
  c.main_cf_ = MainCf::parse(main_cf_text, main_cf_path(config_dir));
  return c;
}

void Config::set_override(const std::string& name, const std::string& value) {
  overrides_[name] = value;
}

std::optional<std::string> Config::raw(std::string_view name) const {
  if (auto it = overrides_.find(name); it != overrides_.end()) return it->second;
  if (const MainCfEntry* e = main_cf_.find(name)) return e->value;
  return std::nullopt;
}

std::string Config::raw_default(std::string_view name) const {
  const ParamInfo* p = find_param(name);
  if (!p) return {};
  if (p->compute_default) return p->compute_default(*this);
  return std::string(p->default_value);
}

std::string Config::raw_value(std::string_view name) const {
  if (auto v = raw(name)) return *v;
  // -c / MAIL_CONFIG choose the directory; it is then what $config_directory means.
  if (name == "config_directory" && !config_dir_.empty()) return config_dir_;
  return raw_default(name);
}

bool Config::is_known(std::string_view name) const {
  return find_param(name) != nullptr || is_set(name);
}

std::string Config::get(std::string_view name) const {
  return expand_text(*this, raw_value(name), name);
}

std::string Config::expand(std::string_view text) const { return expand_text(*this, text, ""); }

namespace {

[[noreturn]] void bad_value(const Config& c, std::string_view name, const std::string& kind,
                            const std::string& value) {
  const MainCfEntry* e = c.main_cf().find(name);
  std::string file = c.main_cf().path().empty() ? "main.cf" : c.main_cf().path();
  throw ConfigError(file, e ? e->line : 0,
                    "bad " + kind + " configuration: " + std::string(name) + " = " + value);
}

}  // namespace

long long Config::get_int(std::string_view name) const {
  std::string v = get(name);
  auto n = parse_long(trim(v));
  if (!n) bad_value(*this, name, "numerical", v);
  return *n;
}

bool Config::get_bool(std::string_view name) const {
  std::string v = get(name);
  std::string_view t = trim(v);
  if (iequals(t, "yes") || iequals(t, "true")) return true;
  if (iequals(t, "no") || iequals(t, "false")) return false;
  bad_value(*this, name, "boolean", v);
}

long long Config::get_time_seconds(std::string_view name) const {
  std::string v = get(name);
  std::string_view t = trim(v);
  const ParamInfo* p = find_param(name);
  char unit = p && p->time_unit ? p->time_unit : 's';
  if (!t.empty() && !(t.back() >= '0' && t.back() <= '9')) {
    unit = static_cast<char>(t.back() | 0x20);  // Postfix accepts upper case units too
    t.remove_suffix(1);
  }
  auto n = parse_long(t);
  long long scale = 0;
  switch (unit) {
    case 's': scale = 1; break;
    case 'm': scale = 60; break;
    case 'h': scale = 3600; break;
    case 'd': scale = 86400; break;
    case 'w': scale = 7 * 86400; break;
    default: break;
  }
  // Reject overflow as well as junk: a huge value is a typo, not a wish.
  if (!n || *n < 0 || scale == 0 || *n > (1LL << 40) / scale) bad_value(*this, name, "time", v);
  return *n * scale;
}

long long Config::get_size(std::string_view name) const {
  std::string v = get(name);
  auto n = parse_long(trim(v));
  if (!n || *n < 0) bad_value(*this, name, "size", v);
  return *n;
}

std::vector<std::string> Config::get_list(std::string_view name) const {
  return split_list(get(name));
}

std::string resolve_config_dir(const std::string& from_option) {
  if (!from_option.empty()) return from_option;
  if (const char* env = std::getenv("MAIL_CONFIG"); env && *env) return env;
  return build::config_directory;
}

}  // namespace postern::config
