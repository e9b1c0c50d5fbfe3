// texthash: a postmap(1)-format text file loaded into memory, for sites that
// do not want to run postmap. Re-read when the file changes. Any process.
#include <unordered_map>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/file_stamp.hpp"
#include "lib/maps/source_text.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

class TexthashTable : public Table {
 public:
  TexthashTable(std::string path, std::string spec, const OpenFlags& flags)
      : path_(std::move(path)), flags_(flags), watch_(path_, flags.recheck_interval) {
    spec_ = std::move(spec);
  }

  Status load() {
    auto stamp = FileStamp::of(path_);
    auto text = read_file(path_);
    if (!text) return text.error();
    std::unordered_map<std::string, std::string> entries;
    std::vector<std::string> order;
    diagnostics_.clear();
    for (auto& ll : logical_lines(*text, path_, diagnostics_)) {
      auto kv = split_key_value(ll.text);
      if (!kv) {
        diagnostics_.push_back({path_, ll.line, "expected format: key whitespace value"});
        continue;
      }
      std::string key = flags_.fold_case ? to_lower(kv->key) : kv->key;
      if (entries.count(key)) {
        diagnostics_.push_back({path_, ll.line, "duplicate entry: \"" + key + "\""});
        continue;
      }
      order.push_back(key);
      entries.emplace(std::move(key), std::move(kv->value));
    }
    entries_ = std::move(entries);
    order_ = std::move(order);
    watch_.remember(stamp);
    return {};
  }

  LookupResult lookup(std::string_view key) override {
    if (watch_.changed()) {
      if (auto st = load(); !st) log::warning("%s: cannot re-read: %s", spec_.c_str(), st.error().message.c_str());
      for (const auto& d : diagnostics_) log::warning("%s", d.text().c_str());
    }
    auto it = entries_.find(flags_.fold_case ? to_lower(key) : std::string(key));
    if (it == entries_.end()) return LookupResult::not_found();
    return LookupResult::found(it->second);
  }

  Status for_each(const std::function<void(std::string_view, std::string_view)>& fn) override {
    for (const auto& k : order_) fn(k, entries_.at(k));
    return {};
  }

 private:
  std::string path_;
  OpenFlags flags_;
  ChangeWatch watch_;
  std::unordered_map<std::string, std::string> entries_;
  std::vector<std::string> order_;
};

}  // namespace

Result<TablePtr> open_texthash_table(const std::string& name, const std::string& spec, const OpenFlags& flags) {
  auto t = std::make_unique<TexthashTable>(name, spec, flags);
  if (auto st = t->load(); !st) return Error{"open database " + name + ": " + st.error().message, st.error().sys_errno};
  return TablePtr(std::move(t));
}

}  // namespace postern::maps
