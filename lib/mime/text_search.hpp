// SEARCH helpers (RFC 3501 6.4.4 HEADER, BODY, TEXT, FROM, SUBJECT, ...):
// case-insensitive substring tests on decoded UTF-8. Pure.
#pragma once

#include <string>
#include <string_view>

#include "lib/mime/part.hpp"

namespace postern::mime {

// Simple case folding of UTF-8 (ASCII, Latin-1, Latin Extended-A, Greek,
// Cyrillic); invalid bytes become U+FFFD.
std::string fold_case(std::string_view utf8);

// A needle prepared once for many messages (folded UTF-8).
class Needle {
 public:
  explicit Needle(std::string_view utf8);
  bool empty() const { return folded_.empty(); }
  const std::string& folded() const { return folded_; }
  // True when the folded form of `haystack_utf8` contains the needle.
  bool found_in(std::string_view haystack_utf8) const;
  // Same when `folded_haystack` is already folded.
  bool found_in_folded(std::string_view folded_haystack) const;

 private:
  std::string folded_;
};

// HEADER field string: some field called `field` (case-insensitive) of the
// top-level header whose RFC 2047-decoded value contains `needle`. An empty
// needle matches any message having that field.
bool header_contains(std::string_view raw, const Part& message, std::string_view field,
                     std::string_view needle);
bool header_contains(std::string_view raw, const Part& message, std::string_view field, const Needle& needle);
// BODY: the transfer- and charset-decoded text/* parts (and the headers of
// embedded messages) contain `needle`.
bool body_contains(std::string_view raw, const Part& message, std::string_view needle);
bool body_contains(std::string_view raw, const Part& message, const Needle& needle);
// TEXT: the decoded header or body contains `needle`.
bool text_contains(std::string_view raw, const Part& message, std::string_view needle);
bool text_contains(std::string_view raw, const Part& message, const Needle& needle);

}  // namespace postern::mime
