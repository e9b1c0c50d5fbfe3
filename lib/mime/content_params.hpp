// Structured MIME field values (RFC 2045 Content-Type and friends, RFC 2183
// Content-Disposition, RFC 2231 parameter continuations). Internal to
// lib/mime; pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mime/part.hpp"

namespace postern::mime::detail {

struct ContentValue {
  std::string first;   // lower-case token before '/' (type) or the disposition
  std::string second;  // lower-case subtype; empty when there was no '/'
  std::vector<Param> params;
  bool valid = false;  // `first` present (and for Content-Type also `second`)
};

// "type/subtype; a=b; c="d"" (comments skipped). `with_subtype` selects the
// Content-Type form; without it the value is "token; params".
ContentValue parse_content_value(std::string_view value, bool with_subtype);

// Content-Language: comma separated tags (comments skipped).
std::vector<std::string> parse_language_list(std::string_view value);

// Skips RFC 5322 CFWS (white space, line breaks, nested comments) from `pos`.
void skip_cfws(std::string_view s, size_t& pos);

}  // namespace postern::mime::detail
