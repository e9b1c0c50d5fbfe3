// Server-side TLS on a non-blocking socket, for event-loop servers (smtpd):
// every call returns at once, saying whether OpenSSL needs the socket
// readable or writable before the call can make progress. The context comes
// from tls_server.hpp (TlsContext::server). Runs in smtpd as mail_owner.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/tls/tls_server.hpp"

struct ssl_st;

namespace postern::tls {

enum class IoStatus {
  done,        // progress made (bytes moved, handshake complete)
  want_read,   // call again when the socket is readable
  want_write,  // call again when the socket is writable
  closed,      // the peer closed the TLS session (close_notify or EOF)
  failed,      // a TLS or socket error; error() says which
};

class ServerSession {
 public:
  // Binds a new TLS session to `fd` (which the caller owns and keeps open).
  static Result<ServerSession> create(const TlsContext& context, int fd);

  IoStatus handshake();
  // Reads up to `size` decrypted bytes into buf; *n receives the count.
  IoStatus read(char* buf, std::size_t size, std::size_t* n);
  // Writes from data; *n receives how many bytes were taken.
  IoStatus write(std::string_view data, std::size_t* n);
  // Decrypted bytes OpenSSL holds that the socket's readiness does not show.
  bool pending() const;
  // "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)", as Postfix logs it.
  std::string summary() const;
  std::string protocol() const;  // "TLSv1.3"
  std::string cipher() const;    // "TLS_AES_256_GCM_SHA384"
  const std::string& error() const { return error_; }

 private:
  IoStatus status(int ret);
  struct Free {
    void operator()(ssl_st* s) const;
  };
  std::unique_ptr<ssl_st, Free> ssl_;
  std::string error_;
};

}  // namespace postern::tls
