// One SMTP AUTH exchange with the auth server (Postern's auth or Dovecot's,
// smtpd_sasl_type = dovecot) over its UNIX socket, on the event loop: a
// slow auth reply never stalls the other sessions of this smtpd. The
// protocol itself is lib/auth's AuthExchange. In smtpd, as mail_owner.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "lib/auth/auth_exchange.hpp"
#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/net/watcher.hpp"

namespace postern::smtpd {

class SaslRequest {
 public:
  // Called from the loop for each event; never from inside start()/respond().
  // The callback must not destroy the request (the session retires it and
  // destroys it from a timer).
  using Callback = std::function<void(const auth::ExchangeEvent&)>;

  // Connects (without blocking) and sends the request. An error means the
  // auth server is not reachable.
  static Result<std::unique_ptr<SaslRequest>> start(net::EventLoop& loop, const std::string& socket_path,
                                                    auth::ExchangeParams params, Callback callback);
  // Answers the last challenge (base64).
  void respond(std::string_view response_b64);

 private:
  SaslRequest(auth::ExchangeParams params, Callback callback)
      : exchange_(std::move(params)), callback_(std::move(callback)) {}
  void on_readable();
  void on_writable();
  void send(std::string text);
  void fail(const std::string& why);

  UniqueFd fd_;
  net::Watcher read_watch_, write_watch_;
  auth::AuthExchange exchange_;
  Callback callback_;
  std::string out_;
  bool finished_ = false;
};

}  // namespace postern::smtpd
