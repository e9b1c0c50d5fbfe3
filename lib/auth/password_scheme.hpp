// Password schemes as Dovecot writes them ("{SHA512-CRYPT}$6$...",
// "{PLAIN}secret", "{CRAM-MD5}<hex>"): verification and hashing. Runs in the
// auth daemon (verification) and in postern-pw (hashing); no privilege needed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern::auth {

// A stored password split into its scheme and data. A password without a
// "{SCHEME}" prefix takes `default_scheme` (passdb args scheme=...).
struct StoredPassword {
  std::string scheme;  // upper case: "SHA512-CRYPT", "PLAIN", "CRAM-MD5", ...
  std::string data;
};
StoredPassword split_stored(std::string_view stored, std::string_view default_scheme);

enum class Verify { match, mismatch, unsupported };
// Checks `plain` against a stored password. Constant-time comparisons.
Verify verify_password(const StoredPassword& stored, std::string_view plain);

// Hashes `plain` for `scheme` (with a fresh random salt), returning
// "{SCHEME}data"; an unknown scheme is an error naming it.
Result<std::string> hash_password(std::string_view scheme, std::string_view plain, int rounds = 0);

// The schemes hash_password knows, for help texts.
std::string_view supported_schemes();

// CRAM-MD5 support: the HMAC-MD5 inner/outer states (Dovecot's {CRAM-MD5}
// format: 64 hex digits) for a secret, and the response to a challenge.
std::string cram_md5_context(std::string_view secret);
std::optional<std::string> cram_md5_response_from_context(std::string_view context_hex, std::string_view challenge);

// Wipes a string's bytes (OPENSSL_cleanse) before it is freed.
void wipe(std::string& secret);

}  // namespace postern::auth
