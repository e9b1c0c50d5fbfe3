// OpenSSL client contexts and blocking streams (see tls_client.hpp). Runs in
// the smtp delivery agent (mail_owner).
#include "lib/tls/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "lib/tls/openssl_util.hpp"

namespace postern::tls {

void TlsClientContext::Free::operator()(ssl_ctx_st* c) const { SSL_CTX_free(c); }

Result<TlsClientContext> TlsClientContext::create(const std::string& ca_file, const std::string& ca_path) {
  TlsClientContext c;
  auto ctx = new_context(TLS_client_method());
  if (!ctx) return ctx.error();
  c.ctx_.reset(*ctx);
  if (ca_file.empty() && ca_path.empty()) {
    SSL_CTX_set_default_verify_paths(c.ctx_.get());
  } else if (SSL_CTX_load_verify_locations(c.ctx_.get(), ca_file.empty() ? nullptr : ca_file.c_str(),
                                           ca_path.empty() ? nullptr : ca_path.c_str()) != 1) {
    return Error{ssl_error_text("smtp_tls_CAfile/smtp_tls_CApath " + ca_file + " " + ca_path)};
  }
  return c;
}

Result<TlsClientStream> TlsClientStream::connect(const TlsClientContext& ctx, int fd, const std::string& server_name,
                                                 const std::string& verify_name) {
  TlsClientStream s;
  s.ssl_.reset(SSL_new(ctx.get()));
  if (!s.ssl_) return Error{ssl_error_text("SSL_new")};
  SSL_set_fd(s.ssl_.get(), fd);
  if (!server_name.empty()) SSL_set_tlsext_host_name(s.ssl_.get(), server_name.c_str());
  if (!verify_name.empty()) {
    SSL_set_verify(s.ssl_.get(), SSL_VERIFY_PEER, nullptr);
    SSL_set_hostflags(s.ssl_.get(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (SSL_set1_host(s.ssl_.get(), verify_name.c_str()) != 1) return Error{ssl_error_text("SSL_set1_host")};
    s.name_checked_ = true;
  }
  if (SSL_connect(s.ssl_.get()) != 1) {
    long verify = SSL_get_verify_result(s.ssl_.get());
    if (!verify_name.empty() && verify != X509_V_OK) {
      ERR_clear_error();
      return Error{std::string("server certificate not verified: ") + X509_verify_cert_error_string(verify)};
    }
    return Error{ssl_error_text("TLS handshake failed")};
  }
  return s;
}

std::string TlsClientStream::trust() const {
  bool chain_ok = SSL_get_verify_result(ssl_.get()) == X509_V_OK;
  if (chain_ok && name_checked_) return "Verified";
  return chain_ok ? "Trusted" : "Untrusted";
}

}  // namespace postern::tls
