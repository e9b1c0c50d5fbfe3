// OpenSSL server contexts and blocking streams. Runs in pop3d session
// processes; errors carry OpenSSL's reason so administrators see why.
#include "lib/tls/tls_server.hpp"

#include <openssl/ssl.h>

#include "lib/tls/openssl_util.hpp"

namespace postern::tls {

void TlsContext::Free::operator()(ssl_ctx_st* c) const { SSL_CTX_free(c); }

Result<TlsContext> TlsContext::server(const std::string& cert_file, const std::string& key_file) {
  TlsContext c;
  auto ctx = new_context(TLS_server_method());
  if (!ctx) return ctx.error();
  c.ctx_.reset(*ctx);
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

}  // namespace postern::tls
