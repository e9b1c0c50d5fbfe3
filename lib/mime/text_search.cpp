// SEARCH string matching on decoded, case-folded UTF-8 (RFC 3501 6.4.4:
// "case-insensitive substring"). Pure; imapd's mail process.
#include "lib/mime/text_search.hpp"

#include "lib/base/strings.hpp"
#include "lib/base/utf8.hpp"
#include "lib/mime/bytes.hpp"
#include "lib/mime/decode.hpp"
#include "lib/mime/header_fields.hpp"

namespace postern::mime {

namespace {

uint32_t fold_code_point(uint32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;  // Latin-1
  if (cp >= 0x100 && cp <= 0x137) return cp | 1;               // Latin Extended-A pairs
  if (cp >= 0x139 && cp <= 0x148) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x14A && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) return cp + 32;  // Greek
  if (cp == 0x3C2) return 0x3C3;                                  // final sigma
  if (cp >= 0x400 && cp <= 0x40F) return cp + 80;                 // Cyrillic
  if (cp >= 0x410 && cp <= 0x42F) return cp + 32;
  if (cp >= 0x460 && cp <= 0x4FF && cp != 0x482 && !(cp >= 0x483 && cp <= 0x489)) {
    if ((cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) || (cp >= 0x4D0 && cp <= 0x4FF))
      return cp | 1;
  }
  if (cp >= 0xFF21 && cp <= 0xFF3A) return cp + 32;  // full-width Latin
  return cp;
}

// All fields of a header block, each "Name: decoded value\n".
std::string decoded_header_text(std::string_view header) {
  std::string out;
  for_each_field(header, [&](const HeaderField& f) {
    out.append(f.name);
    out += ": ";
    out += decode_header(f.value);
    out.push_back('\n');
    return true;
  });
  return out;
}

bool body_search(std::string_view raw, const Part& part, const Needle& needle, unsigned depth) {
  if (depth > kMaxNesting + 1) return false;
  if (part.is_multipart()) {
    for (const auto& child : part.children)
      if (body_search(raw, child, needle, depth + 1)) return true;
    return false;
  }
  if (part.is_message_rfc822() && !part.children.empty()) {
    const Part& inner = part.children.front();
    if (needle.found_in(decoded_header_text(inner.header.in(raw)))) return true;
    return body_search(raw, inner, needle, depth + 1);
  }
  if (part.type != "text") return false;  // images, archives: not text to search
  return needle.found_in(decoded_text(raw, part));
}

}  // namespace

std::string fold_case(std::string_view s) {
  std::string out;
  if (detail::all_ascii(s)) {
    // The common case: one pass, no per-byte growth checks.
    out.resize(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      out[i] = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    }
    return out;
  }
  out.reserve(s.size() + 8);
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      out.push_back((c >= 'A' && c <= 'Z') ? char(c + 32) : char(c));
      ++i;
      continue;
    }
    utf8_append(out, fold_code_point(utf8_next(s, i)));
  }
  return out;
}

Needle::Needle(std::string_view utf8) : folded_(fold_case(utf8)) {}

bool Needle::found_in_folded(std::string_view folded_haystack) const {
  return detail::find_bytes(folded_haystack, folded_) != std::string_view::npos;
}

bool Needle::found_in(std::string_view haystack) const {
  if (folded_.empty()) return true;
  return found_in_folded(fold_case(haystack));  // no length shortcut: folding may grow invalid bytes
}

bool header_contains(std::string_view raw, const Part& message, std::string_view field,
                     const Needle& needle) {
  bool found = false;
  for_each_field(message.header.in(raw), [&](const HeaderField& f) {
    if (!iequals(f.name, field)) return true;
    found = needle.empty() || needle.found_in(decode_header(f.value));
    return !found;
  });
  return found;
}

bool header_contains(std::string_view raw, const Part& message, std::string_view field,
                     std::string_view needle) {
  return header_contains(raw, message, field, Needle(needle));
}

bool body_contains(std::string_view raw, const Part& message, const Needle& needle) {
  if (needle.empty()) return true;
  return body_search(raw, message, needle, 0);
}

bool body_contains(std::string_view raw, const Part& message, std::string_view needle) {
  return body_contains(raw, message, Needle(needle));
}

bool text_contains(std::string_view raw, const Part& message, const Needle& needle) {
  if (needle.empty()) return true;
  if (needle.found_in(decoded_header_text(message.header.in(raw)))) return true;
  return body_search(raw, message, needle, 0);
}

bool text_contains(std::string_view raw, const Part& message, std::string_view needle) {
  return text_contains(raw, message, Needle(needle));
}

}  // namespace postern::mime
