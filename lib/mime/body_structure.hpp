// IMAP BODY and BODYSTRUCTURE (RFC 3501 7.4.2) of a parsed message. Pure.
// Types, subtypes, parameter names, encodings and disposition types are
// sent upper-case ("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" ...)
// like the RFC's examples; parameter values as the message gives them.
#pragma once

#include <string>
#include <string_view>

#include "lib/mime/part.hpp"

namespace postern::mime {

// extended=false: BODY (no extension data); true: BODYSTRUCTURE with
// md5/disposition/language/location (and parameters for multiparts).
// A multipart without any body part is shown as one empty text/plain part.
std::string body_structure(std::string_view raw, const Part& message, bool extended);
void append_body_structure(std::string& out, std::string_view raw, const Part& message, bool extended);

}  // namespace postern::mime
