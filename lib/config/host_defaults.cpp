// Host-dependent defaults computed like Postfix: myhostname from
// gethostname(), mydomain from myhostname, mynetworks from the interfaces.
#include "lib/config/host_defaults.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"

namespace postern::config {

namespace {

int mask_length(const sockaddr* mask, int family) {
  if (!mask) return family == AF_INET ? 32 : 128;
  const unsigned char* bytes = family == AF_INET
      ? reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in*>(mask)->sin_addr)
      : reinterpret_cast<const unsigned char*>(&reinterpret_cast<const sockaddr_in6*>(mask)->sin6_addr);
  int len = family == AF_INET ? 4 : 16;
  int bits = 0;
  for (int i = 0; i < len; ++i) bits += __builtin_popcount(bytes[i]);
  return bits;
}

std::vector<InterfaceAddress> local_interfaces() {
  std::vector<InterfaceAddress> out;
  ifaddrs* raw = nullptr;
  if (getifaddrs(&raw) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> list(raw, &freeifaddrs);
  for (ifaddrs* ifa = raw; ifa; ifa = ifa->ifa_next) {
    if (!ifa->ifa_addr) continue;
    int family = ifa->ifa_addr->sa_family;
    if (family != AF_INET && family != AF_INET6) continue;
    InterfaceAddress a;
    a.family = family;
    if (family == AF_INET) {
      std::memcpy(a.addr, &reinterpret_cast<const sockaddr_in*>(ifa->ifa_addr)->sin_addr, 4);
    } else {
      std::memcpy(a.addr, &reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr)->sin6_addr, 16);
    }
    a.prefix_len = mask_length(ifa->ifa_netmask, family);
    out.push_back(a);
  }
  return out;
}

std::string format_network(const InterfaceAddress& a, int prefix) {
  unsigned char net[16] = {};
  int len = a.family == AF_INET ? 4 : 16;
  std::memcpy(net, a.addr, len);
  for (int i = 0; i < len; ++i) {
    int keep = std::clamp(prefix - i * 8, 0, 8);
    net[i] &= static_cast<unsigned char>(0xff << (8 - keep));
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.family, net, text, sizeof text);
  if (a.family == AF_INET) return std::string(text) + "/" + std::to_string(prefix);
  return "[" + std::string(text) + "]/" + std::to_string(prefix);
}

}  // namespace

std::string compute_mynetworks(const std::vector<InterfaceAddress>& interfaces,
                               const std::string& style) {
  std::vector<std::string> nets;
  for (int family : {AF_INET, AF_INET6}) {
    for (const InterfaceAddress& a : interfaces) {
      if (a.family != family) continue;
      int full = family == AF_INET ? 32 : 128;
      int prefix = std::clamp(a.prefix_len, 0, full);
      if (style == "host") {
        prefix = full;
      } else if (style == "class" && family == AF_INET) {
        // Classful networks: A, B and C; others keep their subnet.
        unsigned char first = a.addr[0];
        if (first < 128) prefix = 8;
        else if (first < 192) prefix = 16;
        else if (first < 224) prefix = 24;
      }
      std::string net = format_network(a, prefix);
      if (std::find(nets.begin(), nets.end(), net) == nets.end()) nets.push_back(net);
    }
  }
  return join(nets, " ");
}

std::string default_mynetworks(const Config& config) {
  std::string style = to_lower(trim(config.get("mynetworks_style")));
  std::vector<std::string> protocols = split_list(to_lower(config.get("inet_protocols")));
  bool all = std::find(protocols.begin(), protocols.end(), "all") != protocols.end();
  bool v4 = all || std::find(protocols.begin(), protocols.end(), "ipv4") != protocols.end();
  bool v6 = all || std::find(protocols.begin(), protocols.end(), "ipv6") != protocols.end();
  std::vector<InterfaceAddress> wanted;
  for (const InterfaceAddress& a : local_interfaces()) {
    if ((a.family == AF_INET && v4) || (a.family == AF_INET6 && v6)) wanted.push_back(a);
  }
  return compute_mynetworks(wanted, style);
}

std::string default_myhostname(const Config& config) {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') std::memcpy(name, "localhost", 10);
  std::string host = name;
  if (host.find('.') != std::string::npos) return host;
  // Postfix appends $mydomain only when main.cf sets it: its default is
  // derived from myhostname, which would be circular.
  std::string domain = config.is_set("mydomain") ? config.get("mydomain") : "localdomain";
  return host + "." + domain;
}

std::string default_mydomain(const Config& config) {
  std::string host = config.get("myhostname");
  size_t dot = host.find('.');
  if (dot == std::string::npos) return "localdomain";
  return host.substr(dot + 1);
}

}  // namespace postern::config
