// Recipient resolution in qmgr, as Postfix's trivial-rewrite does it: which
// transport (a master.cf service) gets an address, and the next hop that
// transport is given. Local domains (mydestination, localhost, our own
// [address] literals) go to local_transport; relay_domains to
// relay_transport; anything else to default_transport; relayhost replaces
// the recipient domain as next hop for off-host mail; transport_maps
// (address, domain, .parent, *) override all of it. Mail to the
// double-bounce address is discarded. Runs in qmgr (mail_owner).
#pragma once

#include <string>
#include <string_view>

#include "lib/maps/table.hpp"
#include "qmgr/qmgr_params.hpp"

namespace postern::qmgr {

enum class Route {
  local,    // transport = local_transport; the recipient is the destination
  remote,   // transport + nexthop: smtp, relay, lmtp, ...
  discard,  // finished without delivery (double-bounce, discard: transport)
  bounce,   // error: transport, or a next hop that cannot be used
  defer,    // a transport_maps / relay_domains table failed for now
};

struct Resolution {
  Route route = Route::local;
  std::string transport;  // master.cf service name ("local", "smtp", "relay", "lmtp")
  std::string nexthop;    // "example.com", "[192.0.2.1]:2525", "unix:/run/lmtp", ...
  std::string dsn;        // bounce/defer
  std::string reason;     // bounce/defer: text for the log and the DSN
};

// "smtp:[host]:25" -> {"smtp", "[host]:25"}; "smtp" -> {"smtp", ""};
// ":[host]" -> {"", "[host]"}.
struct TransportSpec {
  std::string transport;
  std::string nexthop;
};
TransportSpec parse_transport_spec(std::string_view spec);

bool is_local_domain(const QmgrParams& params, std::string_view domain);

// Where every recipient of a message with a content filter (content_filter
// or an access FILTER action, "transport:nexthop") goes: that transport,
// with $myhostname as next hop when none is given (as in Postfix). A spec
// without a transport defers: mail is never delivered around its filter.
Resolution resolve_filter(const QmgrParams& params, std::string_view spec);

class Router {
 public:
  // Opens transport_maps and the table entries of relay_domains; a table
  // that cannot be opened makes every lookup defer (logged once).
  explicit Router(const QmgrParams& params);
  Resolution resolve(std::string_view address);

 private:
  bool is_relay_domain(const std::string& domain, bool& temp_fail);
  const QmgrParams& p_;
  maps::TableList transport_maps_;
  maps::TableList relay_tables_;
  std::vector<std::string> relay_names_;  // plain names of relay_domains, lower case
  std::string table_error_;
};

}  // namespace postern::qmgr
