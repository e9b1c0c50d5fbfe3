// One SASL exchange over the Dovecot auth client protocol, without I/O, for
// event-loop servers (smtpd): the caller connects to the auth socket without
// blocking, sends request(), feeds each line received and acts on the
// events (CONT -> "334 challenge", OK, FAIL); continue_with() answers a
// challenge. Works with Postern's auth and with Dovecot's. Pure; payloads
// (passwords) are never logged and are wiped.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::auth {

struct ExchangeParams {
  std::string mechanism;  // "PLAIN"
  std::string service;    // "smtp"
  std::string lip, rip;   // local and remote address
  bool secured = false;   // TLS (or a trusted local connection)
  std::optional<std::string> initial_b64;  // the client's initial response, base64 ("" for "=")
  long client_pid = 0;    // CPID
};

struct ExchangeEvent {
  enum class Kind { none, challenge, ok, fail, error };
  Kind kind = Kind::none;
  std::string data;    // challenge: base64 text to send after "334 "; error: why
  std::string user;    // ok (and fail when known): the user name
  std::string reason;  // fail: text the server allows us to show
  bool temp = false;   // fail: a temporary failure (454 instead of 535)
};

class AuthExchange {
 public:
  explicit AuthExchange(ExchangeParams params) : params_(std::move(params)) {}
  ~AuthExchange();

  // The handshake and the AUTH request, sent in one write right after connecting.
  std::string request();
  // A "CONT" line answering the last challenge (base64 response).
  std::string continue_with(std::string_view response_b64);
  // Feeds the bytes received; returns the events they complete (usually one).
  std::vector<ExchangeEvent> feed(std::string_view bytes);
  // The server offered the mechanism (known once its handshake's DONE arrived).
  bool handshake_done() const { return handshake_done_; }
  const std::vector<std::string>& mechanisms() const { return mechanisms_; }

 private:
  ExchangeEvent line(std::string_view text);
  ExchangeParams params_;
  std::string buffer_;
  std::vector<std::string> mechanisms_;
  bool handshake_done_ = false;
  bool finished_ = false;
};

}  // namespace postern::auth
