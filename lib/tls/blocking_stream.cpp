// See blocking_stream.hpp.
#include "lib/tls/blocking_stream.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/tls/openssl_util.hpp"

namespace postern::tls {

namespace {
constexpr size_t kMaxChunk = 1 << 20;  // SSL_read/SSL_write take an int
}

void BlockingStream::Free::operator()(ssl_st* s) const {
  SSL_shutdown(s);  // best effort close_notify; the peer may be gone
  SSL_free(s);
}

long BlockingStream::read(char* buf, size_t size) {
  int n = SSL_read(ssl_.get(), buf, int(size > kMaxChunk ? kMaxChunk : size));
  if (n > 0) return n;
  int err = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

Status BlockingStream::write(std::string_view data) {
  while (!data.empty()) {
    int n = SSL_write(ssl_.get(), data.data(), int(data.size() > kMaxChunk ? kMaxChunk : data.size()));
    if (n <= 0) return Error{ssl_error_text("TLS write")};
    data.remove_prefix(size_t(n));
  }
  return {};
}

int BlockingStream::pending() const { return SSL_pending(ssl_.get()); }

std::string BlockingStream::description() const { return session_description(ssl_.get()); }

}  // namespace postern::tls
