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

ContentChecks::ContentChecks(maps::TableList header, maps::TableList mime)
    : header_(std::move(header)), mime_(std::move(mime)) {}

Result<std::shared_ptr<ContentChecks>> ContentChecks::from_config(const config::Config& config) {
  const std::string header_list = config.get("header_checks");
  const std::string mime_list = config.get("mime_header_checks");
  if (trim_copy(header_list).empty() && trim_copy(mime_list).empty()) return std::shared_ptr<ContentChecks>();
  auto header = maps::TableList::open(header_list);
  if (!header) return Error{"header_checks: " + header.error().message};
  auto mime = maps::TableList::open(mime_list);
  if (!mime) return Error{"mime_header_checks: " + mime.error().message};
  return std::make_shared<ContentChecks>(std::move(*header), std::move(*mime));
}

void ContentChecks::check_headers(std::vector<Header>& headers, const CheckOrigin& origin, CheckVerdict& verdict) {
  // "header Subject: x from host[addr]; from=<s> to=<r> proto=P helo=<h>"
  auto describe = [&](const std::string& text) {
    std::string line = "header " + log_text(text) + " from " + origin.client + ";";
    line += " from=<" + origin.sender + ">";
    if (!origin.recipient.empty()) line += " to=<" + origin.recipient + ">";
    if (!origin.protocol.empty()) line += " proto=" + origin.protocol;
    if (!origin.helo.empty()) line += " helo=<" + origin.helo + ">";
    return line;
  };
  auto note = [&](const char* action, const std::string& text, const std::string& detail) {
    verdict.logs.push_back(std::string(action) + ": " + describe(text) + (detail.empty() ? "" : ": " + detail));
  };

  for (std::size_t i = 0; i < headers.size() && !verdict.refused() && !verdict.actions.discard; ++i) {
    maps::TableList& tables = is_mime_header(headers[i]) ? mime_ : header_;
    if (tables.empty()) continue;
    auto found = tables.lookup(lookup_key(headers[i].text));
    if (found.is_temp_fail()) {
      verdict.code = 451;
      verdict.enhanced = "4.3.0";
      verdict.text = "Error: temporary header_checks lookup failure";
      log::warning("header_checks: table lookup failed: %s", found.value.c_str());
      return;
    }
    if (!found.is_found()) continue;
    const std::string value = trim_copy(found.value);
    const auto space = value.find_first_of(" \t");
    const std::string command = to_upper(value.substr(0, space));
    const std::string arg = space == std::string::npos ? "" : trim_copy(std::string_view(value).substr(space));
    const std::string original = headers[i].text;

    if (command == "REJECT") {
      // An optional enhanced status code may lead the text (Postfix 2.3+).
      std::string text = arg, status = "5.7.1";
      if (auto sp = text.find(' '); is_enhanced_status(text.substr(0, sp)) && text[0] == '5') {
        status = text.substr(0, sp);
        text = sp == std::string::npos ? "" : trim_copy(std::string_view(text).substr(sp));
      }
      if (text.empty()) text = "message content rejected";
      verdict.code = 550;
      verdict.enhanced = status;
      verdict.text = text;
      note("reject", original, status + " " + text);
    } else if (command == "DISCARD") {
      // cleanup logs "ID: discard: <reason>" and "ID: hold: <reason>" itself.
      verdict.actions.discard = describe(original) + (arg.empty() ? "" : ": " + arg);
    } else if (command == "HOLD") {
      if (!verdict.actions.hold) verdict.actions.hold = describe(original) + (arg.empty() ? "" : ": " + arg);
    } else if (command == "REDIRECT" && !arg.empty()) {
      verdict.actions.redirect = arg;
      note("redirect", original, arg);
    } else if (command == "BCC" && !arg.empty()) {
      verdict.actions.bcc = arg;
      note("bcc", original, arg);
    } else if (command == "FILTER" && arg.find(':') != std::string::npos) {
      verdict.actions.filter = arg;
      note("filter", original, arg);
    } else if (command == "WARN") {
      note("warning", original, arg);
    } else if (command == "INFO") {
      note("info", original, arg);
    } else if (command == "IGNORE") {
      headers.erase(headers.begin() + static_cast<std::ptrdiff_t>(i));
      --i;
    } else if (command == "REPLACE" && !arg.empty()) {
      headers[i] = Header{arg};
    } else if (command == "PREPEND" && !arg.empty()) {
      headers.insert(headers.begin() + static_cast<std::ptrdiff_t>(i), Header{arg});
      ++i;  // the new line is not checked; the header it precedes was
    } else if (command == "DUNNO" || command == "OK") {
      // no action
    } else {
      log::warning("unknown command in header_checks: %s", value.c_str());
    }
  }
}

}  // namespace postern::cleanup
