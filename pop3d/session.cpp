// POP3 session loop, dispatch and logging. Runs in a pop3d session process:
// mail_owner before login, the mailbox owner after. Log lines follow
// Dovecot's so that fail2ban's dovecot filter and habits keep working.
#include "pop3d/session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <sys/socket.h>
#include <unistd.h>

#include <ctime>

#include "lib/auth/net_match.hpp"
#include "lib/auth/password_scheme.hpp"
#include "lib/auth/sasl_codec.hpp"
#include "lib/log/log.hpp"
#include "lib/login/connection_root.hpp"

namespace postern::pop3d {
namespace {

constexpr int kMaxInvalidCommands = 10;
constexpr int kPreLoginTimeout = 180;
constexpr int kSessionTimeout = 600;  // RFC 1939: at least 10 minutes

}  // namespace

Session::Session(const Pop3Settings& settings, int fd, ControlChannel* control, std::string pending)
    : settings_(settings), s_(settings.login()), io_(fd, std::move(pending)), control_(control) {
  rip_ = login::socket_address(fd, true);
  lip_ = login::socket_address(fd, false);
  unsigned char r[9];
  RAND_bytes(r, sizeof r);
  session_id_ = auth::base64_encode(std::string(reinterpret_cast<char*>(r), sizeof r));
  started_ = ::time(nullptr);
}

bool Session::plaintext_allowed() const {
  if (io_.secured()) return true;
  if (s_.ssl_required) return false;
  return !s_.disable_plaintext || auth::is_loopback(rip_) || auth::ip_in_networks(rip_, s_.trusted_networks);
}

std::string Session::tls_note() const { return io_.secured() ? ", TLS" : (auth::is_loopback(rip_) ? ", secured" : ""); }

int Session::run() {
  io_.set_timeout(kPreLoginTimeout);
  if (s_.implicit_tls) {
    std::string error;
    if (!s_.tls || !io_.start_tls(*s_.tls, error)) {
      log::info("pop3-login: Disconnected (no auth attempts in %ld secs): user=<>, rip=%s, lip=%s, TLS handshaking: %s",
                long(::time(nullptr) - started_), rip_.c_str(), lip_.c_str(), error.c_str());
      return 0;
    }
  }
  // The root parent says first which mechanisms the auth service offers.
  if (auto first = control_->receive(); first && !first->empty() && (*first)[0] == "MECHS") {
    for (size_t i = 1; i < first->size(); ++i) {
      const std::string& m = (*first)[i];
      auto colon = m.find(':');
      mechs_.emplace_back(m.substr(0, colon), colon != std::string::npos && m.substr(colon + 1) == "p");
    }
  }
  if (!send(pop3::ok(s_.greeting))) return 0;
  serve_loop();
  log_end();
  return 0;
}

int Session::run_mail(const std::string& user, const std::string& session_id, const mailstore::MailLocation& location) {
  login_user_ = user;
  session_id_ = session_id;
  io_.set_timeout(kSessionTimeout);
  mailstore::OpenError why = mailstore::OpenError::none;
  auto box = mailstore::open_mailbox(location, why);
  if (!box) {
    if (why == mailstore::OpenError::in_use) {
      send(pop3::err("Mailbox is locked by another POP3 session.", "IN-USE"));
      log::info("pop3(%s)<%d><%s>: Disconnected: mailbox in use", user.c_str(), int(::getpid()), session_id_.c_str());
      return 0;
    }
    log::error("pop3(%s): Couldn't open INBOX: %s", user.c_str(), box.error().message.c_str());
    send(pop3::err("Couldn't open INBOX.", "SYS/TEMP"));
    return 0;
  }
  mailbox_ = std::move(*box);
  deleted_.assign(mailbox_->messages().size(), false);
  for (const auto& m : mailbox_->messages()) counters_.size += size_t(m.size);
  choose_uidls();
  logged_in_ = true;
  if (!send(pop3::ok("Logged in."))) return 0;
  serve_loop();
  log_end();
  return 0;
}

void Session::serve_loop() {
  std::string line;
  while (!done_) {
    auto st = io_.read_line(line, logged_in_ ? pop3::kMaxCommandLine : pop3::kMaxAuthLine);
    if (st == ClientIo::ReadStatus::closed) break;
    std::optional<pop3::Command> cmd;
    if (st == ClientIo::ReadStatus::line) cmd = pop3::parse_command(line);
    if (st == ClientIo::ReadStatus::too_long || !cmd) {
      send(pop3::err(st == ClientIo::ReadStatus::too_long ? "Input line too long." : "Unknown command."));
      if (++invalid_commands_ >= kMaxInvalidCommands) {
        send(pop3::err("Too many invalid commands."));
        break;
      }
      continue;
    }
    const std::string& k = cmd->keyword;
    if (k == "QUIT") {
      if (logged_in_) {
        cmd_quit();
      } else {
        send(pop3::ok("Logging out"));
        done_ = true;
      }
      break;
    }
    if (k == "CAPA") {
      cmd_capa();
    } else if (k == "NOOP" && logged_in_) {
      send(pop3::ok(""));
    } else if (!logged_in_ && k == "USER") {
      cmd_user(*cmd);
    } else if (!logged_in_ && k == "PASS") {
      cmd_pass(*cmd);
    } else if (!logged_in_ && k == "AUTH") {
      cmd_auth(*cmd);
    } else if (!logged_in_ && k == "STLS") {
      cmd_stls();
    } else if (logged_in_) {
      transaction(*cmd);
    } else {
      send(pop3::err("Unknown command."));
      if (++invalid_commands_ >= kMaxInvalidCommands) {
        send(pop3::err("Too many invalid commands."));
        break;
      }
    }
    auth::wipe(line);
  }
}

void Session::log_end() {
  long secs = long(::time(nullptr) - started_);
  if (handed_over_ || login_delayed_) return;
  if (logged_in_) {
    log::info("pop3(%s)<%d><%s>: Disconnected: %s top=%zu/%zu, retr=%zu/%zu, del=%zu/%zu, size=%zu", login_user_.c_str(),
              int(::getpid()), session_id_.c_str(), done_ ? "Logged out" : "Connection closed", counters_.top,
              counters_.top_bytes, counters_.retr, counters_.retr_bytes, counters_.del, counters_.del_bytes,
              counters_.size);
  } else if (auth_failures_ > 0) {
    log::info("pop3-login: Disconnected (auth failed, %d attempts in %ld secs): user=<%s>, method=%s, rip=%s, lip=%s%s, session=<%s>",
              auth_failures_, secs, user_.c_str(), method_.c_str(), rip_.c_str(), lip_.c_str(), tls_note().c_str(),
              session_id_.c_str());
  } else {
    log::info("pop3-login: Disconnected (no auth attempts in %ld secs): user=<>, rip=%s, lip=%s%s, session=<%s>", secs,
              rip_.c_str(), lip_.c_str(), tls_note().c_str(), session_id_.c_str());
  }
}

}  // namespace postern::pop3d
