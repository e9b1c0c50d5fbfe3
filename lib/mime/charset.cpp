// Charset conversion to UTF-8 for SEARCH: UTF-8, US-ASCII and ISO-8859-1 by
// hand (the common cases, no iconv set-up), everything else through glibc
// iconv. Never fails: bad bytes become U+FFFD or are read as Windows-1252.
// Pure (iconv descriptors live only for one call).
#include <iconv.h>

#include <cerrno>
#include <memory>

#include "lib/base/strings.hpp"
#include "lib/base/utf8.hpp"
#include "lib/mime/bytes.hpp"
#include "lib/mime/decode.hpp"

namespace postern::mime {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD

// Windows-1252 0x80..0x9F (0 where undefined); the rest matches Latin-1.
constexpr uint16_t kCp1252High[32] = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                      0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                      0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

std::string from_single_byte(std::string_view in, bool cp1252) {
  std::string out;
  out.reserve(in.size() + in.size() / 8);
  for (unsigned char c : in) {
    if (c < 0x80)
      out.push_back(char(c));
    else if (cp1252 && c < 0xA0)
      utf8_append(out, kCp1252High[c - 0x80] ? kCp1252High[c - 0x80] : 0xFFFD);
    else
      utf8_append(out, c);
  }
  return out;
}

// Charset names glibc does not know under the name mailers use.
std::string iconv_name(std::string_view lower) {
  if (lower == "ks_c_5601-1987" || lower == "ks_c_5601" || lower == "ksc5601") return "CP949";
  if (lower == "gb2312" || lower == "gbk" || lower == "x-gbk") return "GB18030";  // supersets
  if (lower == "iso-8859-8-i") return "ISO-8859-8";
  if (lower == "unicode-1-1-utf-7") return "UTF-7";
  if (lower == "x-mac-roman") return "MACINTOSH";
  return std::string(lower);
}

// Only names made of these characters reach iconv_open: gconv looks names up
// in its module table, and a '/' must never be able to point elsewhere.
bool plausible_charset(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  for (char c : s) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Whether 7-bit bytes mean ASCII in this charset, so 7-bit text needs no
// conversion. Wide and stateful encodings use 7-bit bytes differently.
bool ascii_compatible(std::string_view name) {
  for (std::string_view wide :
       {"utf-16", "utf16", "utf-32", "utf32", "ucs", "utf-7", "utf7", "2022", "hz", "ebcdic"})
    if (name.find(wide) != std::string_view::npos) return false;
  return true;
}

struct IconvCloser {
  void operator()(void* cd) const { iconv_close(static_cast<iconv_t>(cd)); }
};

std::optional<std::string> via_iconv(std::string_view in, const std::string& charset) {
  iconv_t cd = iconv_open("UTF-8", charset.c_str());
  if (cd == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  std::unique_ptr<void, IconvCloser> guard(cd);
  std::string out;
  out.resize(in.size() * 2 + 16);
  char* src = const_cast<char*>(in.data());  // iconv's signature; it does not write
  size_t src_left = in.size();
  size_t used = 0;
  while (true) {
    char* dst = out.data() + used;
    size_t dst_left = out.size() - used;
    size_t r = iconv(cd, src_left ? &src : nullptr, &src_left, &dst, &dst_left);
    used = size_t(dst - out.data());
    if (r != size_t(-1)) {
      if (src_left == 0) {
        // Flush any shift state (stateful encodings such as ISO-2022-JP).
        dst = out.data() + used;
        dst_left = out.size() - used;
        if (dst_left < 16) {
          out.resize(out.size() + 16);
          dst = out.data() + used;
          dst_left = out.size() - used;
        }
        iconv(cd, nullptr, nullptr, &dst, &dst_left);
        used = size_t(dst - out.data());
        break;
      }
      continue;
    }
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
    } else if (errno == EILSEQ || errno == EINVAL) {
      // Invalid or truncated input: one replacement character, skip a byte.
      out.resize(std::max(out.size(), used + 8));
      out.replace(used, 3, kReplacement);
      used += 3;
      ++src;
      --src_left;
      if (src_left == 0) break;
    } else {
      return std::nullopt;
    }
  }
  out.resize(used);
  return out;
}

}  // namespace

bool is_utf8(std::string_view s) { return utf8_valid(s); }

std::string to_utf8(std::string_view in, std::string_view charset) {
  std::string name = to_lower(trim(charset));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  if (detail::all_ascii(in) && ascii_compatible(name)) return std::string(in);
  if (name == "utf-8" || name == "utf8") return utf8_sanitize(in);
  if (name == "iso-8859-1" || name == "latin1" || name == "iso8859-1" || name == "l1")
    return from_single_byte(in, false);
  if (name == "windows-1252" || name == "cp1252") return from_single_byte(in, true);
  bool unknown = name.empty() || name == "us-ascii" || name == "ascii" || name == "unknown-8bit" ||
                 name == "x-unknown" || name == "default" || !plausible_charset(name);
  if (!unknown) {
    if (auto converted = via_iconv(in, iconv_name(name))) return std::move(*converted);
  }
  // Mislabelled 8-bit text: UTF-8 if it is valid UTF-8, else the usual Windows-1252.
  if (is_utf8(in)) return std::string(in);
  return from_single_byte(in, true);
}

std::string decoded_text(std::string_view raw, const Part& part) {
  std::string_view encoding = part.encoding ? std::string_view(*part.encoding) : "7bit";
  if (encoding == "base64" || encoding == "quoted-printable")
    return to_utf8(decode_transfer(part.body.in(raw), encoding), part.charset());
  return to_utf8(part.body.in(raw), part.charset());  // no intermediate copy
}

}  // namespace postern::mime
