// Dot-stuffing encoder. Runs in the smtp and lmtp clients (as mail_owner).
#include "lib/smtp/dot_stuff.hpp"

namespace postern::smtp {

void DotStuffer::feed(std::string_view content, std::string& out) {
  for (char c : content) {
    if (pending_cr_) {
      pending_cr_ = false;
      out += "\r\n";
      at_line_start_ = true;
      if (c == '\n') continue;  // that <CR> was half of a <CR><LF>
    }
    if (c == '\r') {
      pending_cr_ = true;
    } else if (c == '\n') {
      out += "\r\n";
      at_line_start_ = true;
    } else {
      if (at_line_start_ && c == '.') out += '.';
      out += c;
      at_line_start_ = false;
    }
  }
}

void DotStuffer::finish(std::string& out) {
  if (pending_cr_) {
    out += "\r\n";
    pending_cr_ = false;
    at_line_start_ = true;
  }
  if (!at_line_start_) out += "\r\n";
  out += ".\r\n";
  at_line_start_ = true;
}

std::string dot_stuff(std::string_view content) {
  std::string out;
  out.reserve(content.size() + content.size() / 64 + 8);
  DotStuffer stuffer;
  stuffer.feed(content, out);
  stuffer.finish(out);
  return out;
}

}  // namespace postern::smtp
