// See access_keys.hpp.
#include "smtpd/access_keys.hpp"

#include "lib/base/strings.hpp"

namespace postern::smtpd {

bool is_literal(std::string_view d) { return d.size() > 2 && d.front() == '[' && d.back() == ']'; }

std::string domain_of(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : to_lower(address.substr(at + 1));
}

std::string local_part_of(std::string_view address) {
  auto at = address.rfind('@');
  return std::string(at == std::string_view::npos ? address : address.substr(0, at));
}

std::vector<std::string> domain_keys(std::string_view domain) {
  std::vector<std::string> keys;
  std::string d = to_lower(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();
  if (d.empty()) return keys;
  if (is_literal(d)) return {d};
  for (std::string k = d;;) {
    keys.push_back(k);
    auto dot = k.find('.');
    if (dot == std::string::npos) break;
    k = k.substr(dot + 1);
  }
  return keys;
}

std::vector<std::string> address_keys(std::string_view address, const std::string& null_key) {
  if (address.empty()) return {null_key};
  std::string a = to_lower(address);
  std::vector<std::string> keys = {a};
  for (auto& k : domain_keys(domain_of(a))) keys.push_back(k);
  if (a.find('@') != std::string::npos) keys.push_back(local_part_of(a) + "@");
  return keys;
}

std::vector<std::string> network_keys(std::string addr) {
  std::vector<std::string> keys;
  const char sep = addr.find(':') != std::string::npos ? ':' : '.';
  while (!addr.empty()) {
    keys.push_back(addr);
    auto cut = addr.rfind(sep);
    if (cut == std::string::npos) break;
    addr.resize(cut);
    while (!addr.empty() && addr.back() == sep) addr.pop_back();
  }
  return keys;
}

std::vector<std::string> client_keys(const std::string& name, const std::string& address) {
  std::vector<std::string> keys;
  if (name != "unknown") keys = domain_keys(name);
  for (auto& k : network_keys(address)) keys.push_back(std::move(k));
  return keys;
}

}  // namespace postern::smtpd
