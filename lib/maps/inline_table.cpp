// inline:{ key=value, { key = value with spaces } }: a small table written
// straight into main.cf or master.cf. Any process.
#include <map>

#include "lib/base/strings.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

class InlineTable : public Table {
 public:
  InlineTable(std::string spec, bool fold) : fold_(fold) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view key) override {
    for (const auto& [k, v] : entries_)
      if (k == (fold_ ? to_lower(key) : std::string(key))) return LookupResult::found(v);
    return LookupResult::not_found();
  }
  Status for_each(const std::function<void(std::string_view, std::string_view)>& fn) override {
    for (const auto& [k, v] : entries_) fn(k, v);
    return {};
  }
  std::vector<std::pair<std::string, std::string>> entries_;  // source order, first wins

 private:
  bool fold_;
};

}  // namespace

Result<TablePtr> open_inline_table(const std::string& name, const std::string& spec, const OpenFlags& flags) {
  std::string_view n = trim(name);
  std::string need = "; need \"inline:{name=value...}\"";
  if (n.size() < 2 || n.front() != '{' || n.back() != '}')
    return Error{"bad syntax: \"" + spec + "\"" + need};
  auto items = split_brace_items(n.substr(1, n.size() - 2));
  if (!items) return Error{items.error().message + need};
  auto t = std::make_unique<InlineTable>(spec, flags.fold_case);
  for (const auto& item : items.value()) {
    size_t eq = item.find('=');
    std::string key(trim(std::string_view(item).substr(0, eq == std::string::npos ? item.size() : eq)));
    if (eq == std::string::npos || key.empty())
      return Error{"missing '=' after attribute name: \"" + spec + "\"" + need};
    std::string value(trim(std::string_view(item).substr(eq + 1)));
    if (flags.fold_case) key = to_lower(key);
    t->entries_.emplace_back(std::move(key), std::move(value));
  }
  if (t->entries_.empty()) return Error{"empty table: \"" + spec + "\"" + need};
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
