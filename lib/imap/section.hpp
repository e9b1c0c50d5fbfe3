// The section of BODY[section] / BINARY[section] (RFC 3501 6.4.5), mapping
// one to one onto lib/mime's Section so imapd can hand it over field by
// field. Pure.
#pragma once

#include <string>
#include <vector>

namespace postern::imap {

inline constexpr size_t kMaxSectionDepth = 100;  // part numbers in one section (lib/mime caps nesting at 100)

struct Section {
  std::vector<unsigned> path;  // part numbers, "1.2.3" -> {1,2,3}; empty: the whole message
  enum class Kind { all, header, header_fields, header_fields_not, text, mime } kind = Kind::all;
  std::vector<std::string> fields;  // HEADER.FIELDS[.NOT] names, as sent

  // The text between the brackets in a response: "1.2.HEADER.FIELDS (DATE FROM)".
  std::string to_string() const;
};

}  // namespace postern::imap
