// Byte-search helpers shared inside lib/mime. Pure; internal.
#pragma once

#include <cstring>
#include <string_view>

namespace postern::mime::detail {

// Offset of `needle` in `hay` at or after `pos`, or npos.
inline size_t find_bytes(std::string_view hay, std::string_view needle, size_t pos = 0) {
  if (pos > hay.size()) return std::string_view::npos;
  if (needle.empty()) return pos;
  // memchr on the first byte, then compare: faster than memmem for the
  // short needles here (boundaries, "=?", search words) on mail text.
  const char* p = hay.data() + pos;
  const char* last = hay.data() + hay.size();
  while (size_t(last - p) >= needle.size()) {
    const void* hit = std::memchr(p, needle[0], size_t(last - p) - needle.size() + 1);
    if (!hit) break;
    p = static_cast<const char*>(hit);
    if (std::memcmp(p + 1, needle.data() + 1, needle.size() - 1) == 0) return size_t(p - hay.data());
    ++p;
  }
  return std::string_view::npos;
}

// Number of '\n' bytes, eight at a time.
inline size_t count_lf(std::string_view s) {
  constexpr unsigned long long kLow7 = 0x7f7f7f7f7f7f7f7fULL, kHigh = 0x8080808080808080ULL;
  constexpr unsigned long long kLf = 0x0a0a0a0a0a0a0a0aULL;
  size_t n = 0, i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    unsigned long long w;
    std::memcpy(&w, s.data() + i, 8);
    unsigned long long x = w ^ kLf;  // LF bytes become zero
    unsigned long long nonzero = ((x & kLow7) + kLow7) | x;
    n += size_t(__builtin_popcountll(~nonzero & kHigh));
  }
  for (; i < s.size(); ++i) n += s[i] == '\n';
  return n;
}

// True when every byte is 7-bit.
inline bool all_ascii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    unsigned long long w;
    std::memcpy(&w, s.data() + i, 8);
    if (w & 0x8080808080808080ULL) return false;
  }
  for (; i < s.size(); ++i)
    if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
  return true;
}

}  // namespace postern::mime::detail
