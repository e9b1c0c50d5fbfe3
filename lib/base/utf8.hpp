// UTF-8 decoding and encoding, strict as RFC 3629 asks (no overlong forms,
// no surrogates, nothing past U+10FFFF, no truncated sequences). Shared by
// the MIME (charsets, SEARCH folding), IMAP (modified UTF-7) and store
// libraries. Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postern {

inline constexpr char32_t kReplacementCharacter = 0xFFFD;

// Length of the valid UTF-8 sequence at s[i] (i < s.size()), or 0 when the
// bytes there are not one; `*cp` gets its code point when not null.
size_t utf8_sequence(std::string_view s, size_t i, char32_t* cp = nullptr);

// The code point at s[i], advancing `i` past it; an invalid byte is read as
// U+FFFD and skipped alone, so decoding always moves on.
char32_t utf8_next(std::string_view s, size_t& i);

bool utf8_valid(std::string_view s);

// `s` with every invalid byte replaced by U+FFFD.
std::string utf8_sanitize(std::string_view s);

// Appends the UTF-8 form of `cp` (a scalar value) to `out`.
void utf8_append(std::string& out, char32_t cp);

}  // namespace postern
