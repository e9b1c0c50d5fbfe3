// SMTP reply rendering. Used by smtpd and lmtpd (as mail_owner).
#include "lib/smtp/reply.hpp"

namespace postern::smtp {

static std::string clean_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\r' || c == '\n') c = ' ';
  return out;
}

static void append_line(std::string& out, int code, char sep, std::string_view enhanced,
                        std::string_view text) {
  out += std::to_string(code);
  out += sep;
  if (!enhanced.empty()) {
    out += clean_line(enhanced);
    if (!text.empty()) out += ' ';
  }
  out += clean_line(text);
  out += "\r\n";
}

std::string Reply::wire() const { return format_reply(code, enhanced, {text}); }

std::string format_reply(int code, std::string_view enhanced, const std::vector<std::string>& lines) {
  std::string out;
  if (lines.empty()) {
    append_line(out, code, ' ', enhanced, "");
    return out;
  }
  for (size_t i = 0; i < lines.size(); ++i)
    append_line(out, code, i + 1 == lines.size() ? ' ' : '-', enhanced, lines[i]);
  return out;
}

std::string ehlo_reply(std::string_view hostname, const std::vector<std::string>& keywords) {
  std::vector<std::string> lines;
  lines.reserve(keywords.size() + 1);
  lines.emplace_back(hostname);
  lines.insert(lines.end(), keywords.begin(), keywords.end());
  return format_reply(250, "", lines);
}

Reply bare_lf_reply(int code, std::string_view myhostname) {
  return Reply{code, "5.5.2", std::string(myhostname) + " Error: bare <LF> received"};
}

}  // namespace postern::smtp
