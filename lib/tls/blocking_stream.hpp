// BlockingStream: a TLS session over a blocking descriptor, the part the
// client (smtp agent) and server (pop3d, imapd) streams share once their
// handshakes are done. The descriptor stays the caller's.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

struct ssl_st;

namespace postern::tls {

class BlockingStream {
 public:
  // Like read(2): > 0 bytes, 0 at a clean close, < 0 on error or timeout.
  long read(char* buf, size_t size);
  Status write(std::string_view data);
  // Decrypted bytes buffered inside OpenSSL (poll() does not see them).
  int pending() const;
  // "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384", for logs.
  std::string description() const;

 protected:
  struct Free {
    void operator()(ssl_st* s) const;  // best-effort close_notify, then free
  };
  std::unique_ptr<ssl_st, Free> ssl_;
};

}  // namespace postern::tls
