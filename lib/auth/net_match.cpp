// CIDR matching over inet_pton'd addresses (IPv4, IPv6, v4-mapped v6).
// Pure; runs in auth and pop3d.
#include "lib/auth/net_match.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

// 16 bytes; IPv4 as v4-mapped IPv6 so one comparison serves both.
bool parse(std::string_view text, unsigned char out[16], int& bits_of_family) {
  std::string s(text);
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    std::memset(out, 0, 10);
    out[10] = out[11] = 0xff;
    std::memcpy(out + 12, &v4, 4);
    bits_of_family = 32;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    bits_of_family = 128;
    return true;
  }
  return false;
}

}  // namespace

bool ip_in_networks(std::string_view ip, std::string_view networks) {
  unsigned char addr[16];
  int fam = 0;
  if (!parse(ip, addr, fam)) return false;
  for (const auto& net : split_list(networks)) {
    auto slash = net.find('/');
    unsigned char base[16];
    int nfam = 0;
    if (!parse(std::string_view(net).substr(0, slash), base, nfam)) continue;
    int bits = nfam;
    if (slash != std::string::npos) {
      auto n = parse_long(std::string_view(net).substr(slash + 1));
      if (!n || *n < 0 || *n > nfam) continue;
      bits = int(*n);
    }
    if (nfam == 32) bits += 96;  // v4-mapped prefix
    bool match = true;
    for (int i = 0; i < bits && match; ++i) {
      int byte = i / 8, mask = 0x80 >> (i % 8);
      match = (addr[byte] & mask) == (base[byte] & mask);
    }
    if (match) return true;
  }
  return false;
}

bool is_loopback(std::string_view ip) { return ip_in_networks(ip, "127.0.0.0/8 ::1/128"); }

}  // namespace postern::auth
