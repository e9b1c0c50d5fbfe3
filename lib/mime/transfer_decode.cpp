// Content-Transfer-Encoding decoders (RFC 2045 6.7 quoted-printable, 6.8
// base64). Lenient: bad input is skipped or kept, never an error. Pure.
#include <array>
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/mime/decode.hpp"

namespace postern::mime {

namespace {

constexpr std::array<signed char, 256> make_base64_table() {
  std::array<signed char, 256> t{};
  for (auto& v : t) v = -1;
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return t;
}
constexpr auto kBase64 = make_base64_table();

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3 + 3);
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    if (c == '=') break;  // padding ends the data
    int v = kBase64[c];
    if (v < 0) continue;  // line breaks and junk
    bits = (bits << 6) | unsigned(v);
    if (++count == 4) {
      out.push_back(char((bits >> 16) & 0xff));
      out.push_back(char((bits >> 8) & 0xff));
      out.push_back(char(bits & 0xff));
      bits = 0;
      count = 0;
    }
  }
  if (count == 2) {
    out.push_back(char((bits >> 4) & 0xff));
  } else if (count == 3) {
    out.push_back(char((bits >> 10) & 0xff));
    out.push_back(char((bits >> 2) & 0xff));
  }
  return out;
}

std::string decode_quoted_printable(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    if (in[i] != '=') {
      // Copy the run up to the next '=' in one step.
      const void* eq = std::memchr(in.data() + i, '=', in.size() - i);
      size_t stop = eq ? size_t(static_cast<const char*>(eq) - in.data()) : in.size();
      out.append(in.substr(i, stop - i));
      i = stop;
      continue;
    }
    int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
    int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
    if (hi >= 0 && lo >= 0) {
      out.push_back(char(hi * 16 + lo));
      i += 3;
      continue;
    }
    // Soft line break: '=' then optional trailing white space, then CRLF/LF (or the end).
    size_t j = i + 1;
    while (j < in.size() && (in[j] == ' ' || in[j] == '\t')) ++j;
    if (j == in.size()) {
      i = j;
      continue;
    }
    if (in[j] == '\n') {
      i = j + 1;
      continue;
    }
    if (in[j] == '\r' && j + 1 < in.size() && in[j + 1] == '\n') {
      i = j + 2;
      continue;
    }
    out.push_back('=');  // not an escape: keep it (RFC 2045 6.7 note 1)
    ++i;
  }
  return out;
}

std::string decode_transfer(std::string_view body, std::string_view encoding) {
  if (iequals(encoding, "base64")) return decode_base64(body);
  if (iequals(encoding, "quoted-printable")) return decode_quoted_printable(body);
  return std::string(body);
}

}  // namespace postern::mime
