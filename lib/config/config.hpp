// Config: the effective main.cf of one process: the registry's defaults,
// main.cf's settings, and per-service "-o name=value" overrides from
// master.cf, with Postfix's lazy, recursive $name expansion.
//
// Expansion: $name, ${name}, $(name), ${name?text} (text when name is
// non-empty), ${name:text} (text when name is empty); `$$` is a literal '$'.
// A parameter that refers to itself, directly or through others, is a
// ConfigError naming the file and line of the parameter that started it.
// Unknown names expand to the empty string (postconf warns about them).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/config/main_cf.hpp"

namespace postern::config {

class Config {
 public:
  Config() = default;
  // Reads <config_dir>/main.cf. Throws ConfigError.
  static Config load(const std::string& config_dir);
  // From text, for tests; `config_dir` is what $config_directory expands to.
  static Config from_text(std::string_view main_cf_text, const std::string& config_dir);

  const std::string& config_dir() const { return config_dir_; }
  const MainCf& main_cf() const { return main_cf_; }

  // master.cf "-o name=value": wins over main.cf for this process.
  void set_override(const std::string& name, const std::string& value);

  // The explicit setting (override, else main.cf), unexpanded; nullopt if unset.
  std::optional<std::string> raw(std::string_view name) const;
  // The raw default from the registry (computed ones computed); "" if unknown.
  std::string raw_default(std::string_view name) const;
  bool is_set(std::string_view name) const { return raw(name).has_value(); }
  // The unexpanded value in effect: the setting, else the default.
  // config_directory defaults to config_dir() when that is not empty.
  std::string raw_value(std::string_view name) const;
  // True for a parameter in the registry or one set in main.cf / by -o
  // (user-defined names such as $mua_client_restrictions).
  bool is_known(std::string_view name) const;

  // Expanded value: the setting, else the default. Throws ConfigError on a loop.
  std::string get(std::string_view name) const;
  // Typed getters; a malformed value is a ConfigError naming file and line.
  long long get_int(std::string_view name) const;
  bool get_bool(std::string_view name) const;              // yes/no, true/false
  long long get_time_seconds(std::string_view name) const;  // "300s", "5d", bare number = default unit
  long long get_size(std::string_view name) const;          // bytes
  std::vector<std::string> get_list(std::string_view name) const;  // comma/space separated

  // Expands $name references in arbitrary text against this configuration.
  std::string expand(std::string_view text) const;

 private:
  std::string config_dir_;
  MainCf main_cf_;
  std::map<std::string, std::string, std::less<>> overrides_;
};

// The configuration directory to use: the -c option if given, else the
// MAIL_CONFIG environment variable, else the compiled-in default.
std::string resolve_config_dir(const std::string& from_option);

}  // namespace postern::config
