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

// The headers we write ourselves (Status, X-Status, X-Keywords), so they
// stay out of a message's identity: rewriting them keeps its UID.
bool is_flag_header(std::string_view line) {
  for (std::string_view name : {"Status:", "X-Status:", "X-Keywords:"})
    if (line.size() >= name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0) return true;
  return false;
}

// The header block without our flag headers (and their continuation lines).
std::string identity_headers(std::string_view headers) {
  std::string out;
  out.reserve(headers.size());
  bool skipping = false;
  size_t pos = 0;
  while (pos < headers.size()) {
    auto eol = headers.find('\n', pos);
    size_t next = eol == std::string_view::npos ? headers.size() : eol + 1;
    std::string_view line = headers.substr(pos, next - pos);
    bool continuation = line.starts_with(" ") || line.starts_with("\t");
    if (!continuation) skipping = is_flag_header(line);
    if (!skipping) out += line;
    pos = next;
  }
  return out;
}

bool is_month(std::string_view w) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (const char* m : kMonths)
    if (w.size() == 3 && strncasecmp(w.data(), m, 3) == 0) return true;
  return false;
}

bool is_clock(std::string_view w) {  // hh:mm or hh:mm:ss
  auto colon = w.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || w.size() < colon + 3) return false;
  for (char c : w)
    if (c != ':' && (c < '0' || c > '9')) return false;
  return true;
}

}  // namespace

bool plausible_from_line(std::string_view line) {
  if (!line.starts_with("From ")) return false;
  auto words = split(line.substr(5), " \t\r");
  // RFC 4155: a sender, then a date ("Sun Nov 22 13:10:23 2026", maybe with
  // a zone): a month name and a time of day among the words that follow.
  if (words.size() < 3) return false;
  bool month = false, clock = false;
  for (size_t i = 1; i < words.size(); ++i) {
    month = month || is_month(words[i]);
    clock = clock || is_clock(words[i]);
  }
  return month && clock;
}

size_t find_mbox_separator(std::string_view t, size_t from) {
  for (;;) {
    size_t next = t.find("\n\nFrom ", from);
    if (next == std::string_view::npos) return next;
    auto eol = t.find('\n', next + 2);
    if (plausible_from_line(t.substr(next + 2, eol == std::string_view::npos ? std::string_view::npos : eol - next - 2)))
      return next;
    from = next + 1;
  }
}

Flags flags_from_headers(std::string_view status, std::string_view xstatus) {
  Flags f = 0;
  if (status.find('R') != std::string_view::npos) f |= kSeen;
  if (xstatus.find('A') != std::string_view::npos) f |= kAnswered;
  if (xstatus.find('F') != std::string_view::npos) f |= kFlagged;
  if (xstatus.find('T') != std::string_view::npos) f |= kDraft;
  if (xstatus.find('D') != std::string_view::npos) f |= kDeleted;
  return f;
}

std::string mbox_entry_with_flags(std::string_view entry, Flags flags, const std::vector<std::string>& keywords) {
  auto from_end = entry.find('\n');
  if (from_end == std::string_view::npos) return std::string(entry);
  size_t headers_start = from_end + 1;
  size_t headers_end;  // where the empty line that ends the header block starts
  if (entry.substr(headers_start).starts_with("\n")) {
    headers_end = headers_start;
  } else {
    auto blank = entry.find("\n\n", headers_start);
    if (blank == std::string_view::npos) return std::string(entry);  // nowhere safe to put them
    headers_end = blank + 1;
  }
  std::string out(entry.substr(0, headers_start));
  bool skipping = false;
  size_t pos = headers_start;
  while (pos < headers_end) {
    size_t next = entry.find('\n', pos) + 1;
    std::string_view line = entry.substr(pos, next - pos);
    bool continuation = line.starts_with(" ") || line.starts_with("\t");
    if (!continuation) skipping = is_flag_header(line);
    if (!skipping) out += line;
    pos = next;
  }
  // Dovecot's and mutt's letters: R read, O old (a client has seen it
  // arrive); A answered, F flagged, T draft, D deleted.
  out += (flags & kSeen) ? "Status: RO\n" : "Status: O\n";
  std::string x;
  if (flags & kAnswered) x += 'A';
  if (flags & kFlagged) x += 'F';
  if (flags & kDraft) x += 'T';
  if (flags & kDeleted) x += 'D';
  if (!x.empty()) out += "X-Status: " + x + "\n";
  if (!keywords.empty()) out += "X-Keywords: " + join(keywords, " ") + "\n";
  out += entry.substr(headers_end);
  return out;
}

std::string without_flag_headers(std::string_view message) {
  std::string_view headers = header_block(message);
  return identity_headers(headers) + std::string(message.substr(headers.size()));
}

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
    size_t next = body >= 1 ? find_mbox_separator(t, body - 1) : std::string_view::npos;
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
    m.identity = md5_hex(std::string(t.substr(from, body - from)) + identity_headers(headers));
    m.date = from_line_date(t.substr(from, body - from));
    std::string shown_headers = identity_headers(headers);
    m.vsize = network_size(shown_headers) + network_size(msg.substr(headers.size()));
    m.flags = flags_from_headers(header_value(headers, "Status"), header_value(headers, "X-Status"));
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
