// The CAPABILITY lists imapd announces before and after login (and in the
// greeting and the tagged LOGIN/AUTHENTICATE reply), honouring Dovecot's
// imap_capability setting. Pure; used by the login and mail processes.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace postern::imapd {

struct PreLoginState {
  bool tls_available = false;   // STARTTLS can be offered
  bool secured = false;         // TLS is on
  bool plaintext_allowed = false;
  bool auth_allowed = true;     // false with ssl = required before TLS
  // Mechanisms the auth service offers: name, plaintext.
  const std::vector<std::pair<std::string, bool>>* mechanisms = nullptr;
};

// "IMAP4rev1 SASL-IR ... AUTH=PLAIN" (no "CAPABILITY" word, no CRLF).
std::string pre_login_capabilities(const PreLoginState& state);
// After login. `setting` is dovecot.conf's imap_capability: empty keeps
// ours, "+X Y" adds to ours, anything else replaces the list.
std::string post_login_capabilities(const std::string& setting);

}  // namespace postern::imapd
