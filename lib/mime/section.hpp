// BODY[section] contents (RFC 3501 6.4.5): part numbers, HEADER,
// HEADER.FIELDS (.NOT), TEXT and MIME. Pure; <partial> is the caller's.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/mime/part.hpp"

namespace postern::mime {

struct Section {
  std::vector<unsigned> path;  // part numbers, 1-based; empty for the whole message
  enum class Kind { all, header, header_fields, header_fields_not, text, mime };
  Kind kind = Kind::all;
  std::vector<std::string> fields;  // for header_fields(_not); compared case-insensitively
};

// The part `path` names, or nullptr when it does not exist. Part 1 of a
// non-multipart message (or embedded message) is that message itself.
const Part* find_part(const Part& message, const std::vector<unsigned>& path);

// The bytes of BODY[section], or nullopt when the section does not exist
// (no such part; HEADER/TEXT of a part that is not message/rfc822; MIME
// without a part number). HEADER.FIELDS results end with the empty line.
std::optional<std::string> fetch_section(std::string_view raw, const Part& message, const Section& section);

}  // namespace postern::mime
