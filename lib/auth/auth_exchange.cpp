// AuthExchange (see auth_exchange.hpp). Runs in smtpd as mail_owner.
#include "lib/auth/auth_exchange.hpp"

#include "lib/auth/auth_protocol.hpp"
#include "lib/auth/password_scheme.hpp"  // wipe()
#include "lib/base/strings.hpp"

namespace postern::auth {

AuthExchange::~AuthExchange() {
  wipe(buffer_);
  if (params_.initial_b64) wipe(*params_.initial_b64);
}

std::string AuthExchange::request() {
  // Dovecot reads requests after the client's VERSION/CPID; waiting for its
  // handshake first would cost a round trip for nothing.
  std::string r = "VERSION\t1\t2\nCPID\t" + std::to_string(params_.client_pid) + "\n";
  r += "AUTH\t1\t" + params_.mechanism + "\tservice=" + tab_escape(params_.service) + "\tnologin";
  if (!params_.lip.empty()) r += "\tlip=" + tab_escape(params_.lip);
  if (!params_.rip.empty()) r += "\trip=" + tab_escape(params_.rip);
  if (params_.secured) r += "\tsecured";
  if (params_.initial_b64) {
    r += "\tresp=" + *params_.initial_b64;
    wipe(*params_.initial_b64);
  }
  r += "\n";
  return r;
}

std::string AuthExchange::continue_with(std::string_view response_b64) {
  return "CONT\t1\t" + std::string(response_b64) + "\n";
}

std::vector<ExchangeEvent> AuthExchange::feed(std::string_view bytes) {
  std::vector<ExchangeEvent> events;
  buffer_.append(bytes);
  std::size_t start = 0;
  while (!finished_) {
    auto nl = buffer_.find('\n', start);
    if (nl == std::string::npos) break;
    ExchangeEvent e = line(std::string_view(buffer_).substr(start, nl - start));
    start = nl + 1;
    if (e.kind == ExchangeEvent::Kind::none) continue;
    if (e.kind != ExchangeEvent::Kind::challenge) finished_ = true;
    events.push_back(std::move(e));
  }
  std::string rest = buffer_.substr(start);
  wipe(buffer_);
  buffer_ = std::move(rest);
  if (!finished_ && buffer_.size() > kAuthMaxLine) {
    finished_ = true;
    events.push_back({ExchangeEvent::Kind::error, "auth server sent an over-long line", "", "", false});
  }
  return events;
}

ExchangeEvent AuthExchange::line(std::string_view text) {
  auto f = split(text, "\t");
  ExchangeEvent e;
  if (f.empty()) return e;
  if (f[0] == "VERSION") {
    if (f.size() < 2 || f[1] != "1") {
      e.kind = ExchangeEvent::Kind::error;
      e.data = "auth server speaks an unsupported protocol version";
    }
    return e;
  }
  if (f[0] == "MECH" && f.size() >= 2) {
    mechanisms_.push_back(to_upper(f[1]));
    return e;
  }
  if (f[0] == "DONE") {
    handshake_done_ = true;
    return e;
  }
  if (f.size() < 2 || f[1] != "1") return e;  // SPID, CUID, COOKIE, or another request
  if (f[0] == "CONT") {
    e.kind = ExchangeEvent::Kind::challenge;
    e.data = f.size() > 2 ? f[2] : "";
    return e;
  }
  if (f[0] != "OK" && f[0] != "FAIL") return e;
  e.kind = f[0] == "OK" ? ExchangeEvent::Kind::ok : ExchangeEvent::Kind::fail;
  for (std::size_t i = 2; i < f.size(); ++i) {
    std::string arg = tab_unescape(f[i]);
    if (arg.starts_with("user=")) e.user = arg.substr(5);
    else if (arg.starts_with("reason=")) e.reason = arg.substr(7);
    else if (arg == "temp") e.temp = true;
  }
  return e;
}

}  // namespace postern::auth
