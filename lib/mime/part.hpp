// The MIME structure of one message (RFC 5322, RFC 2045/2046) as a tree of
// offsets into the raw bytes the caller keeps alive. Pure: no I/O, runs in
// imapd's mail process as the mailbox owner. Parsing never fails: missing or
// unterminated boundaries, broken header fields and absurd nesting give a
// best-effort tree, never an error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::mime {

// Bytes [offset, offset + length) of the raw message.
struct Range {
  size_t offset = 0;
  size_t length = 0;
  std::string_view in(std::string_view raw) const { return raw.substr(offset, length); }
  size_t end() const { return offset + length; }
};

// One Content-Type / Content-Disposition parameter. `name` is lower-case;
// `value` is unquoted. RFC 2231 continuations (name*0, name*1*, ...) are
// merged into one parameter; if any piece was extended the merged name ends
// in '*' and the value keeps its charset'lang'%XX form, as clients expect.
struct Param {
  std::string name;
  std::string value;
};

// Caps that keep hostile messages cheap (like Dovecot's mime part limits).
inline constexpr unsigned kMaxNesting = 100;  // multipart/message levels below the top
inline constexpr size_t kMaxParts = 10000;    // parts in one message, all levels

struct Part {
  // The header fields including the empty line that ends them (just that
  // line when the part has no fields; everything when no empty line follows).
  Range header;
  // The body: after the header's empty line up to (not including) the line
  // break before the next boundary delimiter line, or to the end.
  Range body;
  // Lines in the body (an unterminated last line counts); computed for
  // text/* and message/* parts only, 0 for the others.
  size_t body_lines = 0;

  // Lower-case; "text"/"plain" when absent or invalid ("message"/"rfc822"
  // for children of multipart/digest).
  std::string type = "text";
  std::string subtype = "plain";
  std::vector<Param> params;      // from Content-Type, in order
  bool has_content_type = false;  // a valid Content-Type field was present

  // Unfolded field values, trimmed; nullopt when the field is absent.
  std::optional<std::string> id;           // Content-ID
  std::optional<std::string> description;  // Content-Description (raw, not RFC 2047-decoded)
  std::optional<std::string> encoding;     // Content-Transfer-Encoding, lower-case
  std::optional<std::string> md5;          // Content-MD5
  std::optional<std::string> disposition;  // Content-Disposition type, lower-case
  std::vector<Param> disposition_params;
  std::vector<std::string> languages;   // Content-Language tags
  std::optional<std::string> location;  // Content-Location (unfolded, spaces removed)

  // multipart/*: one child per body part (may be empty if no delimiter
  // line was found). message/rfc822: exactly one child, the embedded
  // message, whose header/body ranges cover the embedded message.
  std::vector<Part> children;

  bool is_multipart() const { return type == "multipart"; }
  bool is_message_rfc822() const { return type == "message" && subtype == "rfc822"; }
  // The value of a Content-Type parameter (first match, name lower-case).
  std::optional<std::string_view> param(std::string_view name) const;
  // "us-ascii" when not given; lower-case.
  std::string charset() const;
};

// Parses the whole message. `raw` should use CRLF line ends (as IMAP sizes
// count CRLF); bare LF is accepted everywhere too. The tree refers to `raw`
// by offset only.
Part parse_message(std::string_view raw);

}  // namespace postern::mime
