// Modified UTF-7 (RFC 3501 5.1.3) <-> UTF-8, with strict validation of
// what clients send: every name has exactly one valid spelling.
#include "lib/imap/mutf7.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "lib/base/strings.hpp"

namespace postern::imap {

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

void put_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Next code point of UTF-8 text at `i` (advanced); nullopt when invalid
// (overlong, surrogate, beyond U+10FFFF, truncated).
std::optional<uint32_t> next_utf8(std::string_view s, size_t& i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    ++i;
    return c;
  }
  int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return std::nullopt;
  uint32_t cp = c & (0x7f >> len);
  for (int k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xc0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (cc & 0x3f);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return std::nullopt;
  i += len;
  return cp;
}

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

Parsed<std::string> mutf7_decode(std::string_view wire) {
  std::string out;
  size_t i = 0;
  bool after_base64 = false;  // the last thing read was a "&...-" run
  while (i < wire.size()) {
    auto c = static_cast<unsigned char>(wire[i]);
    if (c < 0x20 || c > 0x7e)
      return syntax_error("Invalid mailbox name: 8-bit or control character (names are sent in modified UTF-7)");
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
    if (after_base64) return syntax_error("Invalid mailbox name: adjacent modified BASE64 runs must be one");
    after_base64 = true;
    uint32_t bits = 0;
    int nbits = 0;
    std::optional<uint16_t> high;  // a pending high surrogate
    bool any = false;
    for (;; ++i) {
      if (i >= wire.size()) return syntax_error("Invalid mailbox name: '&' sequence without closing '-'");
      if (wire[i] == '-') break;
      int v = b64_value(wire[i]);
      if (v < 0) return syntax_error("Invalid mailbox name: invalid character in modified BASE64");
      bits = (bits << 6) | static_cast<uint32_t>(v);
      nbits += 6;
      if (nbits < 16) continue;
      nbits -= 16;
      auto unit = static_cast<uint16_t>((bits >> nbits) & 0xffff);
      bits &= (1u << nbits) - 1;
      any = true;
      if (unit >= 0xd800 && unit <= 0xdbff) {
        if (high) return syntax_error("Invalid mailbox name: broken UTF-16 surrogate pair");
        high = unit;
        continue;
      }
      uint32_t cp = unit;
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (!high) return syntax_error("Invalid mailbox name: broken UTF-16 surrogate pair");
        cp = 0x10000 + ((static_cast<uint32_t>(*high) - 0xd800) << 10) + (unit - 0xdc00);
        high.reset();
      } else if (high) {
        return syntax_error("Invalid mailbox name: broken UTF-16 surrogate pair");
      }
      if (cp >= 0x20 && cp <= 0x7e)
        return syntax_error("Invalid mailbox name: printable ASCII must not be encoded in modified BASE64");
      put_utf8(cp, out);
    }
    ++i;  // the '-'
    if (!any) return syntax_error("Invalid mailbox name: empty '&' sequence");
    if (high) return syntax_error("Invalid mailbox name: broken UTF-16 surrogate pair");
    if (nbits >= 6 || bits != 0) return syntax_error("Invalid mailbox name: bad padding in modified BASE64");
  }
  return out;
}

Parsed<std::string> mutf7_encode(std::string_view utf8) {
  std::string out;
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < utf8.size()) {
    auto cp = next_utf8(utf8, i);
    if (!cp) return syntax_error("Invalid UTF-8 in mailbox name");
    if (*cp >= 0x20 && *cp <= 0x7e) {
      if (!units.empty()) {
        flush_base64(units, out);
        units.clear();
      }
      if (*cp == '&')
        out += "&-";
      else
        out.push_back(static_cast<char>(*cp));
      continue;
    }
    if (*cp >= 0x10000) {
      uint32_t v = *cp - 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 + (v >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(*cp));
    }
  }
  if (!units.empty()) flush_base64(units, out);
  return out;
}

Parsed<std::string> mailbox_from_wire(std::string_view wire, char separator) {
  auto name = mutf7_decode(wire);
  if (!name) return name;
  for (char ch : *name) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) return syntax_error("Invalid mailbox name: control character");
  }
  std::string& n = *name;
  if (n.size() >= 5 && iequals(std::string_view(n).substr(0, 5), "INBOX") && (n.size() == 5 || n[5] == separator))
    n.replace(0, 5, "INBOX");
  return name;
}

std::string mailbox_to_wire(std::string_view utf8) {
  auto encoded = mutf7_encode(utf8);
  if (encoded) return std::move(encoded).value();
  // Not valid UTF-8 (a name made outside IMAP): encode the valid stretches
  // and pass the rest through so the client still sees something.
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    size_t start = i;
    if (next_utf8(utf8, i)) {
      auto part = mutf7_encode(utf8.substr(start, i - start));
      out += part ? *part : std::string(utf8.substr(start, i - start));
    } else {
      out.push_back(utf8[i]);
      ++i;
    }
  }
  return out;
}

}  // namespace postern::imap
