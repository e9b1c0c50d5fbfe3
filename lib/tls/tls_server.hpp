// Server-side TLS over OpenSSL for per-connection (blocking) sessions:
// a context from PEM certificate and key files, and a stream that does the
// handshake on an accepted socket. Used by pop3d session processes, which
// run unprivileged (the key is loaded before privileges are dropped).
#pragma once

#include <memory>
#include <string>

#include "lib/base/result.hpp"
#include "lib/tls/blocking_stream.hpp"

struct ssl_ctx_st;
struct ssl_st;

namespace postern::tls {

class TlsContext {
 public:
  // Loads the certificate chain and private key (PEM files). TLS 1.2 and up.
  static Result<TlsContext> server(const std::string& cert_file, const std::string& key_file);
  ssl_ctx_st* get() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* c) const;
  };
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
};

class TlsStream : public BlockingStream {
 public:
  // Runs the server handshake on a blocking descriptor (which the caller
  // keeps open for as long as the stream lives).
  static Result<TlsStream> accept(const TlsContext& ctx, int fd);
};

}  // namespace postern::tls
