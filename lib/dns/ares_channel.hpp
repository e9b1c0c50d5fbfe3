// Internal to lib/dns: the RAII c-ares channel and the translation of raw
// answers into dns_answer types. The only header that includes <ares.h>.
#pragma once

#include <ares.h>
#include <arpa/nameser.h>

#include <string>
#include <vector>

#include "lib/dns/resolver.hpp"

namespace postern::dns::detail {

// Owns an ares_channel; the destructor runs ares_destroy (which calls every
// pending query callback with ARES_EDESTRUCTION).
class AresChannel {
 public:
  // Throws std::runtime_error on a bad server list or a c-ares failure.
  // `lookups`: c-ares's source order for the ares_gethost* calls ("f": the
  // hosts file only); null keeps the system's (nsswitch.conf / host.conf).
  AresChannel(const ResolverConfig& config, ares_sock_state_cb state_cb, void* state_data,
              const char* lookups = nullptr);
  ~AresChannel();
  AresChannel(const AresChannel&) = delete;
  AresChannel& operator=(const AresChannel&) = delete;
  ares_channel get() const { return channel_; }

 private:
  ares_channel channel_ = nullptr;
};

enum class QueryKind { Mx, A, Aaaa, Ptr, Txt, Ns };

// The DNS name and type to ask for (PTR: the in-addr.arpa / ip6.arpa name).
// Returns false when `name` cannot be asked (a PTR for a non-address).
bool query_for(QueryKind kind, std::string_view name, std::string& qname, int& qtype);

MxAnswer parse_mx(int status, const unsigned char* buf, int len, std::string_view name);
TextAnswer parse_text(QueryKind kind, int status, const unsigned char* buf, int len,
                      std::string_view name);
// Status for a failed query (anything but ARES_SUCCESS), with its text.
DnsStatus status_from_ares(int status);
std::string error_text(int status, std::string_view name, std::string_view type);

// The hosts file (/etc/hosts), consulted before DNS as getnameinfo() and
// getaddrinfo() do with "hosts: files dns". Synchronous: no network.
// Names for a numeric address (`files_only` must be a channel made with
// lookups "f"); empty when the file does not list it.
std::vector<std::string> hosts_file_names(ares_channel files_only, std::string_view address);
// Addresses of `family` (AF_INET, AF_INET6) for a name; empty when not listed.
std::vector<std::string> hosts_file_addresses(ares_channel channel, std::string_view name, int family);

}  // namespace postern::dns::detail
