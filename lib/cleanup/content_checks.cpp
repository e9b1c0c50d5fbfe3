// header_checks and mime_header_checks (see content_checks.hpp). Part of
// lib/cleanup (smtpd and pickup, as mail_owner).
#include "lib/cleanup/content_checks.hpp"

#include <cctype>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"
#include "lib/log/log.hpp"

namespace postern::cleanup {
namespace {

// The header as Postfix's tables see it: a logical header whose folded
// lines are joined by a bare newline.
std::string lookup_key(const std::string& text) {
  std::string key;
  key.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    key += text[i];
  }
  return key;
}

// The header for a log line: unfolded onto one line and cut at 200
// characters, as Postfix's "%.200s".
std::string log_text(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size() && out.size() < 200; ++i) {
    if (text[i] == '\r' || text[i] == '\n') continue;
    out += text[i];
  }
  return out;
}

bool is_mime_header(const Header& h) {
  const std::string name = to_lower(std::string(h.name()));
  return name == "mime-version" || name.starts_with("content-");
}

bool is_enhanced_status(std::string_view word) {
  // d.ddd.ddd (RFC 3463), the class digit 4 or 5.
  if (word.size() < 5 || (word[0] != '4' && word[0] != '5') || word[1] != '.') return false;
  int dots = 0;
  for (char c : word.substr(1)) {
    if (c == '.') ++dots;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return dots == 2 && word.back() != '.';
}

std::string trim_copy(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

}  // namespace

ContentChecks::ContentChecks(maps::TableList header, maps::TableList mime, maps::TableList body,
                             std::uint64_t body_size_limit)
    : header_(std::move(header)), mime_(std::move(mime)), body_(std::move(body)), body_size_limit_(body_size_limit) {}

Result<std::shared_ptr<ContentChecks>> ContentChecks::from_config(const config::Config& config) {
  const std::string header_list = config.get("header_checks");
  const std::string mime_list = config.get("mime_header_checks");
  const std::string body_list = config.get("body_checks");
  if (trim_copy(header_list).empty() && trim_copy(mime_list).empty() && trim_copy(body_list).empty())
    return std::shared_ptr<ContentChecks>();
  auto header = maps::TableList::open(header_list);
  if (!header) return Error{"header_checks: " + header.error().message};
  auto mime = maps::TableList::open(mime_list);
  if (!mime) return Error{"mime_header_checks: " + mime.error().message};
  auto body = maps::TableList::open(body_list);
  if (!body) return Error{"body_checks: " + body.error().message};
  return std::make_shared<ContentChecks>(std::move(*header), std::move(*mime), std::move(*body),
                                         static_cast<std::uint64_t>(config.get_size("body_checks_size_limit")));
}

namespace {

// Looks `key` up and applies what it finds to `verdict`; edits of the
// header or line itself come back to the caller. `what` is "header" or
// "body", for the log lines.
LineEdit apply(maps::TableList& tables, const char* what, const std::string& text, const std::string& key,
               const CheckOrigin& origin, CheckVerdict& verdict) {
  auto found = tables.lookup(key);
  if (found.is_temp_fail()) {
    verdict.code = 451;
    verdict.enhanced = "4.3.0";
    verdict.text = std::string("Error: temporary ") + what + "_checks lookup failure";
    log::warning("%s_checks: table lookup failed: %s", what, found.value.c_str());
    return {};
  }
  if (!found.is_found()) return {};
  const std::string value = trim_copy(found.value);
  const auto space = value.find_first_of(" \t");
  const std::string command = to_upper(value.substr(0, space));
  const std::string arg = space == std::string::npos ? "" : trim_copy(std::string_view(value).substr(space));

  // "header Subject: x from host[addr]; from=<s> to=<r> proto=P helo=<h>"
  std::string described = std::string(what) + " " + log_text(text) + " from " + origin.client + ";";
  described += " from=<" + origin.sender + ">";
  if (!origin.recipient.empty()) described += " to=<" + origin.recipient + ">";
  if (!origin.protocol.empty()) described += " proto=" + origin.protocol;
  if (!origin.helo.empty()) described += " helo=<" + origin.helo + ">";
  auto note = [&](const char* action, const std::string& detail) {
    verdict.logs.push_back(std::string(action) + ": " + described + (detail.empty() ? "" : ": " + detail));
  };

  if (command == "REJECT") {
    // An optional enhanced status code may lead the text (Postfix 2.3+).
    std::string reason = arg, status = "5.7.1";
    if (auto sp = reason.find(' '); is_enhanced_status(reason.substr(0, sp)) && reason[0] == '5') {
      status = reason.substr(0, sp);
      reason = sp == std::string::npos ? "" : trim_copy(std::string_view(reason).substr(sp));
    }
    if (reason.empty()) reason = "message content rejected";
    verdict.code = 550;
    verdict.enhanced = status;
    verdict.text = reason;
    note("reject", status + " " + reason);
  } else if (command == "DISCARD") {
    // cleanup logs "ID: discard: <reason>" and "ID: hold: <reason>" itself.
    verdict.actions.discard = described + (arg.empty() ? "" : ": " + arg);
  } else if (command == "HOLD") {
    if (!verdict.actions.hold) verdict.actions.hold = described + (arg.empty() ? "" : ": " + arg);
  } else if (command == "REDIRECT" && !arg.empty()) {
    verdict.actions.redirect = arg;
    note("redirect", arg);
  } else if (command == "BCC" && !arg.empty()) {
    verdict.actions.bcc = arg;
    note("bcc", arg);
  } else if (command == "FILTER" && arg.find(':') != std::string::npos) {
    verdict.actions.filter = arg;
    note("filter", arg);
  } else if (command == "WARN") {
    note("warning", arg);
  } else if (command == "INFO") {
    note("info", arg);
  } else if (command == "IGNORE") {
    return {LineEdit::Kind::drop, ""};
  } else if (command == "REPLACE" && !arg.empty()) {
    return {LineEdit::Kind::replace, arg};
  } else if (command == "PREPEND" && !arg.empty()) {
    return {LineEdit::Kind::prepend, arg};
  } else if (command == "DUNNO" || command == "OK") {
    // no action
  } else {
    log::warning("unknown command in %s_checks: %s", what, value.c_str());
  }
  return {};
}

}  // namespace

void ContentChecks::check_headers(std::vector<Header>& headers, const CheckOrigin& origin, CheckVerdict& verdict) {
  for (std::size_t i = 0; i < headers.size() && !verdict.refused() && !verdict.actions.discard; ++i) {
    maps::TableList& tables = is_mime_header(headers[i]) ? mime_ : header_;
    if (tables.empty()) continue;
    const std::string original = headers[i].text;
    LineEdit edit = apply(tables, "header", original, lookup_key(original), origin, verdict);
    switch (edit.kind) {
      case LineEdit::Kind::keep: break;
      case LineEdit::Kind::drop:
        headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(i));
        --i;
        break;
      case LineEdit::Kind::replace: headers[i] = Header{edit.text}; break;
      case LineEdit::Kind::prepend:
        headers.insert(headers.begin() + static_cast<std::ptrdiff_t>(i), Header{edit.text});
        ++i;  // the new line is not checked; the header it precedes was
        break;
    }
  }
}

LineEdit ContentChecks::check_body_line(const std::string& line, const CheckOrigin& origin, CheckVerdict& verdict) {
  if (body_.empty() || verdict.refused() || verdict.actions.discard) return {};
  return apply(body_, "body", line, line, origin, verdict);
}

}  // namespace postern::cleanup
