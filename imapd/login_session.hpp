// The not-authenticated state of one IMAP connection (RFC 3501 6.1-6.2):
// CAPABILITY, NOOP, LOGOUT, ID, STARTTLS, LOGIN and AUTHENTICATE (with
// SASL-IR). Runs in the login process as mail_owner, never as root; SASL
// exchanges are relayed to the connection's root process, which alone talks
// to the auth service. After login it hands a plaintext client's socket to
// the mail process and ends; a TLS client's bytes it relays
// (lib/login/handover.hpp).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "imapd/command_stream.hpp"
#include "imapd/imap_settings.hpp"
#include "lib/login/client_io.hpp"
#include "lib/login/control_channel.hpp"

namespace postern::imapd {

class LoginSession {
 public:
  LoginSession(const ImapSettings& settings, int fd, login::ControlChannel& control);
  // Serves the client until it logs out, logs in (then relays) or leaves.
  int run();

 private:
  bool send(const std::string& text) { return io_.write(text); }
  bool tagged(const std::string& tag, const std::string& status, const std::string& code, const std::string& text);
  bool plaintext_allowed() const;
  bool auth_allowed() const { return !(s_.login().ssl_required && !io_.secured()); }
  std::string capabilities() const;
  std::string tls_note() const;
  void dispatch(const imap::Command& c);
  void cmd_starttls(const imap::Command& c);
  void cmd_login(const imap::Command& c);
  void cmd_authenticate(const imap::Command& c);
  void authenticate(const std::string& tag, const std::string& mech, const std::optional<std::string>& initial_b64,
                    const std::string& user_hint);
  void hand_over(const std::string& tag);
  void log_end();

  const ImapSettings& s_;
  login::ClientIo io_;
  CommandStream stream_;
  login::ControlChannel& control_;
  std::string rip_, lip_, session_id_;
  std::vector<std::pair<std::string, bool>> mechs_;
  std::string user_, method_;
  int auth_failures_ = 0;
  int bad_commands_ = 0;
  time_t started_ = 0;
  bool done_ = false;
  bool handed_over_ = false;
};

}  // namespace postern::imapd
