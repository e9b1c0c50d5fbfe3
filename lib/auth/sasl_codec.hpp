// Base64 (RFC 4648, strict: padding required, no white space) for SASL
// exchanges and digest password schemes. Pure; used by auth, pop3d and tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::auth {

std::string base64_encode(std::string_view bytes);
// nullopt on any character outside the alphabet, bad padding or length.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace postern::auth
