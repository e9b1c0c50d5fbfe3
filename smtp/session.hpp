// One SMTP or LMTP conversation with one server for the recipients of one
// request: greeting, EHLO/LHLO (HELO fallback), STARTTLS by
// smtp_tls_security_level, AUTH PLAIN/LOGIN, MAIL (SIZE, BODY, RET, ENVID),
// one RCPT per recipient (NOTIFY, ORCPT), DATA — MAIL/RCPTs/DATA in one write
// when the server offers PIPELINING — the content (downgraded to 7 bit for a
// server without 8BITMIME, see lib/mime/downgrade.hpp) and QUIT. Runs in
// smtp/lmtp (mail_owner).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/ipc/delivery_proto.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/tls/tls_client.hpp"
#include "smtp/destinations.hpp"
#include "smtp/smtp_params.hpp"

namespace postern::smtp {

struct Outcome {
  enum class Kind {
    sent,     // the server took it (2xx at the end of DATA)
    bounce,   // 5xx for this recipient or the message
    defer,    // 4xx, or the conversation broke after MAIL
    next,     // try the next server: no connection, 4xx/5xx greeting, EHLO or TLS failure
  } kind = Kind::next;
  std::string dsn;
  std::string reason;       // "host mx[1.2.3.4] said: 550 5.1.1 ... (in reply to RCPT TO command)"
  double connected = 0;     // when the conversation was ready to send mail (for delays=)
  std::string tls_info;     // "TLSv1.3 with cipher ..." when TLS was used
};

struct Credentials {
  std::string user;
  std::string password;
};

struct SessionInput {
  const SmtpParams& params;
  const ipc::DeliveryRequest& request;
  const queue::QueueReader& queue;
  const Candidate& server;
  const tls::TlsClientContext* tls;   // nullptr when the level is none
  std::optional<Credentials> credentials;
};

// One Outcome per recipient of in.request, in all_recipients() order. A
// failure before MAIL (kind next) or of the whole transaction gives every
// recipient the same Outcome; RCPT replies (and LMTP's per-recipient replies
// after DATA) give each its own.
std::vector<Outcome> run_session(const SessionInput& in);

}  // namespace postern::smtp
