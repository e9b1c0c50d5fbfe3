// Modified UTF-7 (RFC 3501 5.1.3) <-> UTF-8: the form IMAP clients send
// mailbox names in, and the form Dovecot (and so Postern) gives folder
// names on disk. Decoding validates strictly, so every name has exactly one
// spelling: a bare "&", a non-base64 character, non-zero padding bits,
// broken UTF-16, adjacent base64 runs and base64 used for printable ASCII
// are all errors. Pure; used by lib/imap and lib/mailstore.
#pragma once

#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern {

// Modified UTF-7 -> UTF-8. The error text says what is wrong ("'&'
// sequence without closing '-'").
Result<std::string> mutf7_decode(std::string_view mutf7);
// UTF-8 -> modified UTF-7. Invalid UTF-8 is an error.
Result<std::string> mutf7_encode(std::string_view utf8);

}  // namespace postern
