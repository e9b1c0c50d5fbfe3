// See openssl_util.hpp.
#include "lib/tls/openssl_util.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>

namespace postern::tls {

std::string ssl_error_text(const std::string& what, const char* fallback) {
  unsigned long e = ERR_get_error();
  char buf[256];
  if (e) {
    ERR_error_string_n(e, buf, sizeof buf);
  } else {
    std::snprintf(buf, sizeof buf, "%s", fallback);
  }
  ERR_clear_error();
  return what.empty() ? std::string(buf) : what + ": " + buf;
}

Result<ssl_ctx_st*> new_context(const ssl_method_st* method) {
  SSL_CTX* ctx = SSL_CTX_new(method);
  if (!ctx) return Error{ssl_error_text("SSL_CTX_new")};
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  return ctx;
}

std::string session_description(const ssl_st* ssl) {
  const char* cipher = SSL_get_cipher_name(ssl);
  return std::string(SSL_get_version(ssl)) + " with cipher " + (cipher ? cipher : "");
}

}  // namespace postern::tls
