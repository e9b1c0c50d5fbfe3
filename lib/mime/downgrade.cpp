// 8BITMIME to 7BIT conversion (see downgrade.hpp). Runs in smtp/lmtp
// (mail_owner).
#include "lib/mime/downgrade.hpp"

#include <algorithm>

#include "lib/mime/header_fields.hpp"
#include "lib/mime/part.hpp"

namespace postern::mime {

namespace {

constexpr std::size_t kMaxQpLine = 76;
constexpr std::size_t kMaxSmtpLine = 998;

bool has_long_line(std::string_view text) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end - start > kMaxSmtpLine + 1) return true;  // +1: a CR before the LF
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  return false;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}

// The header block without its Content-Transfer-Encoding fields, with
// `extra` (a complete field line, or "") added before the empty line that
// ends it. `line_end` is the message's line break style.
std::string rewrite_header(std::string_view header, const std::string& extra, std::string_view line_end) {
  std::string out;
  std::size_t copied = 0;
  std::size_t fields_end = 0;
  for (const HeaderField& f : header_fields(header)) {
    const auto start = static_cast<std::size_t>(f.raw.data() - header.data());
    fields_end = start + f.raw.size();
    if (!iequals(f.name, "Content-Transfer-Encoding")) continue;
    out.append(header.substr(copied, start - copied));
    copied = fields_end;
  }
  // Keep everything up to the last field, then the new field, then the rest
  // (the empty line, or nothing for a header with no end).
  fields_end = std::max(fields_end, copied);
  out.append(header.substr(copied, fields_end - copied));
  if (!extra.empty()) {
    if (!out.empty() && out.back() != '\n') out.append(line_end);
    out.append(extra);
  }
  out.append(header.substr(fields_end));
  return out;
}

class Downgrader {
 public:
  explicit Downgrader(std::string_view raw) : raw_(raw) {
    line_end_ = raw.find("\r\n") != std::string_view::npos || raw.find('\n') == std::string_view::npos ? "\r\n" : "\n";
  }

  std::string convert(const Part& top) {
    std::string out;
    emit(top, true, out);
    return out;
  }
  bool changed() const { return changed_; }

 private:
  void emit(const Part& part, bool top, std::string& out) {
    std::string_view header = part.header.in(raw_);
    std::string_view body = part.body.in(raw_);
    const std::string encoding = part.encoding.value_or("");
    if (part.is_multipart() || (part.type == "message" && !part.children.empty())) {
      // A composite part is never encoded (RFC 2045 6.4); its 8bit label
      // becomes 7bit once its parts are.
      if (encoding == "8bit" || encoding == "binary") {
        out.append(rewrite_header(header, "Content-Transfer-Encoding: 7bit" + line_end_, line_end_));
        changed_ = true;
      } else {
        out.append(header);
      }
      std::size_t pos = part.body.offset;
      for (const Part& child : part.children) {
        if (child.header.offset < pos) continue;  // never for a well-formed tree
        out.append(raw_.substr(pos, child.header.offset - pos));
        emit(child, false, out);
        pos = child.body.end();
      }
      if (part.body.end() > pos) out.append(raw_.substr(pos, part.body.end() - pos));
      return;
    }
    const bool convertible = encoding.empty() || encoding == "7bit" || encoding == "8bit" || encoding == "binary";
    if (!convertible || (!has_8bit(body) && !has_long_line(body))) {
      out.append(header);
      out.append(body);
      return;
    }
    std::string extra = "Content-Transfer-Encoding: quoted-printable" + line_end_;
    // A message without MIME header fields becomes a MIME message.
    if (top && !find_field(header, "MIME-Version")) extra = "MIME-Version: 1.0" + line_end_ + extra;
    out.append(rewrite_header(header, extra, line_end_));
    std::string encoded = encode_quoted_printable(body);
    if (line_end_ == "\n") encoded.erase(std::remove(encoded.begin(), encoded.end(), '\r'), encoded.end());
    out.append(encoded);
    changed_ = true;
  }

  std::string_view raw_;
  std::string line_end_;
  bool changed_ = false;
};

}  // namespace

bool has_8bit(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0x80) != 0; });
}

std::string encode_quoted_printable(std::string_view body) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(body.size() + body.size() / 8);
  std::size_t line_length = 0;
  auto put = [&](std::string_view token) {
    if (line_length + token.size() > kMaxQpLine - 1) {  // room for the soft break "="
      out.append("=\r\n");
      line_length = 0;
    }
    out.append(token);
    line_length += token.size();
  };
  for (std::size_t i = 0; i < body.size(); ++i) {
    const auto c = static_cast<unsigned char>(body[i]);
    if (c == '\n' || (c == '\r' && i + 1 < body.size() && body[i + 1] == '\n')) {
      if (c == '\r') ++i;
      out.append("\r\n");
      line_length = 0;
      continue;
    }
    const bool at_line_end = i + 1 == body.size() || body[i + 1] == '\n' ||
                             (body[i + 1] == '\r' && i + 2 < body.size() && body[i + 2] == '\n');
    const bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_line_end);
    if (literal) {
      const char ch = static_cast<char>(c);
      put(std::string_view(&ch, 1));
    } else {
      const char escape[3] = {'=', kHex[c >> 4], kHex[c & 15]};
      put(std::string_view(escape, 3));
    }
  }
  return out;
}

std::optional<std::string> downgrade_to_7bit(std::string_view raw) {
  Part top = parse_message(raw);
  Downgrader d(raw);
  std::string out = d.convert(top);
  if (!d.changed()) return std::nullopt;
  return out;
}

}  // namespace postern::mime
