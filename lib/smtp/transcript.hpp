// The transcript of one SMTP conversation, for notify_classes notices to the
// postmaster: "In:  EHLO client" / "Out: 250 ..." lines, as Postfix writes
// them. Bounded (a session that talks for hours keeps its first and last
// lines and counts the rest), printable ASCII only, and never a secret: AUTH
// initial responses and SASL exchange lines are replaced. Pure; used by smtpd
// (mail_owner) and usable by the smtp client.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtp {

class Transcript {
 public:
  // `max_lines` bounds what is kept (half from the start, half from the
  // end); `max_line` bounds one line (longer ones are cut and marked).
  explicit Transcript(std::size_t max_lines = 1000, std::size_t max_line = 998);

  // A command line from the client (without CRLF). "AUTH mech response"
  // keeps the mechanism only.
  void client_line(std::string_view line);
  // A line of a SASL exchange from the client: never kept as sent.
  void client_secret();
  // One or more reply lines as sent ("250-a\r\n250 b\r\n"); a text without
  // line ends is one line.
  void server_text(std::string_view wire);

  // Every line in order; "... N lines omitted ..." where the middle was dropped.
  std::vector<std::string> lines() const;
  // Lines recorded since the last clear(), kept or not.
  std::size_t size() const { return total_; }
  bool empty() const { return total_ == 0; }
  void clear();

  static constexpr std::string_view kHidden = "(hidden)";

 private:
  void add(std::string_view prefix, std::string_view text);

  std::size_t head_limit_, tail_limit_, max_line_;
  std::vector<std::string> head_;
  std::deque<std::string> tail_;
  std::size_t total_ = 0;
  std::size_t omitted_ = 0;
};

}  // namespace postern::smtp
