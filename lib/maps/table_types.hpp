// Factories for each table type, called only by the open_table registry
// (table.cpp). One implementation file per type.
#pragma once

#include <memory>
#include <string>

#include "lib/base/result.hpp"
#include "lib/maps/db_file.hpp"
#include "lib/maps/table.hpp"

namespace postern::maps {

using TablePtr = std::unique_ptr<Table>;

// `name` is the part after "type:", `spec` the whole "type:name".
Result<TablePtr> open_db_table(DbKind kind, const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_texthash_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_inline_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_static_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_regexp_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_pcre_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_cidr_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_unix_table(const std::string& name, const std::string& spec, const OpenFlags& flags);
Result<TablePtr> open_fail_table(const std::string& name, const std::string& spec, const OpenFlags& flags);

// The source text of a pattern table: the file's contents, or for
// "{ {rule-1}, {rule-2} }" (Postfix 3.7 inline form) one rule per line.
// `label` is set to what diagnostics name ("/etc/postfix/x" or the spec).
Result<std::string> pattern_source(const std::string& name, const std::string& spec, std::string& label);

// Splits "{ a, {b c}, d }" contents: items separated by commas/white space,
// {...} groups kept whole with their outer braces removed and trimmed.
// Error on unbalanced braces.
Result<std::vector<std::string>> split_brace_items(std::string_view inner);

}  // namespace postern::maps
