// Header fix-ups (see headers.hpp). Pure string work; part of lib/cleanup in
// smtpd and pickup, as mail_owner.
#include "lib/cleanup/headers.hpp"

#include <strings.h>

#include <cctype>

namespace postern::cleanup {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

bool has_header(const std::vector<Header>& headers, std::string_view name) {
  for (const auto& h : headers)
    if (h.is(name)) return true;
  return false;
}

// RFC 5322 display name: quoted when it holds specials.
std::string display_name(std::string_view name) {
  bool plain = true;
  for (char c : name)
    if (std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos) plain = false;
  if (plain) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Removes (comments), honouring quotes and nesting.
std::string strip_comments(std::string_view s) {
  std::string out;
  int depth = 0;
  bool quoted = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && (quoted || depth > 0)) {
      if (depth == 0) {
        out += c;
        out += s[i + 1];
      }
      ++i;
      continue;
    }
    if (depth == 0 && c == '"') quoted = !quoted;
    if (!quoted && c == '(') {
      ++depth;
      continue;
    }
    if (!quoted && c == ')' && depth > 0) {
      --depth;
      continue;
    }
    if (depth == 0) out += c;
  }
  return out;
}

}  // namespace

std::string_view Header::name() const {
  std::string_view t = text;
  auto colon = t.find(':');
  return trim(t.substr(0, colon));
}

bool Header::is(std::string_view field) const { return iequals(name(), field); }

std::string Header::value() const {
  auto colon = text.find(':');
  if (colon == std::string::npos) return {};
  std::string out;
  for (char c : std::string_view(text).substr(colon + 1))
    if (c != '\r' && c != '\n') out += c;
  return std::string(trim(out));
}

bool is_header_line(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && line[i] > ' ' && line[i] < 127 && line[i] != ':') ++i;
  if (i == 0) return false;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  return i < line.size() && line[i] == ':';
}

int count_hops(const std::vector<Header>& headers) {
  int hops = 0;
  for (const auto& h : headers)
    if (h.is("Received")) ++hops;
  return hops;
}

std::string mail_date(std::time_t when) {
  struct tm tm {};
  localtime_r(&when, &tm);
  char buf[128];
  // The C locale is in force (no setlocale anywhere), so names are English.
  std::size_t n = strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z (%Z)", &tm);
  return std::string(buf, n);
}

std::string received_header(const HeaderContext& cx) {
  const std::string date = mail_date(cx.now);
  std::string out;
  if (cx.source == Source::smtp) {
    // RFC 5321 address literal form, as Postfix writes it: "[IPv6:::1]".
    const bool v6 = cx.client_address.find(':') != std::string::npos;
    std::string namaddr = cx.client_name + " [" + (v6 ? "IPv6:" : "") + cx.client_address + "]";
    out += "Received: from ";
    out += cx.helo_name.empty() ? namaddr : cx.helo_name + " (" + namaddr + ")";
    // Postfix's smtpd_tls_received_header and smtpd_sasl_authenticated_header lines.
    if (!cx.tls_summary.empty())
      out += "\r\n\t(using " + cx.tls_summary + ")\r\n\t(No client certificate requested)";
    if (!cx.authenticated_sender.empty()) out += "\r\n\t(Authenticated sender: " + cx.authenticated_sender + ")";
    out += "\r\n\tby " + cx.myhostname + " (" + cx.mail_name + ") with " + cx.protocol + " id " + cx.queue_id;
  } else {
    out += "Received: by " + cx.myhostname + " (" + cx.mail_name;
    if (cx.uid >= 0) out += ", from userid " + std::to_string(cx.uid);
    out += ")\r\n\tid " + cx.queue_id;
  }
  if (!cx.single_recipient.empty())
    out += "\r\n\tfor <" + cx.single_recipient + ">; " + date;
  else
    out += "; " + date;
  return out;
}

