// The open_table registry, table-list splitting and TableList search order.
// Any process.
#include "lib/maps/table.hpp"

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

Status Table::for_each(const std::function<void(std::string_view, std::string_view)>&) {
  return Error{"table " + spec_ + " does not support sequential access"};
}

std::vector<std::string> table_types() {
  return {"btree", "cidr", "fail", "hash", "inline", "pcre", "regexp", "static", "texthash", "unix"};
}

Result<std::unique_ptr<Table>> open_table(std::string_view spec_view, const OpenFlags& flags) {
  std::string spec(trim(spec_view));
  size_t colon = spec.find(':');
  if (colon == std::string::npos || colon == 0)
    return Error{"need dictionary type:name, not \"" + spec + "\""};
  std::string type = to_lower(spec.substr(0, colon));
  std::string name = spec.substr(colon + 1);
  Result<TablePtr> t = Error{"unsupported dictionary type: " + type};
  if (type == "hash") t = open_db_table(DbKind::hash, name, spec, flags);
  else if (type == "btree") t = open_db_table(DbKind::btree, name, spec, flags);
  else if (type == "texthash") t = open_texthash_table(name, spec, flags);
  else if (type == "inline") t = open_inline_table(name, spec, flags);
  else if (type == "static") t = open_static_table(name, spec, flags);
  else if (type == "regexp") t = open_regexp_table(name, spec, flags);
  else if (type == "pcre") t = open_pcre_table(name, spec, flags);
  else if (type == "cidr") t = open_cidr_table(name, spec, flags);
  else if (type == "unix") t = open_unix_table(name, spec, flags);
  else if (type == "fail") t = open_fail_table(name, spec, flags);
  if (!t) return t.error();
  for (const auto& d : t.value()->diagnostics()) log::warning("%s", d.text().c_str());
  return std::move(t.value());
}

std::vector<std::string> split_table_list(std::string_view list) {
  std::vector<std::string> out;
  std::string cur;
  int depth = 0;
  for (char c : list) {
    if (depth == 0 && (c == ',' || is_space(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
      continue;
    }
    if (c == '{') ++depth;
    if (c == '}' && depth > 0) --depth;
    cur.push_back(c);
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

Result<std::vector<std::string>> split_brace_items(std::string_view inner) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < inner.size()) {
    char c = inner[i];
    if (c == ',' || is_space(c)) {
      ++i;
      continue;
    }
    if (c == '{') {
      int depth = 0;
      size_t start = i;
      for (; i < inner.size(); ++i) {
        if (inner[i] == '{') ++depth;
        if (inner[i] == '}' && --depth == 0) break;
      }
      if (i >= inner.size()) return Error{"missing '}' in \"" + std::string(inner) + "\""};
      out.emplace_back(trim(inner.substr(start + 1, i - start - 1)));
      ++i;
      continue;
    }
    if (c == '}') return Error{"unexpected '}' in \"" + std::string(inner) + "\""};
    size_t start = i;
    while (i < inner.size() && inner[i] != ',' && !is_space(inner[i]) && inner[i] != '{') ++i;
    out.emplace_back(inner.substr(start, i - start));
  }
  return out;
}

Result<std::string> pattern_source(const std::string& name, const std::string& spec, std::string& label) {
  std::string_view n = trim(name);
  if (!n.empty() && n.front() == '{') {
    label = spec;
    if (n.back() != '}') return Error{"missing '}' in \"" + spec + "\""};
    auto rules = split_brace_items(n.substr(1, n.size() - 2));
    if (!rules) return Error{spec + ": " + rules.error().message};
    std::string text;
    for (const auto& r : rules.value()) text += r + "\n";
    return text;
  }
  label = name;
  auto text = read_file(name);
  if (!text) return Error{"open " + name + ": " + text.error().message.substr(text.error().message.rfind(": ") + 2),
                          text.error().sys_errno};
  return text;
}

Result<TableList> TableList::open(std::string_view list, const OpenFlags& flags) {
  TableList out;
  for (const auto& spec : split_table_list(list)) {
    auto t = open_table(spec, flags);
    if (!t) return t.error();
    out.add(std::move(t.value()));
  }
  return out;
}

LookupResult TableList::lookup(std::string_view key) {
  for (auto& t : tables_) {
    LookupResult r = t->lookup(key);
    if (!r.is_not_found()) return r;  // found, or a temporary failure that must not be skipped
  }
  return LookupResult::not_found();
}

}  // namespace postern::maps
