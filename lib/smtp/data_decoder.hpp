// The DATA content decoder: a byte-stream state machine that removes dot-
// stuffing and finds the end of data only at <CR><LF>.<CR><LF> (SMTP smuggling
// defence, as Postfix 3.9's smtpd_forbid_bare_newline). Input may arrive one
// byte at a time or in huge chunks; the result is the same. Used by smtpd and
// lmtpd (as mail_owner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace postern::smtp {

struct DataOptions {
  // message_size_limit in bytes of decoded content; 0 = unlimited. Past it the
  // decoder stops producing output but keeps reading to the end of data, so
  // smtpd can answer "552 5.3.4 Message size exceeds fixed limit" in step.
  std::uint64_t message_size_limit = 0;
  // A text line longer than this (without its ending) is counted in
  // long_lines(). RFC 5321 4.5.3.1.6: 998 + <CR><LF>.
  std::size_t max_line_length = 998;
  // Write a bare <LF> as <CR><LF> (smtpd_forbid_bare_newline = normalize).
  // Off: the <LF> is kept as received.
  bool normalize_bare_lf = true;
};

class DataDecoder {
 public:
  explicit DataDecoder(const DataOptions& options = {}) : options_(options) {}

  struct Step {
    std::size_t consumed = 0;  // bytes of input used; bytes after the end of data are not consumed
    bool done = false;         // the terminating <CR><LF>.<CR><LF> was seen
  };

  // Decodes input, appending content to `out` (lines end in <CR><LF>, a bare
  // <CR> is kept). Call again with more input until done; the caller keeps
  // input[consumed..] (pipelined commands after the end of data).
  Step feed(std::string_view input, std::string& out);

  bool done() const { return state_ == State::done; }
  bool bare_lf() const { return bare_lf_; }      // smtpd rejects or normalizes per smtpd_forbid_bare_newline
  bool bare_cr() const { return bare_cr_; }
  bool size_exceeded() const { return size_exceeded_; }
  std::uint64_t size() const { return size_; }   // decoded bytes, counted even past the limit
  std::size_t longest_line() const { return longest_; }
  std::uint64_t long_lines() const { return long_lines_; }

  // Ready for the next message, same options.
  void reset();

 private:
  // Where we are relative to line starts. Only a line start reached through
  // <CR><LF> (or the start of data, which follows the DATA command's <CR><LF>)
  // may begin the terminator; one reached through a bare <LF> may not.
  enum class State {
    bol_crlf,    // at a line start after <CR><LF>
    bol_lf,      // at a line start after a bare <LF>
    dot_crlf,    // "." at a line start after <CR><LF>
    dot_lf,      // "." at a line start after a bare <LF>
    dot_cr_crlf, // ".<CR>" after <CR><LF>: an <LF> now ends the data
    dot_cr_lf,   // ".<CR>" after a bare <LF>: an <LF> now is just a line
    text,        // inside a line
    text_cr,     // inside a line, after a <CR> whose meaning depends on the next byte
    done,
  };

  void text_byte(char c, std::string& out);
  void emit(std::string_view bytes, std::string& out);
  void end_line(bool crlf, std::string& out);

  DataOptions options_;
  State state_ = State::bol_crlf;
  bool bare_lf_ = false;
  bool bare_cr_ = false;
  bool size_exceeded_ = false;
  std::uint64_t size_ = 0;
  std::size_t line_length_ = 0;
  std::size_t longest_ = 0;
  std::uint64_t long_lines_ = 0;
};

}  // namespace postern::smtp
