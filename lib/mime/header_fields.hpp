// RFC 5322 header fields over raw bytes: iterate, look up, unfold. Pure;
// used by every lib/mime module and by imapd (e.g. SORT keys later).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

struct HeaderField {
  std::string_view name;   // as written, without the colon and trailing space
  std::string_view value;  // raw: after the colon, folding line breaks kept, final line break dropped
  std::string_view raw;    // the whole field including its last line break
};

// Calls `visit(const HeaderField&)` for each field of a header block (the
// block may include or omit the terminating empty line). Lines without a
// colon are skipped (they belong to no field); a continuation line before
// any field is skipped. `visit` returns false to stop.
template <class Visit>
void for_each_field(std::string_view header, Visit&& visit);

// Splits a header block into fields (see for_each_field).
std::vector<HeaderField> header_fields(std::string_view header);

// Raw value of the first field called `name` (case-insensitive).
std::optional<std::string_view> find_field(std::string_view header, std::string_view name);

// Removes folding line breaks (CRLF / LF followed by white space keeps the
// white space) and trims surrounding white space.
std::string unfold(std::string_view value);

namespace detail {
// The field starting at `pos` of `header`; nullopt at the end of the block
// (empty line or end of input). `pos` advances past the field.
std::optional<HeaderField> next_field(std::string_view header, size_t& pos);
}  // namespace detail

template <class Visit>
void for_each_field(std::string_view header, Visit&& visit) {
  size_t pos = 0;
  while (auto field = detail::next_field(header, pos)) {
    if (!visit(*field)) return;
  }
}

}  // namespace postern::mime