std::string fix_headers(const std::vector<Header>& headers, const HeaderContext& cx,
                        std::string* message_id) {
  const std::string date = mail_date(cx.now);
  std::string out;
  // Received goes first: it is the trace of this hop (RFC 5321 4.4).
  if (!cx.received_in_headers) out += received_header(cx) + "\r\n";

  const bool sendmail = cx.source == Source::sendmail;
  std::string found_id;
  for (const auto& h : headers) {
    if (h.generated_received) {
      out += received_header(cx) + "\r\n";
      continue;
    }
    // Postfix's message_drop_headers default keeps these out of the queue;
    // Bcc only on the sendmail path, where the submitter used it to hide
    // recipients (issue #3).
    if (h.is("Return-Path") || h.is("Content-Length")) continue;
    if (sendmail && (h.is("Bcc") || h.is("Resent-Bcc"))) continue;
    if (h.is("Message-Id") && found_id.empty()) found_id = h.value();
    out += h.text;
    out += "\r\n";
  }
  if (!has_header(headers, "Message-Id")) {
    char stamp[32];
    struct tm tm {};
    localtime_r(&cx.now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
    found_id = std::string("<") + stamp + "." + cx.queue_id + "@" + cx.myhostname + ">";
    out += "Message-Id: " + found_id + "\r\n";
  }
  if (!has_header(headers, "Date")) out += "Date: " + date + "\r\n";
  if (sendmail && !has_header(headers, "From")) {
    std::string address = cx.sender.empty() ? "MAILER-DAEMON" : cx.sender;
    if (cx.full_name.empty())
      out += "From: " + address + "\r\n";
    else
      out += "From: " + display_name(cx.full_name) + " <" + address + ">\r\n";
  }
  out += "\r\n";
  if (message_id != nullptr) *message_id = found_id;
  return out;
}

std::string pass_headers(const std::vector<Header>& headers, std::string* message_id) {
  std::string out;
  std::string found_id;
  for (const auto& h : headers) {
    if (h.is("Message-Id") && found_id.empty()) found_id = h.value();
    out += h.text;
    out += "\r\n";
  }
  out += "\r\n";
  if (message_id != nullptr) *message_id = found_id;
  return out;
}

std::vector<std::string> parse_address_list(std::string_view value) {
  std::string s = strip_comments(value);
  std::vector<std::string> out;
  std::string item;
  bool quoted = false;
  int angle = 0;
  auto flush = [&] {
    std::string_view v = trim(item);
    // "group: a, b;" - the group name is not an address.
    auto lt = v.find('<');
    if (lt != std::string_view::npos) {
      auto gt = v.find('>', lt);
      v = v.substr(lt + 1, gt == std::string_view::npos ? std::string_view::npos : gt - lt - 1);
      // A source route "@a,@b:user@x" is not produced here: commas split it.
    }
    v = trim(v);
    if (!v.empty()) out.emplace_back(v);
    item.clear();
  };
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && quoted && i + 1 < s.size()) {
      item += c;
      item += s[++i];
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted) {
      if (c == '<') ++angle;
      if (c == '>' && angle > 0) --angle;
      if (angle == 0 && c == ':') {  // group name ends; what follows are members
        item.clear();
        continue;
      }
      if (angle == 0 && (c == ',' || c == ';')) {
        flush();
        continue;
      }
    }
    item += c;
  }
  flush();
  return out;
}

std::vector<std::string> extract_recipients(const std::vector<Header>& headers) {
  bool resent = false;
  for (const auto& h : headers)
    if (h.is("Resent-To") || h.is("Resent-Cc") || h.is("Resent-Bcc")) resent = true;
  std::vector<std::string> out;
  for (const auto& h : headers) {
    bool wanted = resent ? (h.is("Resent-To") || h.is("Resent-Cc") || h.is("Resent-Bcc"))
                         : (h.is("To") || h.is("Cc") || h.is("Bcc"));
    if (!wanted) continue;
    for (auto& a : parse_address_list(h.value())) out.push_back(std::move(a));
  }
  return out;
}

}  // namespace postern::cleanup
