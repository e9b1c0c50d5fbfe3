// Which servers to try for a next hop, in order: MX hosts by preference
// (random among equals) with their A/AAAA addresses; the domain's own
// addresses when it has no MX; a [host] or inet:host without MX lookup; a
// unix: socket as is. A null MX (RFC 7505) or a name that does not exist
// bounces; a DNS temporary failure defers. Among hosts of equal MX
// preference, addresses are ordered by smtp_address_preference. Runs in smtp/lmtp (mail_owner).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "lib/dns/resolver.hpp"
#include "lib/smtp_client/next_hop.hpp"

namespace postern::smtp {

struct Candidate {
  std::string host;       // name for logs and TLS checks ("mx1.example.com"); the path for unix:
  std::string address;    // numeric address; "" for unix:
  int port = 25;
  std::string unix_path;
  // "mx1.example.com[192.0.2.1]:25", or the socket path, for relay=.
  std::string relay() const;
};

struct DestinationPlan {
  enum class Status { ok, bounce, defer } status = Status::ok;
  std::string dsn;     // bounce/defer
  std::string reason;  // bounce/defer
  std::vector<Candidate> candidates;
};

// Which addresses to look up and try first (inet_protocols,
// smtp_address_preference).
struct AddressPolicy {
  bool ipv4 = true;
  bool ipv6 = true;
  std::string preference = "any";  // ipv4, ipv6: that family first among equal MX preferences; any: random
};

DestinationPlan plan_destinations(const NextHop& hop, dns::BlockingResolver& resolver, std::mt19937& random,
                                  const AddressPolicy& policy = {});

}  // namespace postern::smtp
