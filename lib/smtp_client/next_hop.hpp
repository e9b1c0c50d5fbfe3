// Next-hop syntax of the smtp and lmtp transports (Postfix smtp(8), lmtp(8)):
//   example.com          MX lookup, port 25 (smtp) / 24 (lmtp)
//   [mail.example.com]   no MX lookup: the host's A/AAAA records
//   [192.0.2.1]:2525     a literal address and a port
//   example.com:587      MX lookup, another port
//   unix:/path, inet:host:port (lmtp)
// Pure; used by the smtp agent and tests.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postern::smtp {

struct NextHop {
  std::string host;         // name or address, without brackets
  int port = 25;
  bool mx_lookup = true;    // false for [host] and unix:
  std::string unix_path;    // set for unix:/path (lmtp)
  bool is_unix() const { return !unix_path.empty(); }
};

// default_port: 25 for smtp, 24 for lmtp. nullopt for a malformed next hop.
std::optional<NextHop> parse_next_hop(std::string_view text, int default_port);

}  // namespace postern::smtp
