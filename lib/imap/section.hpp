// The section of BODY[section] / BINARY[section] (RFC 3501 6.4.5) is
// lib/mime's Section, so imapd hands what the FETCH parser produced straight
// to mime::fetch_section. Pure.
#pragma once

#include <string>

#include "lib/mime/section.hpp"

namespace postern::imap {

using Section = mime::Section;

inline constexpr size_t kMaxSectionDepth = 100;  // part numbers in one section (lib/mime caps nesting at 100)

// The text between the brackets in a response: "1.2.HEADER.FIELDS (DATE FROM)".
std::string section_text(const Section& section);

}  // namespace postern::imap
