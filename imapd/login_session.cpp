// IMAP not-authenticated state. See login_session.hpp. Log lines follow
// Dovecot's ("imap-login: ...") so fail2ban's dovecot filter keeps working.
#include "imapd/login_session.hpp"

#include <openssl/rand.h>
#include <unistd.h>

#include "imapd/capabilities.hpp"
#include "lib/auth/net_match.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/imap/command_args.hpp"
#include "lib/imap/response.hpp"
#include "lib/log/log.hpp"
#include "lib/login/connection_root.hpp"
#include "lib/login/handover.hpp"

namespace postern::imapd {
namespace {

constexpr int kMaxBadCommands = 20;  // Dovecot's CLIENT_MAX_BAD_COMMANDS
constexpr int kMaxAuthFailures = 3;
constexpr int kPreLoginTimeout = 180;

}  // namespace

LoginSession::LoginSession(const ImapSettings& settings, int fd, login::ControlChannel& control)
    : s_(settings), io_(fd), stream_(io_, pre_login_limits()), control_(control) {
  rip_ = login::socket_address(fd, true);
  lip_ = login::socket_address(fd, false);
  unsigned char r[9];
  RAND_bytes(r, sizeof r);
  session_id_ = auth::base64_encode(std::string(reinterpret_cast<char*>(r), sizeof r));
  started_ = ::time(nullptr);
}

bool LoginSession::tagged(const std::string& tag, const std::string& status, const std::string& code,
                          const std::string& text) {
  return send(imap::status_response(tag, status, code, text));
}

bool LoginSession::plaintext_allowed() const {
  const auto& l = s_.login();
  if (io_.secured()) return true;
  if (l.ssl_required) return false;
  return !l.disable_plaintext || auth::is_loopback(rip_) || auth::ip_in_networks(rip_, l.trusted_networks);
}

std::string LoginSession::capabilities() const {
  PreLoginState st;
  st.tls_available = s_.login().tls != nullptr;
  st.secured = io_.secured();
  st.plaintext_allowed = plaintext_allowed();
  st.auth_allowed = auth_allowed();
  st.mechanisms = &mechs_;
  return pre_login_capabilities(st);
}

std::string LoginSession::tls_note() const {
  return io_.secured() ? ", TLS" : (auth::is_loopback(rip_) ? ", secured" : "");
}

int LoginSession::run() {
  io_.set_timeout(kPreLoginTimeout);
  if (s_.login().implicit_tls) {
    std::string error;
    if (!s_.login().tls || !io_.start_tls(*s_.login().tls, error)) {
      log::info("imap-login: Disconnected (no auth attempts in %ld secs): user=<>, rip=%s, lip=%s, TLS handshaking: %s",
                long(::time(nullptr) - started_), rip_.c_str(), lip_.c_str(), error.c_str());
      return 0;
    }
  }
  // The root parent says first which mechanisms the auth service offers.
  if (auto first = control_.receive(); first && !first->empty() && (*first)[0] == "MECHS") {
    for (size_t i = 1; i < first->size(); ++i) {
      const std::string& m = (*first)[i];
      auto colon = m.find(':');
      mechs_.emplace_back(m.substr(0, colon), colon != std::string::npos && m.substr(colon + 1) == "p");
    }
  }
  if (!send("* OK [CAPABILITY " + capabilities() + "] " + s_.login().greeting + "\r\n")) return 0;
  while (!done_) {
    auto next = stream_.next();
    if (next.kind == CommandStream::Kind::closed) break;
    if (next.kind == CommandStream::Kind::error) {
      if (next.error.close) {
        send("* BYE " + next.error.text + "\r\n");
        break;
      }
      tagged(next.error.tag, "BAD", "", next.error.text);
      if (++bad_commands_ >= kMaxBadCommands) {
        send("* BYE Too many invalid IMAP commands.\r\n");
        break;
      }
      continue;
    }
    dispatch(next.command);
  }
  log_end();
  return 0;
}

void LoginSession::dispatch(const imap::Command& c) {
  const std::string& n = c.name;
  if (c.uid) {
    tagged(c.tag, "BAD", "", "Error in IMAP command UID: Not allowed before login.");
  } else if (n == "CAPABILITY") {
    send("* CAPABILITY " + capabilities() + "\r\n");
    tagged(c.tag, "OK", "", "Pre-login capabilities listed, post-login capabilities have more.");
  } else if (n == "NOOP") {
    tagged(c.tag, "OK", "", "NOOP completed.");
  } else if (n == "LOGOUT") {
    send("* BYE Logging out\r\n");
    tagged(c.tag, "OK", "", "Logout completed.");
    done_ = true;
  } else if (n == "ID") {
    auto params = imap::parse_id(c.args);
    if (!params) {
      tagged(c.tag, "BAD", "", params.error().text);
      return;
    }
    send("* ID (\"name\" \"Postern\")\r\n");
    tagged(c.tag, "OK", "", "ID completed.");
  } else if (n == "STARTTLS") {
    cmd_starttls(c);
  } else if (n == "LOGIN") {
    cmd_login(c);
  } else if (n == "AUTHENTICATE") {
    cmd_authenticate(c);
  } else {
    bool known = n == "SELECT" || n == "EXAMINE" || n == "LIST" || n == "LSUB" || n == "STATUS" || n == "CREATE" ||
                 n == "DELETE" || n == "RENAME" || n == "SUBSCRIBE" || n == "UNSUBSCRIBE" || n == "APPEND" ||
                 n == "ENABLE" || n == "NAMESPACE" || n == "FETCH" || n == "SEARCH" || n == "STORE" ||
                 n == "COPY" || n == "MOVE" || n == "EXPUNGE" || n == "CLOSE" || n == "CHECK" || n == "IDLE" ||
                 n == "UNSELECT";
    tagged(c.tag, "BAD", "", known ? "Command not permitted before login." : "Error in IMAP command received by server.");
    if (++bad_commands_ >= kMaxBadCommands) {
      send("* BYE Too many invalid IMAP commands.\r\n");
      done_ = true;
    }
  }
}

void LoginSession::cmd_starttls(const imap::Command& c) {
  if (!s_.login().tls) {
    tagged(c.tag, "BAD", "", "TLS support isn't enabled.");
    return;
  }
  if (io_.secured()) {
    tagged(c.tag, "BAD", "", "TLS is already active.");
    return;
  }
  if (!c.args.empty()) {
    tagged(c.tag, "BAD", "", "STARTTLS takes no arguments.");
    return;
  }
  tagged(c.tag, "OK", "", "Begin TLS negotiation now.");
  stream_.discard_pending();  // RFC 3501 6.2.1: no command injection across the handshake
  std::string error;
  if (!io_.start_tls(*s_.login().tls, error)) {
    log::info("imap-login: Disconnected: TLS handshaking: %s: user=<>, rip=%s, lip=%s", error.c_str(), rip_.c_str(),
              lip_.c_str());
    done_ = true;
  }
}

void LoginSession::cmd_login(const imap::Command& c) {
  auto req = imap::parse_login(c.args);
  if (!req) {
    tagged(c.tag, "BAD", "", req.error().text);
    return;
  }
  if (!plaintext_allowed()) {
    tagged(c.tag, "NO", "PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
    log::info("imap-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=%s, lip=%s, session=<%s>",
              rip_.c_str(), lip_.c_str(), session_id_.c_str());
    return;
  }
  std::string resp = std::string(1, '\0') + req->user + '\0' + req->password;
  std::string b64 = auth::base64_encode(resp);
  auth::wipe(resp);
  auth::wipe(req->password);
  authenticate(c.tag, "PLAIN", b64, req->user);
  auth::wipe(b64);
}

void LoginSession::cmd_authenticate(const imap::Command& c) {
  auto req = imap::parse_authenticate(c.args);
  if (!req) {
    tagged(c.tag, "BAD", "", req.error().text);
    return;
  }
  authenticate(c.tag, req->mechanism, req->initial_response, "");
}

void LoginSession::authenticate(const std::string& tag, const std::string& mech,
                                const std::optional<std::string>& initial_b64, const std::string& user_hint) {
  method_ = mech;
  if (!auth_allowed()) {
    // ssl = required: no authentication at all before TLS (Dovecot's meaning).
    tagged(tag, "NO", "PRIVACYREQUIRED", "Authentication is not allowed until STARTTLS.");
    return;
  }
  bool plaintext = false, offered = false;
  for (const auto& [name, plain] : mechs_)
    if (name == mech) offered = true, plaintext = plain;
  if (!offered) {
    if (mechs_.empty()) tagged(tag, "NO", "UNAVAILABLE", "Temporary authentication failure.");
    else tagged(tag, "NO", "", "Unsupported authentication mechanism.");
    return;
  }
  if (plaintext && !plaintext_allowed()) {
    tagged(tag, "NO", "PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure (SSL/TLS) connections.");
    log::info("imap-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=%s, lip=%s, session=<%s>",
              rip_.c_str(), lip_.c_str(), session_id_.c_str());
    return;
  }
  control_.send({"AUTH", mech, io_.secured() ? "1" : "0", initial_b64 ? "R" + *initial_b64 : "N", session_id_,
                 tls_note()});
  while (true) {
    auto f = control_.receive();
    if (!f || f->empty()) {
      tagged(tag, "NO", "UNAVAILABLE", "Temporary authentication failure.");
      done_ = true;
      return;
    }
    const std::string& what = (*f)[0];
    if (what == "CONT" && f->size() == 2) {
      bool too_long = false;
      if (!send("+ " + (*f)[1] + "\r\n")) {
        control_.send({"CANCEL"});
        continue;
      }
      auto line = stream_.raw_line(too_long);
      if (!line || too_long || *line == "*") {
        control_.send({"CANCEL"});
        if (!line) done_ = true;
        continue;
      }
      control_.send({"RESP", *line});
      auth::wipe(*line);
      continue;
    }
    if (what == "OK") {
      hand_over(tag);
      return;
    }
    if (what == "ABORTED") {
      tagged(tag, "BAD", "", "Authentication aborted by client.");
      return;
    }
    if (what == "TEMPFAIL") {
      tagged(tag, "NO", "UNAVAILABLE", "Temporary authentication failure.");
      return;
    }
    std::string user = f->size() > 2 ? (*f)[2] : "";
    user_ = !user.empty() ? user : !user_hint.empty() ? user_hint : user_;
    if (what == "LIMIT") {
      tagged(tag, "NO", "UNAVAILABLE",
             "Maximum number of connections from user+IP exceeded (mail_max_userip_connections=" +
                 std::to_string(s_.login().max_userip_connections) + ")");
      return;
    }
    // FAIL <temp> <user> <reason>
    ++auth_failures_;
    bool temp = f->size() > 1 && (*f)[1] == "1";
    std::string reason = f->size() > 3 ? (*f)[3] : "";
    if (temp) tagged(tag, "NO", "UNAVAILABLE", "Temporary authentication failure.");
    else if (reason.starts_with("Plaintext")) tagged(tag, "NO", "PRIVACYREQUIRED", reason);
    else tagged(tag, "NO", "AUTHENTICATIONFAILED", "Authentication failed.");
    if (auth_failures_ >= kMaxAuthFailures) {
      send("* BYE Too many authentication failures.\r\n");
      done_ = true;  // logged as "auth failed, N attempts" on disconnect
    }
    return;
  }
}

void LoginSession::hand_over(const std::string& tag) {
  UniqueFd mail = control_.take_fd();
  handed_over_ = true;
  done_ = true;
  if (!mail) return;
  // The mail process learns the tag to answer first; then the client's
  // pipelined bytes follow.
  login::hand_over_client(io_, mail.get(), tag + "\r\n" + stream_.take_pending(), 31 * 60);
}

void LoginSession::log_end() {
  if (handed_over_) return;
  long secs = long(::time(nullptr) - started_);
  if (auth_failures_ > 0) {
    log::info("imap-login: Disconnected (auth failed, %d attempts in %ld secs): user=<%s>, method=%s, rip=%s, lip=%s%s, session=<%s>",
              auth_failures_, secs, user_.c_str(), method_.c_str(), rip_.c_str(), lip_.c_str(), tls_note().c_str(),
              session_id_.c_str());
  } else {
    log::info("imap-login: Disconnected (no auth attempts in %ld secs): user=<>, rip=%s, lip=%s%s, session=<%s>", secs,
              rip_.c_str(), lip_.c_str(), tls_note().c_str(), session_id_.c_str());
  }
}

}  // namespace postern::imapd
