// MX and address lookup for the smtp/lmtp agent (see destinations.hpp).
#include "smtp/destinations.hpp"

#include <arpa/inet.h>

#include <algorithm>

#include "lib/dns/mx_order.hpp"

namespace postern::smtp {

namespace {
bool is_numeric(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Addresses of one host; sets temp_fail when a lookup failed for now.
bool is_ipv6(const std::string& address) { return address.find(':') != std::string::npos; }

std::vector<std::string> addresses_of(const std::string& host, dns::BlockingResolver& resolver,
                                      const AddressPolicy& policy, bool& temp_fail, std::string& last_error) {
  if (is_numeric(host)) return {host};
  std::string literal = host;
  if (literal.starts_with("IPv6:") || literal.starts_with("ipv6:")) {
    literal = literal.substr(5);
    if (is_numeric(literal)) return {literal};
  }
  std::vector<std::string> out;
  std::vector<dns::TextAnswer> answers;
  if (policy.ipv4) answers.push_back(resolver.a(host));
  if (policy.ipv6) answers.push_back(resolver.aaaa(host));
  for (auto& answer : answers) {
    if (answer.found()) {
      for (auto& a : answer.records) out.push_back(std::move(a));
    } else {
      if (answer.status == dns::DnsStatus::TempFail) temp_fail = true;
      last_error = answer.error;
    }
  }
  return out;
}
}  // namespace

std::string Candidate::relay() const {
  if (!unix_path.empty()) return unix_path;
  return host + "[" + address + "]:" + std::to_string(port);
}

DestinationPlan plan_destinations(const NextHop& hop, dns::BlockingResolver& resolver, std::mt19937& random,
                                  const AddressPolicy& policy) {
  DestinationPlan plan;
  if (hop.is_unix()) {
    plan.candidates.push_back({hop.unix_path, "", 0, hop.unix_path});
    return plan;
  }
  std::vector<std::string> hosts;
  std::vector<int> preferences;  // of each host; equal values form one group
  if (hop.mx_lookup && !is_numeric(hop.host)) {
    dns::MxAnswer mx = resolver.mx(hop.host);
    if (mx.found()) {
      if (dns::is_null_mx(mx)) {
        plan.status = DestinationPlan::Status::bounce;
        plan.dsn = "5.1.10";
        plan.reason = "Domain " + hop.host + " does not accept mail (nullMX)";
        return plan;
      }
      for (const auto& record : dns::order_mx(mx.records, random)) {
        hosts.push_back(record.host);
        preferences.push_back(record.preference);
      }
    } else if (mx.status == dns::DnsStatus::TempFail) {
      plan.status = DestinationPlan::Status::defer;
      plan.dsn = "4.4.3";
      plan.reason = mx.error;
      return plan;
    } else if (mx.status == dns::DnsStatus::NotFound) {
      plan.status = DestinationPlan::Status::bounce;
      plan.dsn = "5.4.4";
      plan.reason = mx.error;
      return plan;
    } else {
      hosts.push_back(hop.host);  // no MX: the domain's own A/AAAA (RFC 5321 5.1)
    }
  } else {
    hosts.push_back(hop.host);
  }
  preferences.resize(hosts.size(), 0);
  bool temp_fail = false;
  std::string last_error;
  for (std::size_t i = 0; i < hosts.size();) {
    // One group of equal MX preference at a time.
    std::vector<Candidate> group;
    std::size_t j = i;
    for (; j < hosts.size() && preferences[j] == preferences[i]; ++j) {
      for (auto& address : addresses_of(hosts[j], resolver, policy, temp_fail, last_error))
        group.push_back({hosts[j], std::move(address), hop.port, ""});
    }
    if (policy.preference == "any") {
      // Postfix: no family is preferred; spread over both.
      std::shuffle(group.begin(), group.end(), random);
    } else {
      const bool v6_first = policy.preference == "ipv6";
      std::stable_partition(group.begin(), group.end(),
                            [&](const Candidate& c) { return is_ipv6(c.address) == v6_first; });
    }
    for (auto& c : group) plan.candidates.push_back(std::move(c));
    i = j;
  }
  if (plan.candidates.empty()) {
    plan.status = temp_fail ? DestinationPlan::Status::defer : DestinationPlan::Status::bounce;
    plan.dsn = temp_fail ? "4.4.3" : "5.4.4";
    plan.reason = last_error.empty() ? "no address for " + hop.host : last_error;
  }
  return plan;
}

}  // namespace postern::smtp
