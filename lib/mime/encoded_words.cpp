// RFC 2047 encoded words in header values, decoded to UTF-8 for SEARCH.
// Lenient like common mail readers: words are recognised anywhere (not
// only between white space), adjacent words of one charset are joined
// before conversion (a multi-byte character may be split across two), and
// anything malformed is left as written. Pure.
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/mime/bytes.hpp"
#include "lib/mime/decode.hpp"

namespace postern::mime {

namespace {

struct EncodedWord {
  size_t end = 0;       // offset after "?="
  std::string charset;  // lower-case, RFC 2231 "*lang" removed
  std::string bytes;    // decoded octets in `charset`
};

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string decode_q(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(char(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool is_word_char(char c) { return static_cast<unsigned char>(c) > 32 && c != 127 && c != '?'; }

// "=?charset?e?text?=" at `pos` (which holds "=?").
std::optional<EncodedWord> parse_word(std::string_view s, size_t pos) {
  size_t p = pos + 2;
  size_t cs_start = p;
  while (p < s.size() && is_word_char(s[p])) ++p;
  if (p == cs_start || p >= s.size() || s[p] != '?') return std::nullopt;
  std::string_view charset = s.substr(cs_start, p - cs_start);
  ++p;
  if (p + 1 >= s.size() || s[p + 1] != '?') return std::nullopt;
  char enc = s[p];
  if (enc != 'b' && enc != 'B' && enc != 'q' && enc != 'Q') return std::nullopt;
  p += 2;
  size_t text_start = p;
  // Encoded text holds no white space or '?'; "?=" ends it.
  while (p < s.size() && s[p] != '?' && static_cast<unsigned char>(s[p]) > 32 && s[p] != 127) ++p;
  if (p + 1 >= s.size() || s[p] != '?' || s[p + 1] != '=') return std::nullopt;
  std::string_view text = s.substr(text_start, p - text_start);
  EncodedWord w;
  w.end = p + 2;
  size_t star = charset.find('*');
  w.charset = to_lower(charset.substr(0, star));
  w.bytes = (enc == 'b' || enc == 'B') ? decode_base64(text) : decode_q(text);
  return w;
}

}  // namespace

std::string decode_header(std::string_view value) {
  // Unfold: line breaks go, the white space after them stays.
  std::string v;
  v.reserve(value.size());
  for (char c : value)
    if (c != '\r' && c != '\n') v.push_back(c);
  std::string_view s = trim(v);

  std::string out;
  out.reserve(s.size());
  std::string pending_bytes;  // decoded words not yet converted
  std::string pending_charset;
  auto flush = [&] {
    if (!pending_bytes.empty() || !pending_charset.empty()) out += to_utf8(pending_bytes, pending_charset);
    pending_bytes.clear();
    pending_charset.clear();
  };
  size_t plain_start = 0;  // start of text not yet copied
  size_t pos = 0;
  bool last_was_word = false;
  while (true) {
    size_t at = detail::find_bytes(s, "=?", pos);
    if (at == std::string_view::npos) break;
    auto word = parse_word(s, at);
    if (!word) {
      pos = at + 1;
      continue;
    }
    std::string_view between = s.substr(plain_start, at - plain_start);
    bool only_space = between.find_first_not_of(" \t") == std::string_view::npos;
    if (!(last_was_word && only_space)) {
      // Text between words (or before the first) is kept; space between two words is not.
      flush();
      out += to_utf8(between, "");
    } else if (word->charset != pending_charset) {
      flush();
    }
    pending_charset = word->charset;
    pending_bytes += word->bytes;
    last_was_word = true;
    plain_start = pos = word->end;
  }
  flush();
  out += to_utf8(s.substr(plain_start), "");
  return out;
}

}  // namespace postern::mime
