// Dot-stuffing for the client side of SMTP/LMTP DATA (RFC 5321 4.5.2): used by
// the smtp and lmtp delivery agents (as mail_owner) when sending a queue file.
#pragma once

#include <string>
#include <string_view>

namespace postern::smtp {

// Streams content into wire form. Every line ending becomes <CR><LF>: a bare
// <LF> or bare <CR> is sent as <CR><LF> (RFC 5321 2.3.8 forbids sending them,
// and a lenient receiver could take "<CR>.<CR><LF>" for the end of data).
// A line starting with "." gets one more ".". Content may come in any pieces.
class DotStuffer {
 public:
  void feed(std::string_view content, std::string& out);
  // Ends the last line if it had no ending, then appends ".<CR><LF>".
  void finish(std::string& out);

 private:
  bool at_line_start_ = true;
  bool pending_cr_ = false;
};

// Whole-message convenience: stuffed content plus the terminator.
std::string dot_stuff(std::string_view content);

}  // namespace postern::smtp
