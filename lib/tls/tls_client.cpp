// OpenSSL client contexts and blocking streams (see tls_client.hpp). Runs in
// the smtp delivery agent (mail_owner).
#include "lib/tls/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

void TlsClientContext::Free::operator()(ssl_ctx_st* c) const { SSL_CTX_free(c); }
void TlsClientStream::Free::operator()(ssl_st* s) const {
  SSL_shutdown(s);  // best effort close_notify
  SSL_free(s);
}

Result<TlsClientContext> TlsClientContext::create(const std::string& ca_file, const std::string& ca_path) {
  TlsClientContext c;
  c.ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!c.ctx_) return Error{ssl_error_text("SSL_CTX_new")};
  SSL_CTX_set_min_proto_version(c.ctx_.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(c.ctx_.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
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

long TlsClientStream::read(char* buf, size_t size) {
  int n = SSL_read(ssl_.get(), buf, int(size > 1 << 20 ? 1 << 20 : size));
  if (n > 0) return n;
  int err = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
}

Status TlsClientStream::write(std::string_view data) {
  while (!data.empty()) {
    int n = SSL_write(ssl_.get(), data.data(), int(data.size() > 1 << 20 ? 1 << 20 : data.size()));
    if (n <= 0) return Error{ssl_error_text("TLS write")};
    data.remove_prefix(size_t(n));
  }
  return {};
}

int TlsClientStream::pending() const { return SSL_pending(ssl_.get()); }

std::string TlsClientStream::description() const {
  return std::string(SSL_get_version(ssl_.get())) + " with cipher " + SSL_get_cipher_name(ssl_.get());
}

std::string TlsClientStream::trust() const {
  bool chain_ok = SSL_get_verify_result(ssl_.get()) == X509_V_OK;
  if (chain_ok && name_checked_) return "Verified";
  return chain_ok ? "Trusted" : "Untrusted";
}

}  // namespace postern::tls
