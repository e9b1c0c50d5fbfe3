// The one table of every main.cf parameter Postern knows: name, type, default
// and a one-line meaning. It drives postconf -d, validation, the typed getters
// of Config and docs/parameters.md.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace postern::config {

enum class ParamType { string, boolean, integer, time, size, list };

class Config;

struct ParamInfo {
  std::string_view name;
  ParamType type;
  // Raw default exactly as `postconf -d name` prints it (may hold $name).
  std::string_view default_value;
  // Default unit of a time parameter ('s', 'm', 'h', 'd' or 'w'); 0 otherwise.
  char time_unit;
  std::string_view summary;
  // For defaults that depend on the host (myhostname, mydomain, mynetworks...):
  // computes the default instead of default_value. nullptr for fixed ones.
  std::string (*compute_default)(const Config& config);
};

// Sorted by name.
std::span<const ParamInfo> param_table();
const ParamInfo* find_param(std::string_view name);

}  // namespace postern::config
