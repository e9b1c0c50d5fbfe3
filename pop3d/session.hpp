// One POP3 session in two processes. The login process (mail_owner, no way
// back to root) talks to the client until it is authenticated, asking its
// root parent (connection_root.cpp) to run the SASL exchange; then it hands
// a plain client's socket to the mail process and leaves, or relays bytes
// between a TLS client and the mail process (lib/login/client_handoff.hpp).
// The mail process runs as the mailbox owner and serves the transaction state.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/mailstore/mailstore.hpp"
#include "lib/pop3/pop3_command.hpp"
#include "pop3d/client_io.hpp"
#include "pop3d/control_channel.hpp"
#include "pop3d/pop3_settings.hpp"

namespace postern::pop3d {

class Session {
 public:
  // Login process: `fd` is the client, `control` the channel to the root parent.
  Session(const Pop3Settings& settings, int fd, ControlChannel* control);
  // Serves the client until it is logged in (then relays) or leaves.
  int run();
  // Mail process: `fd` is the login process's relay socket.
  int run_mail(const std::string& user, const std::string& session_id, const mailstore::MailLocation& location);

 private:
  using Args = pop3::Command;
  bool send(const std::string& text) { return io_.write(text); }
  bool plaintext_allowed() const;
  std::string tls_note() const;

  // Authorization state (cmd_auth.cpp).
  void cmd_capa();
  void cmd_user(const Args& c);
  void cmd_pass(const Args& c);
  void cmd_auth(const Args& c);
  void cmd_stls();
  void authenticate(const std::string& mech, const std::optional<std::string>& initial_b64, const std::string& user_hint);
  bool mechanism_offered(const std::string& mech, bool& plaintext) const;
  void serve_loop();
  void log_end();

  // Transaction state (cmd_mail.cpp).
  void transaction(const pop3::Command& c);
  std::optional<size_t> message_arg(const std::string& arg);
  void cmd_stat();
  void cmd_list(const Args& c, bool uidl);
  void cmd_retr(const Args& c, bool top);
  void cmd_dele(const Args& c);
  void cmd_rset();
  void cmd_quit();
  void choose_uidls();  // pop3_uidl_format, once the mailbox is open

  const Pop3Settings& settings_;
  const login::LoginSettings& s_;  // settings_.login()
  ClientIo io_;
  std::string rip_, lip_, session_id_;
  ControlChannel* control_ = nullptr;
  std::vector<std::pair<std::string, bool>> mechs_;  // from the root parent: name, plaintext
  bool handed_over_ = false;  // logged in: the mail process logs the end
  bool login_delayed_ = false;  // refused by pop3_login_delay: the root parent logged it
  std::string user_;        // USER argument
  std::string login_user_;  // after login
  std::string method_;
  int auth_failures_ = 0;
  int invalid_commands_ = 0;
  time_t started_ = 0;
  bool done_ = false;
  bool logged_in_ = false;
  std::unique_ptr<mailstore::MailboxReader> mailbox_;
  std::vector<bool> deleted_;
  std::vector<std::string> uidls_;  // one per message, as UIDL shows them
  struct Counters {
    size_t top = 0, top_bytes = 0, retr = 0, retr_bytes = 0, del = 0, del_bytes = 0, size = 0;
  } counters_;
};

}  // namespace postern::pop3d
