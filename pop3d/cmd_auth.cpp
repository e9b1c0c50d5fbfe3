// POP3 authorization state: CAPA, USER, PASS, AUTH (RFC 5034), STLS
// (RFC 2595), and the switch to the mailbox owner at login. Runs in a pop3d
// session process as mail_owner (regaining root only to become the user).
#include <grp.h>
#include <unistd.h>

#include "lib/auth/passdb.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "pop3d/session.hpp"

namespace postern::pop3d {

void Session::cmd_capa() {
  std::string out = "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n";
  if (!logged_in_) {
    if (s_.tls && !io_.secured()) out += "STLS\r\n";
    if (plaintext_allowed()) out += "USER\r\n";
    std::string sasl;
    if (auth_)
      for (const auto& m : auth_->mechanisms())
        if (plaintext_allowed() || !auth_->is_plaintext(m)) sasl += " " + m;
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
    if (auth_)
      for (const auto& m : auth_->mechanisms())
        if (plaintext_allowed() || !auth_->is_plaintext(m)) out += m + "\r\n";
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
  if (!auth_) {
    auto client = auth::AuthClient::connect(s_.auth_socket, 30);
    if (!client) {
      log::warning("pop3-login: %s", client.error().message.c_str());
      send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
      return;
    }
    auth_ = std::move(*client);
  }
  if (!auth_->has_mechanism(mech)) {
    send(pop3::err("Unsupported authentication mechanism."));
    return;
  }
  if (auth_->is_plaintext(mech) && !plaintext_allowed()) {
    send(pop3::err("Plaintext authentication disallowed on non-secure (SSL/TLS) connections.", "AUTH"));
    log::info("pop3-login: Aborted login (tried to use disallowed plaintext auth): user=<>, rip=%s, lip=%s, session=<%s>",
              rip_.c_str(), lip_.c_str(), session_id_.c_str());
    return;
  }
  auth::AuthParams params{"pop3", rip_, lip_, io_.secured()};
  bool cancelled = false;
  auto reply = auth_->authenticate(mech, params, initial_b64, [&](const std::string& challenge) -> std::optional<std::string> {
    if (!send("+ " + challenge + "\r\n")) return std::nullopt;
    std::string line;
    if (io_.read_line(line, pop3::kMaxAuthLine) != ClientIo::ReadStatus::line || line == "*") {
      cancelled = true;
      return std::nullopt;
    }
    return line;
  });
  if (!reply) {
    log::warning("pop3-login: auth: %s", reply.error().message.c_str());
    auth_.reset();
    send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
    return;
  }
  if (cancelled) {
    // The server still holds the request: start afresh with a new connection.
    auth_.reset();
    send(pop3::err("Authentication aborted by client."));
    return;
  }
  if (reply->kind == auth::AuthReply::Kind::ok) {
    if (!login(reply->user, mech)) done_ = true;
    return;
  }
  ++auth_failures_;
  if (!reply->user.empty()) user_ = reply->user;
  else if (!user_hint.empty()) user_ = user_hint;
  if (reply->temp) {
    send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
  } else {
    send(pop3::err(reply->reason.starts_with("Plaintext") ? reply->reason : "Authentication failed.", "AUTH"));
  }
  if (auth_failures_ >= 3) done_ = true;  // logged as "auth failed, N attempts" on disconnect
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

bool Session::become_user(uid_t uid, gid_t gid, const std::string& user) {
  if (!s_.as_root) return true;
  // Regain root (saved set-user-ID) only to switch to the user, permanently.
  if (::setresuid(0, 0, 0) != 0) return false;
  if (::setgroups(1, &gid) != 0 || ::setresgid(gid, gid, gid) != 0 || ::setresuid(uid, uid, uid) != 0) return false;
  if (::setuid(0) == 0 && uid != 0) log::panic("pop3(%s): could regain root after dropping privileges", user.c_str());
  return true;
}

bool Session::login(const std::string& user, const std::string& method) {
  if (s_.as_root && ::setresuid(0, 0, 0) != 0) {
    send(pop3::err("Internal error.", "SYS/TEMP"));
    return false;
  }
  auth::UserInfo info;
  auth::Lookup l = auth::lookup_user(*s_.conf, user, auth::RequestInfo{"pop3", rip_, lip_}, info);
  if (l != auth::Lookup::ok || !info.uid || !info.gid) {
    log::error("pop3(%s)<%d><%s>: user not found in any userdb, or no uid/gid", user.c_str(), int(::getpid()),
               session_id_.c_str());
    send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
    return false;
  }
  if (s_.as_root && (*info.uid == 0 || long(*info.uid) < s_.first_valid_uid)) {
    log::error("pop3(%s): Mail access for users with UID %u not permitted (see first_valid_uid in config file)",
               user.c_str(), unsigned(*info.uid));
    send(pop3::err("Temporary authentication failure.", "SYS/TEMP"));
    return false;
  }
  if (!become_user(*info.uid, *info.gid, user)) {
    log::error("pop3(%s): cannot switch to uid %u: %m", user.c_str(), unsigned(*info.uid));
    send(pop3::err("Internal error.", "SYS/TEMP"));
    return false;
  }
  log::info("pop3-login: Login: user=<%s>, method=%s, rip=%s, lip=%s, mpid=%d%s, session=<%s>", user.c_str(),
            method.c_str(), rip_.c_str(), lip_.c_str(), int(::getpid()), tls_note().c_str(), session_id_.c_str());
  login_user_ = user;
  std::string where = info.mail.empty() ? s_.mail_location : info.mail;
  auto location = mailstore::resolve_mail_location(where, user, info.home, s_.spool_dir);
  if (!location) {
    log::error("pop3(%s): %s", user.c_str(), location.error().message.c_str());
    send(pop3::err("Internal error occurred. Refer to server log for more information.", "SYS/TEMP"));
    return false;
  }
  mailstore::OpenError why = mailstore::OpenError::none;
  auto box = mailstore::open_mailbox(*location, why);
  if (!box) {
    if (why == mailstore::OpenError::in_use) {
      send(pop3::err("Mailbox is locked by another POP3 session.", "IN-USE"));
      log::info("pop3(%s)<%d><%s>: Disconnected: mailbox in use", user.c_str(), int(::getpid()), session_id_.c_str());
      return false;
    }
    log::error("pop3(%s): Couldn't open INBOX: %s", user.c_str(), box.error().message.c_str());
    send(pop3::err("Couldn't open INBOX.", "SYS/TEMP"));
    return false;
  }
  mailbox_ = std::move(*box);
  deleted_.assign(mailbox_->messages().size(), false);
  for (const auto& m : mailbox_->messages()) counters_.size += size_t(m.size);
  auth_.reset();
  logged_in_ = true;
  io_.set_timeout(600);
  send(pop3::ok("Logged in."));
  return true;
}

}  // namespace postern::pop3d
