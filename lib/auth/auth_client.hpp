// Client stub for the Dovecot auth protocol, blocking, for per-connection
// processes (pop3d sessions; later imapd and smtpd). Talks to Postern's auth
// or to Dovecot's. Runs unprivileged; needs only access to the socket.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::auth {

struct AuthReply {
  enum class Kind { ok, fail };
  Kind kind = Kind::fail;
  std::string user;    // ok: the canonical user name; fail: when known
  std::string reason;  // fail: text the server allows us to show
  bool temp = false;
};

struct AuthParams {
  std::string service;  // "pop3"
  std::string rip, lip;
  bool secured = false;
};

class AuthClient {
 public:
  // Connects to a UNIX socket and reads the server's handshake.
  static Result<AuthClient> connect(const std::string& socket_path, int timeout_seconds = 30);

  bool has_mechanism(const std::string& name) const;
  const std::vector<std::string>& mechanisms() const { return mechs_; }
  // Mechanisms the server flags "plaintext".
  bool is_plaintext(const std::string& name) const;

  // One exchange. `initial_b64`: the client's initial response, already
  // base64 (nullopt: none). `challenge` receives each server challenge
  // (base64) and returns the client's answer (base64) or nullopt to cancel.
  Result<AuthReply> authenticate(const std::string& mechanism, const AuthParams& params,
                                 const std::optional<std::string>& initial_b64,
                                 const std::function<std::optional<std::string>(const std::string&)>& challenge);

 private:
  AuthClient() = default;
  Result<std::string> read_line();
  Status send(const std::string& text);

  UniqueFd fd_;
  std::string buffer_;
  std::vector<std::string> mechs_;
  std::vector<std::string> plaintext_;
  unsigned next_id_ = 1;
};

}  // namespace postern::auth
