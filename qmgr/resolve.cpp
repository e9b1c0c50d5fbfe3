// Recipient resolution (see resolve.hpp). Runs in qmgr (mail_owner).
#include "qmgr/resolve.hpp"

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/address_lookup.hpp"

namespace postern::qmgr {

TransportSpec parse_transport_spec(std::string_view spec) {
  spec = trim(spec);
  auto colon = spec.find(':');
  if (colon == std::string_view::npos) return {std::string(spec), ""};
  return {std::string(spec.substr(0, colon)), std::string(spec.substr(colon + 1))};
}

bool is_local_domain(const QmgrParams& params, std::string_view domain) {
  std::string d = to_lower(domain);
  if (d.empty() || d == "localhost" || d == to_lower(params.myhostname)) return true;
  for (const auto& mine : params.mydestination) {
    if (d == mine) return true;
  }
  if (d.size() > 2 && d.front() == '[' && d.back() == ']') {
    std::string literal = d.substr(1, d.size() - 2);
    if (istarts_with(literal, "ipv6:")) literal = literal.substr(5);
    for (const auto& a : params.inet_addresses) {
      if (literal == a) return true;
    }
  }
  return false;
}

Resolution resolve_filter(const QmgrParams& params, std::string_view spec) {
  TransportSpec t = parse_transport_spec(spec);
  if (t.transport.empty() || spec.find(':') == std::string_view::npos)
    return {Route::defer, "", "", "4.3.5", "invalid content filter \"" + std::string(spec) + "\": needs transport:destination"};
  Resolution r;
  r.transport = t.transport;
  if (t.transport == params.local_transport) return r;  // Route::local, the recipient is the destination
  r.route = Route::remote;
  r.nexthop = t.nexthop.empty() ? params.myhostname : t.nexthop;
  return r;
}

Router::Router(const QmgrParams& params) : p_(params) {
  if (!params.transport_maps.empty()) {
    if (auto t = maps::TableList::open(params.transport_maps); t) {
      transport_maps_ = std::move(*t);
    } else {
      table_error_ = "transport_maps: " + t.error().message;
    }
  }
  for (const auto& entry : params.relay_domains) {
    if (entry.find(':') != std::string::npos) {
      auto t = maps::open_table(entry);
      if (t) {
        relay_tables_.add(std::move(*t));
      } else {
        table_error_ = "relay_domains: " + t.error().message;
      }
    } else {
      relay_names_.push_back(to_lower(entry));
    }
  }
  if (!table_error_.empty()) log::warning("%s; mail to other domains is deferred", table_error_.c_str());
}

// relay_domains matches the domain and its subdomains (Postfix's default
// parent_domain_matches_subdomains lists relay_domains).
bool Router::is_relay_domain(const std::string& domain, bool& temp_fail) {
  for (const auto& key : maps::domain_search_keys(domain, true)) {
    for (const auto& name : relay_names_)
      if (key == name) return true;
  }
  if (relay_tables_.empty()) return false;
  auto found = maps::lookup_first(relay_tables_, maps::domain_search_keys(domain, true));
  if (found.result.is_temp_fail()) temp_fail = true;
  return found.result.is_found();
}

Resolution Router::resolve(std::string_view address) {
  auto at = address.rfind('@');
  std::string_view local = at == std::string_view::npos ? address : address.substr(0, at);
  std::string domain = to_lower(at == std::string_view::npos ? std::string_view() : address.substr(at + 1));
  Resolution r;
  const bool local_domain = is_local_domain(p_, domain);
  if (local_domain && iequals(local, p_.double_bounce_sender)) {
    r.route = Route::discard;
    r.reason = "mail to the double-bounce address is discarded";
    return r;
  }
  if (!table_error_.empty() && !local_domain) {
    return {Route::defer, "", "", "4.3.0", "mail transport unavailable: " + table_error_};
  }
  TransportSpec chosen;
  std::string own_nexthop;  // the text that came with the transport that won (error:/discard: reasons)
  if (local_domain) {
    chosen = parse_transport_spec(p_.local_transport_spec);
    chosen.nexthop.clear();
  } else {
    bool temp_fail = false;
    const bool relay = is_relay_domain(domain, temp_fail);
    if (temp_fail) return {Route::defer, "", "", "4.3.0", "relay_domains lookup failed; try again later"};
    chosen = parse_transport_spec(relay ? p_.relay_transport : p_.default_transport);
    own_nexthop = chosen.nexthop;
    // Precedence for off-host mail: the transport's own next hop, then
    // relayhost, then the recipient domain.
    if (chosen.nexthop.empty()) chosen.nexthop = p_.relayhost.empty() ? domain : p_.relayhost;
  }
  if (!transport_maps_.empty()) {
    std::vector<std::string> keys;
    if (at != std::string_view::npos) {
      maps::AddressLookupOptions options;
      options.recipient_delimiter = p_.recipient_delimiter;
      options.localpart_forms = false;
      options.at_domain_form = false;
      keys = maps::address_search_keys(to_lower(address), options);
    }
    for (auto& k : maps::domain_search_keys(domain, false)) keys.push_back(std::move(k));
    keys.push_back("*");
    auto found = maps::lookup_first(transport_maps_, keys);
    if (found.result.is_temp_fail())
      return {Route::defer, "", "", "4.3.0", "transport_maps lookup failed: " + found.result.value};
    if (found.result.is_found()) {
      TransportSpec mapped = parse_transport_spec(found.result.value);
      if (!mapped.transport.empty()) {
        chosen.transport = mapped.transport;
        own_nexthop = mapped.nexthop;
      }
      if (!mapped.nexthop.empty()) chosen.nexthop = mapped.nexthop;
      // "*" and parent-domain entries with an empty next hop keep the
      // recipient domain, as transport(5) says.
    }
  }
  r.transport = chosen.transport;
  r.nexthop = chosen.nexthop;
  if (chosen.transport == "error" || chosen.transport == "discard") r.nexthop = own_nexthop;
  if (chosen.transport == "error") {
    r.route = Route::bounce;
    r.dsn = "5.0.0";
    r.reason = own_nexthop.empty() ? "mail for this destination is not accepted" : own_nexthop;
    // "error:5.1.1 text" carries its own enhanced status code.
    if (r.reason.size() > 6 && r.reason[0] == '5' && r.reason[1] == '.' && r.reason.find(' ') != std::string::npos) {
      r.dsn = r.reason.substr(0, r.reason.find(' '));
      r.reason = r.reason.substr(r.reason.find(' ') + 1);
    }
    return r;
  }
  if (chosen.transport == "discard") {
    r.route = Route::discard;
    r.reason = own_nexthop.empty() ? "discarded" : own_nexthop;
    return r;
  }
  r.route = chosen.transport == p_.local_transport ? Route::local : Route::remote;
  return r;
}

}  // namespace postern::qmgr
