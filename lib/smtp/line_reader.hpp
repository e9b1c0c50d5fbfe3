// Bounded command-line reader: splits a byte stream into lines at <LF> and
// never buffers more than the limit, so a client that never sends a newline
// costs us at most max_length bytes. Used by smtpd and lmtpd (as mail_owner).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp {

struct Line {
  std::string text;      // without the line ending; truncated to the limit when too_long
  bool too_long = false; // the line exceeded max_length; the excess was discarded
  bool bare_lf = false;  // ended in <LF> without <CR> (smtpd_forbid_bare_newline decides)
  bool bare_cr = false;  // contained a <CR> not followed by <LF>
};

class LineReader {
 public:
  // RFC 5321 4.5.3.1.4: a command line is at most 512 octets including <CR><LF>.
  // Postfix accepts up to line_length_limit (2048); smtpd passes what it wants.
  explicit LineReader(size_t max_length = 512) : max_(max_length) {}

  struct Step {
    size_t consumed = 0;        // bytes of `input` used; the caller drops them
    std::optional<Line> line;   // set when a line ended within those bytes
  };

  // Consumes input up to and including the first <LF>. Bytes after that <LF>
  // are left to the caller (they may be pipelined commands or DATA content).
  Step feed(std::string_view input);

  // Bytes held for a line not yet ended.
  size_t pending() const { return partial_.size(); }
  void reset();

 private:
  size_t max_;
  void store(char c);

  std::string partial_;
  size_t length_ = 0;        // bytes of the current line, including discarded ones
  bool pending_cr_ = false;  // last byte was <CR>; an <LF> next makes it a line ending
  bool bare_cr_ = false;
};

}  // namespace postern::smtp
