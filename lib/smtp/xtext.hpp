// RFC 3461 xtext, used by the ENVID and ORCPT parameters and the AUTH= sender
// (RFC 4954). Used by smtpd when parsing and by the smtp client when sending.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp {

// Decodes xtext ("a+2Bb" -> "a+b"). nullopt when a byte is outside %d33-126,
// is '=' or when '+' is not followed by two upper-case hex digits.
std::optional<std::string> xtext_decode(std::string_view xtext);

// Encodes any bytes as xtext: '+', '=' and bytes outside %d33-126 become "+XX".
std::string xtext_encode(std::string_view text);

}  // namespace postern::smtp
