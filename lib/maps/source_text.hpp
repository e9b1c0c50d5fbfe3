// Parsing of table source files shared by postmap, postalias and the
// in-memory tables: Postfix's logical lines (comments, blank lines, lines
// that continue with leading white space) and the two entry formats.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::maps {

struct LogicalLine {
  int line = 0;      // physical line number where the logical line starts
  std::string text;  // continuation lines appended as they are, minus newline
};

// Splits `text` into logical lines: blank lines and lines whose first
// non-blank character is '#' are skipped; a line that starts with white
// space continues the previous logical line. A continuation with nothing to
// continue is reported (as Postfix does) in `diags` against `file` and dropped.
std::vector<LogicalLine> logical_lines(std::string_view text, const std::string& file,
                                       std::vector<Diagnostic>& diags);

// The same lines, handed to `fn(line, text)` one at a time without a copy
// when a line has no continuation (postmap's 100,000-entry builds stream
// through here). `text` is valid only during the call.
void for_each_logical_line(std::string_view text, const std::string& file, std::vector<Diagnostic>& diags,
                           const std::function<void(int, std::string_view)>& fn);

struct KeyValue {
  std::string key;
  std::string value;
};

// postmap(1) format "key whitespace value". A key that starts with '"' runs
// to the matching quote (backslash escapes inside) and keeps its quotes, as
// Postfix stores it. nullopt when there is no value.
std::optional<KeyValue> split_key_value(std::string_view line);

// The same split as views into `line` (no allocation).
struct KeyValueView {
  std::string_view key;
  std::string_view value;
};
std::optional<KeyValueView> split_key_value_view(std::string_view line);

// aliases(5) format "name: value, value". The name may be quoted ("a b":);
// the quotes are removed. The value is rewritten to Postfix's canonical
// spacing: elements split at top-level commas and joined with ", ", runs of
// white space outside quotes squeezed to one space. nullopt without a name,
// a ':' or a value.
std::optional<KeyValue> split_alias(std::string_view line);
std::string normalize_alias_value(std::string_view value);

// Postfix's warning when a postmap source looks like an alias file.
bool looks_like_alias_entry(std::string_view key);
inline bool looks_like_alias_entry(const KeyValue& kv) { return looks_like_alias_entry(kv.key); }

}  // namespace postern::maps
