// Internal to lib/dns: the RAII c-ares channel and the translation of raw
// answers into dns_answer types. The only header that includes <ares.h>.
#pragma once

#include <ares.h>
#include <arpa/nameser.h>

#include <string>

#include "lib/dns/resolver.hpp"

namespace postern::dns::detail {

// Owns an ares_channel; the destructor runs ares_destroy (which calls every
// pending query callback with ARES_EDESTRUCTION).
class AresChannel {
 public:
  // Throws std::runtime_error on a bad server list or a c-ares failure.
  AresChannel(const ResolverConfig& config, ares_sock_state_cb state_cb, void* state_data);
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

}  // namespace postern::dns::detail
