// OpenSSL server contexts and blocking streams. Runs in pop3d session
// processes; errors carry OpenSSL's reason so administrators see why.
#include "lib/tls/tls_server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace postern::tls {
namespace {

std::string ssl_error_text(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = "unknown error";
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return what + ": " + buf;
}

}  // namespace

void TlsContext::Free::operator()(ssl_ctx_st* c) const { SSL_CTX_free(c); }
void TlsStream::Free::operator()(ssl_st* s) const {
  SSL_shutdown(s);  // best effort close_notify; the peer may be gone
  SSL_free(s);
}

Result<TlsContext> TlsContext::server(const std::string& cert_file, const std::string& key_file) {
  TlsContext c;
  c.ctx_.reset(SSL_CTX_new(TLS_server_method()));
  if (!c.ctx_) return Error{ssl_error_text("SSL_CTX_new")};
  SSL_CTX_set_min_proto_version(c.ctx_.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(c.ctx_.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  if (SSL_CTX_use_certificate_chain_file(c.ctx_.get(), cert_file.c_str()) != 1)
    return Error{ssl_error_text("ssl_cert " + cert_file)};
  if (SSL_CTX_use_PrivateKey_file(c.ctx_.get(), key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return Error{ssl_error_text("ssl_key " + key_file)};
  if (SSL_CTX_check_private_key(c.ctx_.get()) != 1) return Error{ssl_error_text("ssl_key does not match ssl_cert")};
  return c;
}

Result<TlsStream> TlsStream::accept(const TlsContext& ctx, int fd) {
  TlsStream s;
  s.ssl_.reset(SSL_new(ctx.get()));
  if (!s.ssl_) return Error{ssl_error_text("SSL_new")};
  SSL_set_fd(s.ssl_.get(), fd);
  if (SSL_accept(s.ssl_.get()) != 1) return Error{ssl_error_text("TLS handshake failed")};
  return s;
}

long TlsStream::read(char* buf, size_t size) {
  int n = SSL_read(ssl_.get(), buf, int(size > 1 << 20 ? 1 << 20 : size));
  if (n > 0) return n;
  int err = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

Status TlsStream::write(std::string_view data) {
  while (!data.empty()) {
    int n = SSL_write(ssl_.get(), data.data(), int(data.size() > 1 << 20 ? 1 << 20 : data.size()));
    if (n <= 0) return Error{ssl_error_text("TLS write")};
    data.remove_prefix(size_t(n));
  }
  return {};
}

int TlsStream::pending() const { return SSL_pending(ssl_.get()); }

std::string TlsStream::description() const {
  return std::string(SSL_get_version(ssl_.get())) + " with cipher " + SSL_get_cipher_name(ssl_.get());
}

}  // namespace postern::tls
