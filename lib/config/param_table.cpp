// The merged, sorted parameter table and lookup by name.
#include "lib/config/param_table.hpp"

#include <algorithm>
#include <vector>

#include "lib/config/param_table_parts.hpp"

namespace postern::config {

namespace {

std::vector<ParamInfo> build_table() {
  std::vector<ParamInfo> all;
  for (auto part : {params_core(), params_address(), params_local(), params_queue(),
                    params_smtpd(), params_smtp()}) {
    all.insert(all.end(), part.begin(), part.end());
  }
  std::sort(all.begin(), all.end(),
            [](const ParamInfo& a, const ParamInfo& b) { return a.name < b.name; });
  // A name listed in two areas keeps its first row only.
  all.erase(std::unique(all.begin(), all.end(),
                        [](const ParamInfo& a, const ParamInfo& b) { return a.name == b.name; }),
            all.end());
  return all;
}

}  // namespace

std::span<const ParamInfo> param_table() {
  // Built once and never modified afterwards (thread-safe static init).
  static const std::vector<ParamInfo> table = build_table();
  return table;
}

const ParamInfo* find_param(std::string_view name) {
  auto table = param_table();
  auto it = std::lower_bound(table.begin(), table.end(), name,
                             [](const ParamInfo& p, std::string_view n) { return p.name < n; });
  if (it == table.end() || it->name != name) return nullptr;
  return &*it;
}

}  // namespace postern::config
