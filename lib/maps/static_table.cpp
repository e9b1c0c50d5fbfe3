// static:value and static:{ value with spaces }: every key finds the same
// value. Any process.
#include "lib/base/strings.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

class StaticTable : public Table {
 public:
  StaticTable(std::string spec, std::string value) : value_(std::move(value)) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view) override { return LookupResult::found(value_); }

 private:
  std::string value_;
};

}  // namespace

Result<TablePtr> open_static_table(const std::string& name, const std::string&  spec, const OpenFlags&) {
  std::string_view v = trim(name);
  if (!v.empty() && v.front() == '{') {
    if (v.back() != '}') return Error{"missing '}' in \"" + spec + "\""};
    v = trim(v.substr(1, v.size() - 2));
  }
  return TablePtr(std::make_unique<StaticTable>(spec, std::string(v)));
}

}  // namespace postern::maps
