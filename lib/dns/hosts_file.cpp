// The hosts file through c-ares (see ares_channel.hpp): smtpd finds a
// client's name there before asking DNS, as Postfix's getnameinfo() does, so
// "127.0.0.1 localhost" names loopback clients without any query. Runs in
// any process that resolves; reads a world-readable file, no privilege.
#include <arpa/inet.h>
#include <netdb.h>

#include "lib/dns/ares_channel.hpp"

namespace postern::dns::detail {

namespace {
std::string strip_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

void add_names(const hostent* host, std::vector<std::string>& names) {
  if (host == nullptr || host->h_name == nullptr) return;
  names.push_back(strip_dot(host->h_name));
  for (char** alias = host->h_aliases; alias && *alias; ++alias) names.push_back(strip_dot(*alias));
}
}  // namespace

std::vector<std::string> hosts_file_names(ares_channel files_only, std::string_view address) {
  unsigned char bytes[16];
  std::string text(address);
  int family = AF_INET;
  int length = 4;
  if (inet_pton(AF_INET, text.c_str(), bytes) != 1) {
    if (inet_pton(AF_INET6, text.c_str(), bytes) != 1) return {};
    family = AF_INET6;
    length = 16;
  }
  std::vector<std::string> names;
  // With lookups "f" c-ares answers from the file before returning.
  ares_gethostbyaddr(
      files_only, bytes, length, family,
      [](void* arg, int status, int, hostent* host) {
        if (status == ARES_SUCCESS) add_names(host, *static_cast<std::vector<std::string>*>(arg));
      },
      &names);
  return names;
}

std::vector<std::string> hosts_file_addresses(ares_channel channel, std::string_view name, int family) {
  std::vector<std::string> addresses;
  hostent* host = nullptr;
  std::string text(name);
  if (ares_gethostbyname_file(channel, text.c_str(), family, &host) != ARES_SUCCESS || host == nullptr)
    return addresses;
  char buf[INET6_ADDRSTRLEN];
  if (host->h_addrtype == family)
    for (char** a = host->h_addr_list; a && *a; ++a)
      if (inet_ntop(family, *a, buf, sizeof buf)) addresses.emplace_back(buf);
  ares_free_hostent(host);
  return addresses;
}

}  // namespace postern::dns::detail
