// Small string helpers shared by every library. ASCII only by design: the
// protocols and file formats we parse define case and space in ASCII terms.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern {

std::string_view trim(std::string_view s);
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Splits on any of `delims`, dropping empty fields ("a, b,,c" -> a b c with ", ").
std::vector<std::string> split(std::string_view s, std::string_view delims);
// Postfix list syntax: items separated by commas and/or white space.
std::vector<std::string> split_list(std::string_view s);
std::string join(const std::vector<std::string>& parts, std::string_view sep);

// Whole-string decimal parse; nullopt on junk, sign errors or overflow.
std::optional<long long> parse_long(std::string_view s);

}  // namespace postern
