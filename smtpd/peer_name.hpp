// The client's host name as Postfix's smtpd establishes it: the address's
// PTR name (the "reverse client name", unverified) and, when that name's
// A/AAAA records list the client address again, the "verified client name".
// Pure decisions over DNS answers; session_peer.cpp asks the questions on
// the event loop. In smtpd, as mail_owner.
#pragma once

#include <optional>
#include <string>

#include "lib/dns/dns_answer.hpp"

namespace postern::smtpd {

struct PeerName {
  std::string name = "unknown";          // verified (forward-confirmed) name, or "unknown"
  std::string reverse_name = "unknown";  // PTR name, not confirmed, or "unknown"
  bool tempfail = false;                 // a lookup failed temporarily (450, not 5xx)
};

// The address->name answer. Returns the name to confirm next, or nullopt
// when `out` is final: no PTR (permanent), a temporary failure, or a name
// that is numeric or malformed (`warning` says which, Postfix's words).
std::optional<std::string> peer_reverse_step(const dns::TextAnswer& ptr, PeerName& out, std::string& warning);

// The name->address answer for `name` (the client's address family only):
// the name is verified when one of the addresses is `address`. Otherwise the
// reverse name stays and the name is "unknown"; `warning` is Postfix's
// "hostname X does not resolve to address Y[: reason]".
void peer_confirm_step(const std::string& name, const std::string& address, const dns::TextAnswer& forward,
                       PeerName& out, std::string& warning);

// Two numeric addresses of the same family are the same ("::1" and
// "0:0::1" are); anything unparsable compares unequal.
bool same_address(const std::string& a, const std::string& b);

}  // namespace postern::smtpd
