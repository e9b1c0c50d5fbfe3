// Incremental IMAP command framing (RFC 3501 section 9, RFC 7888 LITERAL+):
// bytes in, complete Commands out. Handles synchronizing literals {n} (the
// caller sends the "+" continuation), non-synchronizing literals {n+}, and
// bounds every buffer: line length, literal size, total command size and
// parenthesis depth. Never blocks and never throws on client input. Runs in
// imapd's pre-login and mail processes (unprivileged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "lib/imap/command.hpp"

namespace postern::imap {

struct ReaderLimits {
  size_t max_line = 65536;                  // one line between literals, CRLF excluded (Dovecot: imap_max_line_length)
  size_t max_literal = 64 * 1024 * 1024;    // one literal of APPEND (the message)
  size_t max_command = 65 * 1024 * 1024;    // one APPEND command, literals included
  size_t max_other_command = 1024 * 1024;   // any other command (LOGIN, SEARCH, ...), literals included;
                                            // never more than max_command
  size_t max_depth = 32;                    // nested parenthesized lists
};

// A synchronizing literal {n} was announced. The caller sends "+ OK" (or
// calls reject_literal() and answers the command itself) and feeds on.
struct LiteralWanted {
  size_t size = 0;
};

// The command (or what was framed of it) is broken.
struct ReadError {
  std::string tag;   // the client's tag, or "*" when none could be read
  std::string text;  // human text for "<tag> BAD <text>" (or "* BYE <text>" when close)
  bool close = false;  // the stream cannot be resynchronized: send BYE and disconnect
};

// expect_line() mode: one raw line (AUTHENTICATE responses, IDLE's DONE).
struct RawLine {
  std::string text;  // without CRLF
  bool too_long = false;
};

class CommandReader {
 public:
  explicit CommandReader(ReaderLimits limits = {});

  using Outcome = std::variant<std::monostate, Command, LiteralWanted, ReadError, RawLine>;
  struct Step {
    size_t consumed = 0;  // bytes of `input` used; the caller drops them
    Outcome outcome;      // monostate: need more input
  };

  // Consumes input up to the end of one command (or one outcome); bytes after
  // that are left to the caller (pipelined commands, or TLS after STARTTLS).
  // Always consumes at least one byte of non-empty input unless an outcome is
  // returned.
  Step feed(std::string_view input);

  // The part of the pending command framed so far (tag, name, top-level args
  // before the announced literal) — e.g. to answer APPEND with NO [TRYCREATE]
  // instead of accepting a literal for a missing mailbox.
  const Command& partial() const { return cmd_; }

  // After LiteralWanted: the caller refused the literal (and replied itself);
  // the reader starts over with the next command.
  void reject_literal();

  // The next outcome is the next line as a RawLine, bounded by max_line.
  void expect_line() { want_raw_line_ = true; }

  // Octets the pending command holds: its lines and announced literals so
  // far plus the line being read. Bounded by max_command + max_line + 1.
  size_t buffered() const { return command_bytes_ + line_.size(); }
  void reset();
  // New limits from the next line on (e.g. larger ones after login).
  void set_limits(const ReaderLimits& limits) { limits_ = limits; }

 private:
  enum class State { line, literal, skip_line, skip_literal };

  Step feed_line(std::string_view input, bool skipping);
  Step feed_literal(std::string_view input);
  Step feed_skip_literal(std::string_view input);
  Outcome end_of_line();
  Outcome end_of_skipped_line();
  Outcome start_literal();
  Outcome finish_literal_bytes();
  Outcome fail(std::string text, bool close = false);
  Outcome fail_with_marker(std::string text, std::string_view line_end);
  Outcome complete();
  std::optional<std::string> tokenize(std::string_view line);
  std::optional<std::string> push_arg(Arg arg);
  std::string current_tag() const;
  size_t command_limit() const;

  ReaderLimits limits_;
  State state_ = State::line;
  bool want_raw_line_ = false;
  std::string line_;         // the line being read (CR kept, LF not)
  size_t line_length_ = 0;   // including bytes dropped past max_line
  bool line_too_long_ = false;
  std::string tail_;         // last bytes of a discarded line: finds a {n+} at its end
  std::string literal_;
  size_t literal_size_ = 0;
  bool literal_announced_ = false;
  bool literal_non_sync_ = false;
  size_t skip_left_ = 0;     // octets of a {n+} literal still to discard
  std::string pending_error_;
  size_t command_bytes_ = 0;
  Command cmd_;
  std::vector<std::vector<Arg>> stack_;  // open parenthesized lists
  bool have_tag_ = false;
  bool expect_uid_name_ = false;
  bool need_separator_ = false;  // a literal just ended: SP, ")" or CRLF must follow
};

}  // namespace postern::imap
