// Client-side TLS over OpenSSL for blocking sockets: the smtp/lmtp delivery
// agent's STARTTLS (mail_owner). A context holds the trust anchors
// (smtp_tls_CAfile / smtp_tls_CApath, else the system store); a stream does
// the handshake on a connected socket, optionally checking the peer's
// certificate chain and name (smtp_tls_security_level verify/secure).
#pragma once

#include <memory>
#include <string>

#include "lib/base/result.hpp"
#include "lib/tls/blocking_stream.hpp"

struct ssl_ctx_st;
struct ssl_st;

namespace postern::tls {

class TlsClientContext {
 public:
  // Empty ca_file and ca_path: OpenSSL's default verify paths.
  static Result<TlsClientContext> create(const std::string& ca_file, const std::string& ca_path);
  ssl_ctx_st* get() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* c) const;
  };
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
};

class TlsClientStream : public BlockingStream {
 public:
  // Handshake on a blocking descriptor the caller keeps open while the
  // stream lives. server_name goes out as SNI. With verify_name non-empty
  // the handshake fails unless the chain is trusted and the certificate
  // names that host (RFC 6125 through OpenSSL's host check).
  static Result<TlsClientStream> connect(const TlsClientContext& ctx, int fd, const std::string& server_name,
                                         const std::string& verify_name);

  // Trust of the peer as Postfix logs it: "Verified", "Trusted" or "Untrusted".
  std::string trust() const;

 private:
  bool name_checked_ = false;
};

}  // namespace postern::tls
