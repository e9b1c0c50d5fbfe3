// Defaults that depend on the host or on other settings, computed the way
// Postfix computes them: myhostname, mydomain and mynetworks.
#pragma once

#include <string>
#include <vector>

namespace postern::config {

class Config;

// gethostname(); a name without a dot gets ".$mydomain" (as set in main.cf)
// or ".localdomain" appended.
std::string default_myhostname(const Config& config);
// $myhostname minus its first label; "localdomain" when it has no dot.
std::string default_mydomain(const Config& config);
// The host's own networks per mynetworks_style (host, subnet or class) and
// inet_protocols: "127.0.0.0/8 192.168.1.0/24 [::1]/128 ..."
std::string default_mynetworks(const Config& config);

// One address of a local interface, for compute_mynetworks (and tests).
struct InterfaceAddress {
  int family = 0;         // AF_INET or AF_INET6
  unsigned char addr[16] = {};
  int prefix_len = 0;     // netmask length
};

// Pure part of default_mynetworks: formats `interfaces` per `style`
// ("host", "subnet" or "class"); IPv4 networks first, then IPv6.
std::string compute_mynetworks(const std::vector<InterfaceAddress>& interfaces,
                               const std::string& style);

}  // namespace postern::config
