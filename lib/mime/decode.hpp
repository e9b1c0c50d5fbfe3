// Decoding for SEARCH and BINARY: content transfer encodings (RFC 2045),
// charsets to UTF-8 (glibc iconv), RFC 2047 encoded words in headers. Pure.
#pragma once

#include <string>
#include <string_view>

#include "lib/mime/part.hpp"

namespace postern::mime {

// base64 (invalid characters skipped, stops at '=' padding) and
// quoted-printable (soft breaks removed, bad escapes kept literally).
std::string decode_base64(std::string_view in);
std::string decode_quoted_printable(std::string_view in);
// By Content-Transfer-Encoding (lower-case or any case); 7bit, 8bit,
// binary and unknown encodings return the input unchanged.
std::string decode_transfer(std::string_view body, std::string_view encoding);

// Converts `in` from `charset` to UTF-8. Unknown charsets and invalid
// sequences never fail: us-ascii/unknown text that is valid UTF-8 stays as
// it is, other bytes are read as Windows-1252; undecodable bytes in a known
// charset become U+FFFD.
std::string to_utf8(std::string_view in, std::string_view charset);
// True when `s` is well-formed UTF-8.
bool is_utf8(std::string_view s);

// Unfolds a header field value and decodes RFC 2047 encoded words (B and Q,
// any charset, with "*lang" suffixes); white space between adjacent encoded
// words is dropped; malformed words stay as they are. Result is UTF-8.
std::string decode_header(std::string_view value);

// A part's body, transfer-decoded and converted to UTF-8 from its charset.
std::string decoded_text(std::string_view raw, const Part& part);

}  // namespace postern::mime
