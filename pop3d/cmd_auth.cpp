// POP3 authorization state: CAPA, USER, PASS, AUTH (RFC 5034), STLS
// (RFC 2595). Runs in the login process as mail_owner; SASL exchanges are
// relayed to the root parent, which alone talks to the auth service.
#include <unistd.h>

#include "lib/auth/passdb.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/login/client_handoff.hpp"
#include "pop3d/session.hpp"

namespace postern::pop3d {

bool Session::mechanism_offered(const std::string& mech, bool& plaintext) const {
  for (const auto& [name, plain] : mechs_) {
    if (name != mech) continue;
    plaintext = plain;
    return true;
  }
  return false;
}

void Session::cmd_capa() {
  std::string out = "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n";
  // RFC 2449 6.5: the same in both states, as the delay is the same for every user.
  if (s_.login_delay > 0) out += "LOGIN-DELAY " + std::to_string(s_.login_delay) + "\r\n";
  if (!logged_in_) {
    if (s_.tls && !io_.secured()) out += "STLS\r\n";
    if (plaintext_allowed()) out += "USER\r\n";
    std::string sasl;
    for (const auto& [name, plain] : mechs_)
      if ((plaintext_allowed() || !plain) && !(s_.ssl_required && !io_.secured())) sasl += " " + name;
    if (!sasl.empty()) out += "SASL" + sasl + "\r\n";
  }
  send(out + ".\r\n");
}

void Session::cmd_user(const Args& c) {
  if (!plaintext_allowed()) {
    send(pop3::err("Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "AUTH"));
    log::info("pop3-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=%s, lip=%s, session=<%s>",
              rip_.c_str(), lip_.c_str(), session_id_.c_str());
    return;
  }
  if (c.rest.empty() || c.rest.size() > 255) {
    send(pop3::err("USER needs a user name."));
    return;
  }
  user_ = c.rest;
  send(pop3::ok(""));
}

void Session::cmd_pass(const Args& c) {
  if (user_.empty()) {
    send(pop3::err("No username given."));
    return;
  }
  std::string resp = std::string(1, '\0') + user_ + '\0' + c.rest;
  std::string b64 = auth::base64_encode(resp);
  auth::wipe(resp);
  authenticate("PLAIN", b64, user_);
  auth::wipe(b64);
}

void Session::cmd_auth(const Args& c) {
  if (c.args.empty()) {
    // RFC 1734 style listing, which Outlook sends.
    std::string out = "+OK\r\n";
    for (const auto& [name, plain] : mechs_)
      if (plaintext_allowed() || !plain) out += name + "\r\n";
    send(out + ".\r\n");
    return;
  }
  std::string mech = to_upper(c.args[0]);
  if (c.args.size() > 2) {
    send(pop3::err("Invalid parameters."));
    return;
  }
  std::optional<std::string> initial;
  if (c.args.size() == 2) initial = c.args[1] == "=" ? std::string() : c.args[1];
  authenticate(mech, initial, "");
}

void Session::authenticate(const std::string& mech, const std::optional<std::string>& initial_b64,
                           const std::string& user_hint) {
  method_ = mech;
  bool plaintext = false;
  if (s_.ssl_required && !io_.secured()) {
    // ssl = required: no authentication at all before TLS (Dovecot's meaning).
    send(pop3::err("Authentication is not allowed until STLS.", "AUTH"));
    return;
  }
  if (!mechanism_offered(mech, plaintext)) {
    send(pop3::err(mechs_.empty() ? "Temporary authentication failure." : "Unsupported authentication mechanism.",
                   mechs_.empty() ? "SYS/TEMP" : ""));
    return;
  }
  if (plaintext && !plaintext_allowed()) {
    send(pop3::err("Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "AUTH"));
    log::info("pop3-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=%s, lip=%s, session=<%s>",
              rip_.c_str(), lip_.c_str(), session_id_.c_str());
    return;
  }
  // The root parent runs the exchange with the auth service; we relay.
  control_->send({"AUTH", mech, io_.secured() ? "1" : "0", initial_b64 ? "R" + *initial_b64 : "N", session_id_,
                  tls_note()});
  while (true) {
    auto f = control_->receive();
    if (!f || f->empty()) {
      send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
      done_ = true;
      return;
    }
    const std::string& what = (*f)[0];
    if (what == "CONT" && f->size() == 2) {
      std::string line;
      if (!send("+ " + (*f)[1] + "\r\n") ||
          io_.read_line(line, pop3::kMaxAuthLine) != ClientIo::ReadStatus::line || line == "*") {
        control_->send({"CANCEL"});
        continue;
      }
      control_->send({"RESP", line});
      auth::wipe(line);
      continue;
    }
    if (what == "OK") {
      UniqueFd mail = control_->take_fd();
      handed_over_ = true;
      done_ = true;
      // A plain client goes to the mail process itself; TLS is relayed.
      if (mail && login::offer_client(io_, mail.get()) == login::Handoff::relay) io_.relay(mail.get());
      return;
    }
    if (what == "ABORTED") {
      send(pop3::err("Authentication aborted by client."));
      return;
    }
    if (what == "TEMPFAIL") {
      send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
      return;
    }
    if (what == "DELAY" && f->size() == 3) {
      // RFC 2449 8.1.1: the password was right, but too soon; the root
      // parent has logged it. The session ends, as the client must wait.
      send(pop3::err("Logged in too recently; try again in " + (*f)[1] + " seconds.", "LOGIN-DELAY"));
      user_ = (*f)[2];
      login_delayed_ = true;
      done_ = true;
      return;
    }
    // FAIL <temp> <user> <reason>
    ++auth_failures_;
    bool temp = f->size() > 1 && (*f)[1] == "1";
    std::string user = f->size() > 2 ? (*f)[2] : "";
    std::string reason = f->size() > 3 ? (*f)[3] : "";
    user_ = !user.empty() ? user : user_hint.empty() ? user_ : user_hint;
    if (temp) send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
    else send(pop3::err(reason.starts_with("Plaintext") ? reason : "Authentication failed.", "AUTH"));
    if (auth_failures_ >= 3) done_ = true;  // logged as "auth failed, N attempts" on disconnect
    return;
  }
}

void Session::cmd_stls() {
  if (!s_.tls) {
    send(pop3::err("TLS support isn't enabled."));
    return;
  }
  if (io_.secured()) {
    send(pop3::err("TLS is already active."));
    return;
  }
  send(pop3::ok("Begin TLS negotiation now."));
  std::string error;
  if (!io_.start_tls(*s_.tls, error)) {
    log::info("pop3-login: Disconnected: TLS handshaking: %s: user=<>, rip=%s, lip=%s", error.c_str(), rip_.c_str(),
              lip_.c_str());
    done_ = true;
    return;
  }
  user_.clear();  // RFC 2595: forget everything from before the handshake
}

}  // namespace postern::pop3d
