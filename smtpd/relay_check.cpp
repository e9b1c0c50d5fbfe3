// Networks and RelayCheck (see relay_check.hpp). In smtpd, as mail_owner.
#include "smtpd/relay_check.hpp"

#include <arpa/inet.h>
#include <strings.h>

#include <cstdlib>

#include "lib/log/log.hpp"

namespace postern::smtpd {
namespace {

bool parse_ip(std::string_view text, int* family, unsigned char* out) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (inet_pton(AF_INET, s.c_str(), out) == 1) {
    *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out) == 1) {
    // An IPv4-mapped client address matches IPv4 networks.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(mapped, mapped + 12, out)) {
      std::copy(out + 12, out + 16, out);
      *family = AF_INET;
      return true;
    }
    *family = AF_INET6;
    return true;
  }
  return false;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Networks Networks::parse(const std::vector<std::string>& items, std::string_view parameter) {
  Networks n;
  for (const auto& item : items) {
    std::string_view addr = item;
    int prefix = -1;
    if (auto slash = addr.rfind('/'); slash != std::string_view::npos && addr.back() != ']') {
      prefix = std::atoi(std::string(addr.substr(slash + 1)).c_str());
      addr = addr.substr(0, slash);
    }
    Net net;
    if (!parse_ip(addr, &net.family, net.addr.data())) {
      // "type:name" tables and "/file" lists come with the access-control issue.
      const char* why = item.front() == '/' || item.find(':') != std::string::npos ? "is not supported yet"
                                                                                   : "is not a network";
      log::warning("%.*s: \"%s\" %s; ignored", int(parameter.size()), parameter.data(), item.c_str(), why);
      continue;
    }
    int max = net.family == AF_INET ? 32 : 128;
    net.prefix = prefix < 0 ? max : std::min(prefix, max);
    n.nets_.push_back(net);
  }
  return n;
}

bool Networks::contains(std::string_view address) const {
  int family = 0;
  unsigned char a[16] = {};
  if (!parse_ip(address, &family, a)) return false;
  for (const auto& net : nets_) {
    if (net.family != family) continue;
    int bits = net.prefix;
    bool match = true;
    for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
      unsigned char mask = bits >= 8 ? 0xff : static_cast<unsigned char>(0xff << (8 - bits));
      if ((a[i] & mask) != (net.addr[i] & mask)) {
        match = false;
        break;
      }
    }
    if (match) return true;
  }
  return false;
}

bool RelayCheck::local_domain(std::string_view domain) const {
  std::string d = lower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  for (const auto& dest : destinations_)
    if (dest == d) return true;
  return false;
}

}  // namespace postern::smtpd
