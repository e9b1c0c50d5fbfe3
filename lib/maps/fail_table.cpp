// fail:name: a table whose every lookup fails temporarily, for testing how
// callers defer instead of bouncing. Any process.
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

class FailTable : public Table {
 public:
  explicit FailTable(std::string spec) { spec_ = std::move(spec); }
  LookupResult lookup(std::string_view) override {
    return LookupResult::temp_fail("table " + spec_ + ": query error: Application error");
  }
  Status for_each(const std::function<void(std::string_view, std::string_view)>&) override {
    return Error{"table " + spec_ + ": sequence error: Application error"};
  }
};

}  // namespace

Result<TablePtr> open_fail_table(const std::string&, const std::string& spec, const OpenFlags&) {
  return TablePtr(std::make_unique<FailTable>(spec));
}

}  // namespace postern::maps
