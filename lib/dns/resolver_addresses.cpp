// dns_resolver_addresses: "address[:port]" entries checked before c-ares sees them.
#include <arpa/inet.h>

#include <charconv>

#include "lib/base/strings.hpp"
#include "lib/dns/resolver.hpp"

namespace postern::dns {

namespace {
bool valid_port(std::string_view text) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port > 0 && port < 65536;
}

bool is_address(const std::string& text, int family) {
  unsigned char bytes[16];
  return inet_pton(family, text.c_str(), bytes) == 1;
}

bool valid_entry(std::string_view entry) {
  if (entry.starts_with('[')) {  // [v6] or [v6]:port or [v4]:port
    auto close = entry.find(']');
    if (close == std::string_view::npos) return false;
    std::string host(entry.substr(1, close - 1));
    auto rest = entry.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || !valid_port(rest.substr(1)))) return false;
    return is_address(host, AF_INET6) || is_address(host, AF_INET);
  }
  if (is_address(std::string(entry), AF_INET6)) return true;  // bare v6, no port
  auto colon = entry.rfind(':');
  std::string host(entry.substr(0, colon));
  if (colon != std::string_view::npos && !valid_port(entry.substr(colon + 1))) return false;
  return is_address(host, AF_INET);
}
}  // namespace

Result<std::vector<std::string>> parse_resolver_addresses(std::string_view value) {
  std::vector<std::string> servers;
  for (const auto& entry : split(value, " \t\r\n,")) {
    if (entry.empty()) continue;
    if (!valid_entry(entry))
      return Error{"dns_resolver_addresses: \"" + entry +
                   "\" is not a numeric address[:port] (IPv6 with a port as [addr]:port)"};
    // c-ares wants a bare IPv6 address in brackets when a port follows; a
    // bare one without port is accepted as it is.
    servers.push_back(entry);
  }
  return servers;
}

}  // namespace postern::dns
