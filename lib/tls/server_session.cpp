// ServerSession (see server_session.hpp). Runs in smtpd as mail_owner.
#include "lib/tls/server_session.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>

#include "lib/tls/openssl_util.hpp"

namespace postern::tls {

void ServerSession::Free::operator()(ssl_st* s) const {
  // No close_notify here: the socket is non-blocking and may be gone; the
  // session owner sends one with a last write when it closes cleanly.
  SSL_free(s);
}

Result<ServerSession> ServerSession::create(const TlsContext& context, int fd) {
  ServerSession s;
  s.ssl_.reset(SSL_new(context.get()));
  if (!s.ssl_ || SSL_set_fd(s.ssl_.get(), fd) != 1) return Error{ssl_error_text("", "SSL_new failed")};
  SSL_set_accept_state(s.ssl_.get());
  return s;
}

IoStatus ServerSession::status(int ret) {
  int err = SSL_get_error(ssl_.get(), ret);
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return IoStatus::want_read;
    case SSL_ERROR_WANT_WRITE:
      return IoStatus::want_write;
    case SSL_ERROR_ZERO_RETURN:
      return IoStatus::closed;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        // EOF without close_notify, or a socket error.
        error_ = errno != 0 ? std::strerror(errno) : "lost connection";
        ERR_clear_error();
        return errno != 0 ? IoStatus::failed : IoStatus::closed;
      }
      [[fallthrough]];
    default:
      error_ = ssl_error_text("", "TLS error");
      return IoStatus::failed;
  }
}

IoStatus ServerSession::handshake() {
  ERR_clear_error();
  errno = 0;
  int r = SSL_do_handshake(ssl_.get());
  return r == 1 ? IoStatus::done : status(r);
}

IoStatus ServerSession::read(char* buf, std::size_t size, std::size_t* n) {
  ERR_clear_error();
  errno = 0;
  *n = 0;
  int r = SSL_read_ex(ssl_.get(), buf, size, n);
  return r == 1 ? IoStatus::done : status(r);
}

IoStatus ServerSession::write(std::string_view data, std::size_t* n) {
  ERR_clear_error();
  errno = 0;
  *n = 0;
  if (data.empty()) return IoStatus::done;
  int r = SSL_write_ex(ssl_.get(), data.data(), data.size(), n);
  return r == 1 ? IoStatus::done : status(r);
}

bool ServerSession::pending() const { return SSL_pending(ssl_.get()) > 0; }

std::string ServerSession::protocol() const { return SSL_get_version(ssl_.get()); }

std::string ServerSession::cipher() const {
  const char* c = SSL_get_cipher_name(ssl_.get());
  return c ? c : "";
}

std::string ServerSession::summary() const {
  int alg_bits = 0;
  int bits = SSL_get_cipher_bits(ssl_.get(), &alg_bits);
  return session_description(ssl_.get()) + " (" + std::to_string(bits) + "/" + std::to_string(alg_bits) +
         " bits)";
}

}  // namespace postern::tls
