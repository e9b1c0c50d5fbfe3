// Modified UTF-7 (RFC 3501 5.1.3) <-> UTF-8 with strict validation (see
// mutf7.hpp). Pure.
#include "lib/base/mutf7.hpp"

#include <cerrno>
#include <cstdint>
#include <optional>
#include <vector>

#include "lib/base/utf8.hpp"

namespace postern {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

Error invalid(std::string text) { return Error{std::move(text), EINVAL}; }

void flush_base64(const std::vector<uint16_t>& units, std::string& out) {
  out.push_back('&');
  uint32_t bits = 0;
  int nbits = 0;
  for (uint16_t u : units) {
    bits = (bits << 16) | u;
    nbits += 16;
    while (nbits >= 6) {
      nbits -= 6;
      out.push_back(kAlphabet[(bits >> nbits) & 0x3f]);
    }
    bits &= (1u << nbits) - 1;
  }
  if (nbits > 0) out.push_back(kAlphabet[(bits << (6 - nbits)) & 0x3f]);
  out.push_back('-');
}

}  // namespace

Result<std::string> mutf7_decode(std::string_view wire) {
  std::string out;
  size_t i = 0;
  bool after_base64 = false;  // the last thing read was a "&...-" run
  while (i < wire.size()) {
    auto c = static_cast<unsigned char>(wire[i]);
    if (c < 0x20 || c > 0x7e) return invalid("8-bit or control character (names are sent in modified UTF-7)");
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i;
      after_base64 = false;
      continue;
    }
    ++i;
    if (i < wire.size() && wire[i] == '-') {
      out.push_back('&');
      ++i;
      after_base64 = false;
      continue;
    }
    // One name has one spelling: "&AOk-&AOk-" must be sent as "&AOkA6Q-".
    if (after_base64) return invalid("adjacent modified BASE64 runs must be one");
    after_base64 = true;
    uint32_t bits = 0;
    int nbits = 0;
    std::optional<uint16_t> high;  // a pending high surrogate
    bool any = false;
    for (;; ++i) {
      if (i >= wire.size()) return invalid("'&' sequence without closing '-'");
      if (wire[i] == '-') break;
      int v = b64_value(wire[i]);
      if (v < 0) return invalid("invalid character in modified BASE64");
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      auto unit = static_cast<uint16_t>((bits >> nbits) & 0xffff);
      bits &= (1u << nbits) - 1;
      any = true;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (high) return invalid("broken UTF-16 surrogate pair");
        high = unit;
        continue;
      }
      char32_t cp = unit;
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (!high) return invalid("broken UTF-16 surrogate pair");
        cp = 0x10000 + ((static_cast<char32_t>(*high) - 0xd800) << 10) + (unit - 0xdc00);
        high.reset();
      } else if (high) {
        return invalid("broken UTF-16 surrogate pair");
      }
      if (cp >= 0x20 && cp <= 0x7e) return invalid("printable ASCII must not be encoded in modified BASE64");
      utf8_append(out, cp);
    }
    ++i;  // the '-'
    if (!any) return invalid("empty '&' sequence");
    if (high) return invalid("broken UTF-16 surrogate pair");
    if (nbits >= 6 || bits != 0) return invalid("bad padding in modified BASE64");
  }
  return out;
}

Result<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < utf8.size()) {
    char32_t cp = 0;
    size_t n = utf8_sequence(utf8, i, &cp);
    if (n == 0) return invalid("invalid UTF-8");
    i += n;
    if (cp >= 0x20 && cp <= 0x7e) {
      if (!units.empty()) {
        flush_base64(units, out);
        units.clear();
      }
      if (cp == '&')
        out += "&-";
      else
        out.push_back(static_cast<char>(cp));
      continue;
    }
    if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 + (v >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) flush_base64(units, out);
  return out;
}

}  // namespace postern
