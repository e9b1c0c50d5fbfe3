// PeerName decisions (see peer_name.hpp). In smtpd, as mail_owner.
#include "smtpd/peer_name.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "smtpd/access_policy.hpp"

namespace postern::smtpd {

namespace {
// glibc's gai_strerror() texts, which Postfix's warnings carry.
const char* resolver_reason(dns::DnsStatus status) {
  switch (status) {
    case dns::DnsStatus::NotFound: return "Name or service not known";
    case dns::DnsStatus::NoData: return "No address associated with hostname";
    case dns::DnsStatus::TempFail: return "Temporary failure in name resolution";
    case dns::DnsStatus::Found: break;
  }
  return "";
}

bool numeric_address(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 || inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}
}  // namespace

bool same_address(const std::string& a, const std::string& b) {
  unsigned char x[16], y[16];
  for (int family : {AF_INET, AF_INET6}) {
    if (inet_pton(family, a.c_str(), x) == 1)
      return inet_pton(family, b.c_str(), y) == 1 && std::memcmp(x, y, family == AF_INET ? 4 : 16) == 0;
  }
  return false;
}

std::optional<std::string> peer_reverse_step(const dns::TextAnswer& ptr, PeerName& out, std::string& warning) {
  out = PeerName{};
  if (!ptr.found() || ptr.records.empty()) {
    out.tempfail = ptr.status == dns::DnsStatus::TempFail;
    return std::nullopt;
  }
  // getnameinfo() gives one name: the first.
  std::string name = ptr.records.front();
  if (numeric_address(name)) {
    warning = "numeric hostname: " + name;
    return std::nullopt;
  }
  if (name.starts_with('[') || !valid_hostname(name)) {
    warning = "malformed hostname: " + name;
    return std::nullopt;
  }
  out.reverse_name = name;
  return name;
}

void peer_confirm_step(const std::string& name, const std::string& address, const dns::TextAnswer& forward,
                       PeerName& out, std::string& warning) {
  out.reverse_name = name;
  out.name = "unknown";
  if (!forward.found()) {
    out.tempfail = forward.status == dns::DnsStatus::TempFail;
    warning = "hostname " + name + " does not resolve to address " + address + ": " +
              resolver_reason(forward.status);
    return;
  }
  for (const auto& a : forward.records) {
    if (same_address(a, address)) {
      out.name = name;
      return;
    }
  }
  warning = "hostname " + name + " does not resolve to address " + address;
}

}  // namespace postern::smtpd
