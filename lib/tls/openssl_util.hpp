// Small pieces every TLS face shares (blocking client and server streams,
// smtpd's event-loop session): OpenSSL's error text, the context defaults,
// and the one-line description of a session that logs and Received show.
#pragma once

#include <string>

#include "lib/base/result.hpp"

struct ssl_ctx_st;
struct ssl_method_st;
struct ssl_st;

namespace postern::tls {

// "<what>: <OpenSSL's reason>" for the first queued error (or `fallback`
// when the queue is empty); empties OpenSSL's error queue.
std::string ssl_error_text(const std::string& what, const char* fallback = "unknown error");

// A context for `method` with our floor: TLS 1.2 and up, no compression,
// no renegotiation.
Result<ssl_ctx_st*> new_context(const ssl_method_st* method);

// "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"
std::string session_description(const ssl_st* ssl);

}  // namespace postern::tls
