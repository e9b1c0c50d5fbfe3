// The client side of SMTP/LMTP replies: assembling multi-line replies from
// the server's lines, and what an EHLO/LHLO reply offers. Pure; used by the
// smtp/lmtp delivery agent (mail_owner).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

struct ServerReply {
  int code = 0;
  std::vector<std::string> lines;  // text after "250-" / "250 ", one per line

  // The RFC 3463 code at the start of the first line ("5.1.1"), or "".
  std::string enhanced() const;
  // "550 5.1.1 <u@d>: Recipient address rejected" (lines joined by spaces),
  // as Postfix shows a remote reply in logs and bounces.
  std::string flat() const;
  bool positive() const { return code >= 200 && code < 400; }
  bool transient() const { return code >= 400 && code < 500; }
};

// Feeds one line at a time (without CR LF). A reply is complete at a line
// "ddd text" or "ddd"; "ddd-text" continues it. A line that is not a reply
// line, a code that changes mid-reply, or more than max_lines is an error.
class ReplyAssembler {
 public:
  explicit ReplyAssembler(std::size_t max_lines = 1000) : max_lines_(max_lines) {}
  enum class Step { more, done, error };
  Step feed(std::string_view line);
  // After done: the reply (the assembler is ready for the next one).
  ServerReply take();
  const std::string& error() const { return error_; }

 private:
  std::size_t max_lines_;
  ServerReply current_;
  std::string error_;
};

struct EhloFeatures {
  bool pipelining = false;
  bool eightbitmime = false;
  bool dsn = false;
  bool starttls = false;
  bool smtputf8 = false;
  std::optional<std::uint64_t> size;  // SIZE n; nullopt: not announced; 0: no limit
  std::vector<std::string> auth;      // upper-case mechanism names
};

// The keywords of an EHLO/LHLO reply (every line but the first).
EhloFeatures parse_ehlo(const ServerReply& reply);

// A dotted enhanced status code to fall back on for a reply without one
// (Postfix: 2.0.0, 4.0.0, 5.0.0 by the reply's class).
std::string default_enhanced(int code);

}  // namespace postern::smtp
