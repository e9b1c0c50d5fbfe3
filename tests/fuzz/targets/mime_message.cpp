// Fuzz target: a raw message through parse_message, ENVELOPE, BODY,
// BODYSTRUCTURE, BODY[section] and the SEARCH helpers. Nothing may crash,
// every range must lie inside the input, and every ENVELOPE/BODYSTRUCTURE
// must be one well-formed IMAP parenthesized list.
#include <stddef.h>
#include <stdint.h>

#include <string>
#include <string_view>

#include "lib/mime/body_structure.hpp"
#include "lib/mime/date.hpp"
#include "lib/mime/decode.hpp"
#include "lib/mime/envelope.hpp"
#include "lib/mime/header_fields.hpp"
#include "lib/mime/section.hpp"
#include "lib/mime/text_search.hpp"

namespace {

using namespace postern::mime;

// Consumes one IMAP value (atom/number/NIL, quoted, literal or list) at `pos`.
bool skip_value(std::string_view s, size_t& pos, int depth) {
  if (pos >= s.size() || depth > 1000) return false;
  char c = s[pos];
  if (c == '(') {
    ++pos;
    bool first = true;
    while (pos < s.size() && s[pos] != ')') {
      if (!first && s[pos] == ' ') ++pos;
      if (!skip_value(s, pos, depth + 1)) return false;
      first = false;
    }
    if (pos >= s.size()) return false;
    ++pos;
    return true;
  }
  if (c == '"') {
    ++pos;
    while (pos < s.size() && s[pos] != '"') {
      unsigned char u = static_cast<unsigned char>(s[pos]);
      if (u == 0 || u == '\r' || u == '\n' || u >= 0x80) return false;
      if (s[pos] == '\\') ++pos;
      ++pos;
    }
    if (pos >= s.size()) return false;
    ++pos;
    return true;
  }
  if (c == '{') {
    size_t close = s.find("}\r\n", pos);
    if (close == std::string_view::npos) return false;
    size_t n = std::stoul(std::string(s.substr(pos + 1, close - pos - 1)));
    pos = close + 3;
    if (s.size() - pos < n) return false;
    for (size_t i = 0; i < n; ++i)
      if (s[pos + i] == '\0') return false;
    pos += n;
    return true;
  }
  size_t start = pos;
  while (pos < s.size() && s[pos] != ' ' && s[pos] != ')' && s[pos] != '(') ++pos;
  std::string_view atom = s.substr(start, pos - start);
  if (atom == "NIL") return true;
  if (atom.empty()) return false;
  for (char d : atom)
    if (d < '0' || d > '9') return false;
  return true;
}

void check_list(std::string_view s) {
  size_t pos = 0;
  if (s.empty() || s[0] != '(' || !skip_value(s, pos, 0) || pos != s.size()) __builtin_trap();
}

void walk(std::string_view raw, const Part& part, unsigned depth) {
  if (part.header.end() > raw.size() || part.body.end() > raw.size()) __builtin_trap();
  if (part.header.end() != part.body.offset) __builtin_trap();
  if (depth > kMaxNesting + 1) __builtin_trap();
  if (part.is_message_rfc822() && !part.children.empty()) check_list(envelope(raw, part.children.front()));
  for (const auto& child : part.children) walk(raw, child, depth + 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view raw(reinterpret_cast<const char*>(data), size);
  Part message = parse_message(raw);
  walk(raw, message, 0);
  check_list(envelope(raw, message));
  check_list(body_structure(raw, message, false));
  check_list(body_structure(raw, message, true));

  // Sections along a path taken from the input's first bytes.
  std::vector<unsigned> path;
  for (size_t i = 0; i < size && i < 4; ++i) {
    path.push_back(1 + data[i] % 3);
    for (auto kind : {Section::Kind::all, Section::Kind::header, Section::Kind::header_fields,
                      Section::Kind::header_fields_not, Section::Kind::text, Section::Kind::mime}) {
      Section s{path, kind, {"from", "subject"}};
      auto out = fetch_section(raw, message, s);
      if (out && kind != Section::Kind::header_fields && kind != Section::Kind::header_fields_not &&
          out->size() > raw.size())
        __builtin_trap();
    }
  }

  for_each_field(message.header.in(raw), [&](const HeaderField& f) {
    std::string decoded = decode_header(f.value);
    if (!is_utf8(decoded)) __builtin_trap();
    (void)parse_rfc5322_date(f.value);
    return true;
  });
  Needle needle("\xc3\xa9t\xc3\xa9");
  (void)header_contains(raw, message, "subject", needle);
  (void)text_contains(raw, message, needle);
  return 0;
}
