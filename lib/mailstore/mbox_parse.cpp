// Splitting an mbox file into messages and reading what mutt and Dovecot
// wrote into their headers. Pure; runs in imapd's mail process.
#include "lib/mailstore/mbox_parse.hpp"

#include <strings.h>

#include <cstdlib>
#include <ctime>

#include "lib/base/strings.hpp"
#include "lib/mailbox/delivery_format.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

std::string_view header_block(std::string_view msg) {
  if (msg.starts_with("\n")) return msg.substr(0, 0);
  auto end = msg.find("\n\n");
  return end == std::string_view::npos ? msg : msg.substr(0, end + 1);
}

std::string_view header_value(std::string_view headers, std::string_view name) {
  size_t pos = 0;
  while (pos < headers.size()) {
    auto eol = headers.find('\n', pos);
    std::string_view line = headers.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.size() > name.size() && line[name.size()] == ':' &&
        strncasecmp(line.data(), name.data(), name.size()) == 0)
      return trim(line.substr(name.size() + 1));
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return {};
}

uint32_t leading_number(std::string_view s) {
  auto n = parse_long(s.substr(0, s.find(' ')));
  return n && *n > 0 && *n <= 0xFFFFFFFFLL ? uint32_t(*n) : 0;
}

// "From sender  Sun Nov 22 13:10:23 2026": the last five words.
int64_t from_line_date(std::string_view line) {
  auto words = split(line, " \t\r");
  if (words.size() < 7) return 0;
  size_t n = words.size();
  std::string text = words[n - 5] + " " + words[n - 4] + " " + words[n - 3] + " " + words[n - 2] + " " + words[n - 1];
  struct tm tm{};
  const char* end = ::strptime(text.c_str(), "%a %b %d %H:%M:%S %Y", &tm);
  if (!end || *end) return 0;
  tm.tm_isdst = -1;
  return int64_t(::mktime(&tm));
}

}  // namespace

std::optional<MboxContents> parse_mbox(std::string_view t) {
  MboxContents out;
  if (t.empty()) return out;
  if (!t.starts_with("From ")) return std::nullopt;
  size_t pos = 0;
  while (pos < t.size()) {
    size_t from = pos;
    size_t eol = t.find('\n', from);
    if (eol == std::string_view::npos) eol = t.size() - 1;
    size_t body = eol + 1;
    size_t next = body >= 1 ? t.find("\n\nFrom ", body - 1) : std::string_view::npos;
    size_t span_end = next == std::string_view::npos ? t.size() : next + 2;
    size_t content_end = next == std::string_view::npos ? t.size() : next + 1;
    if (next == std::string_view::npos && content_end > body + 1 && t.substr(content_end - 2, 2) == "\n\n")
      --content_end;
    if (content_end < body) content_end = body;
    std::string_view msg = t.substr(body, content_end - body);
    std::string_view headers = header_block(msg);
    MboxMessage m;
    m.from = from;
    m.body = body;
    m.length = msg.size();
    m.end = span_end;
    m.identity = md5_hex(std::string(t.substr(from, body - from)) + std::string(headers));
    m.date = from_line_date(t.substr(from, body - from));
    m.vsize = network_size(msg);
    std::string_view status = header_value(headers, "Status");
    std::string_view xstatus = header_value(headers, "X-Status");
    if (status.find('R') != std::string_view::npos) m.flags |= kSeen;
    if (xstatus.find('A') != std::string_view::npos) m.flags |= kAnswered;
    if (xstatus.find('F') != std::string_view::npos) m.flags |= kFlagged;
    if (xstatus.find('T') != std::string_view::npos) m.flags |= kDraft;
    if (xstatus.find('D') != std::string_view::npos) m.flags |= kDeleted;
    for (const auto& kw : split(header_value(headers, "X-Keywords"), " ,")) m.keywords.push_back(kw);
    m.x_uid = leading_number(header_value(headers, "X-UID"));
    if (out.messages.empty()) {
      auto base = split(header_value(headers, "X-IMAPbase"), " ");
      if (base.size() >= 2) {
        out.x_imapbase_uidvalidity = leading_number(base[0]);
        out.x_imapbase_nextuid = leading_number(base[1]);
      }
    }
    out.messages.push_back(std::move(m));
    pos = span_end;
  }
  return out;
}

std::string mbox_entry(std::string_view message, int64_t date, bool prefix_newline) {
  std::string out;
  if (prefix_newline) out += "\n";
  out += mailbox::from_line("MAILER-DAEMON", std::time_t(date));
  mailbox::LineConverter conv(true);
  conv.feed(message, out);
  conv.finish(out);
  out += "\n";
  return out;
}

}  // namespace postern::mailstore
