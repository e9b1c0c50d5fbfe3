// lib/dns: c-ares lookups in two faces.
//  - Resolver: bound to a net::EventLoop; callbacks run on the loop thread
//    (smtpd: reject_unknown_*_domain, client PTR names).
//  - BlockingResolver: waits for each answer (the smtp delivery agent, which
//    handles one request at a time).
// Both read the same ResolverConfig. <ares.h> never leaks out of lib/dns.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/dns/dns_answer.hpp"
#include "lib/net/event_loop.hpp"

namespace postern::dns {

struct ResolverConfig {
  // "address[:port]" entries ("127.0.0.1:5353", "[::1]:53", "192.0.2.53");
  // empty = the system's /etc/resolv.conf. Main.cf: dns_resolver_addresses.
  std::vector<std::string> servers;
  double timeout_seconds = 5;  // per try
  int tries = 2;
};

// Parses the dns_resolver_addresses value (whitespace or comma separated).
// Returns an error naming the bad entry.
Result<std::vector<std::string>> parse_resolver_addresses(std::string_view value);

using MxCallback = std::function<void(MxAnswer)>;
using TextCallback = std::function<void(TextAnswer)>;

// Event-loop face. Callbacks are called exactly once, from the loop (never
// from inside the lookup_* call), unless the Resolver is destroyed first, in
// which case pending callbacks are dropped without being called. A callback
// that throws is a broken invariant (logged, process exits).
class Resolver {
 public:
  // Throws std::runtime_error when c-ares cannot start (bad server list):
  // a configuration error at start-up.
  Resolver(net::EventLoop& loop, const ResolverConfig& config);
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  void lookup_mx(std::string_view domain, MxCallback done);
  void lookup_a(std::string_view name, TextCallback done);
  void lookup_aaaa(std::string_view name, TextCallback done);
  // address: numeric IPv4 or IPv6 text; an unparsable address → NotFound.
  void lookup_ptr(std::string_view address, TextCallback done);
  void lookup_txt(std::string_view name, TextCallback done);
  // Like getnameinfo() / getaddrinfo() with "hosts: files dns": the hosts
  // file first (no query when it lists the address or name), then PTR, or A
  // (ipv6 false) / AAAA (ipv6 true) in DNS. For a client's host name (smtpd).
  void lookup_host_names(std::string_view address, TextCallback done);
  void lookup_host_addresses(std::string_view name, bool ipv6, TextCallback done);
  // NS: the name server host names (smtpd's check_*_ns_access).
  void lookup_ns(std::string_view name, TextCallback done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Blocking face: each call returns when the answer is in (bounded by
// timeout_seconds * tries per server).
class BlockingResolver {
 public:
  explicit BlockingResolver(const ResolverConfig& config);  // throws like Resolver
  ~BlockingResolver();
  BlockingResolver(const BlockingResolver&) = delete;
  BlockingResolver& operator=(const BlockingResolver&) = delete;

  MxAnswer mx(std::string_view domain);
  TextAnswer a(std::string_view name);
  TextAnswer aaaa(std::string_view name);
  TextAnswer ptr(std::string_view address);
  TextAnswer txt(std::string_view name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace postern::dns
