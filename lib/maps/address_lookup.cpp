// Search-order helpers for address, domain and client lookups.
#include "lib/maps/address_lookup.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"

namespace postern::maps {

LocalpartSplit split_localpart(std::string_view localpart, std::string_view delimiters) {
  LocalpartSplit out{std::string(localpart), {}, 0};
  if (delimiters.empty()) return out;
  size_t pos = localpart.find_first_of(delimiters);
  if (pos == std::string_view::npos || pos == 0 || pos + 1 == localpart.size()) return out;
  char d = localpart[pos];
  if (d == '-') {
    // Mailing-list conventions win over extensions, as in Postfix.
    std::string lower = to_lower(localpart);
    if (lower.rfind("owner-", 0) == 0 || (lower.size() > 8 && lower.ends_with("-request"))) return out;
  }
  out.user = std::string(localpart.substr(0, pos));
  out.extension = std::string(localpart.substr(pos + 1));
  out.delimiter = d;
  return out;
}

std::vector<std::string> address_search_keys(std::string_view address, const AddressLookupOptions& options) {
  std::vector<std::string> keys;
  auto add = [&](std::string k) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(std::move(k));
  };
  size_t at = address.rfind('@');
  std::string_view local = at == std::string_view::npos ? address : address.substr(0, at);
  std::string domain = at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
  LocalpartSplit parts = split_localpart(local, options.recipient_delimiter);
  bool has_ext = !parts.extension.empty();
  if (at != std::string_view::npos) {
    add(std::string(local) + "@" + domain);
    if (has_ext) add(parts.user + "@" + domain);
  }
  if (options.localpart_forms || at == std::string_view::npos) {
    add(std::string(local));
    if (has_ext) add(parts.user);
  }
  if (options.at_domain_form && at != std::string_view::npos && !domain.empty()) add("@" + domain);
  return keys;
}

std::vector<std::string> domain_search_keys(std::string_view domain, bool parent_matches_subdomains) {
  std::vector<std::string> keys;
  std::string d(domain);
  while (!d.empty() && d.back() == '.') d.pop_back();  // "example.com." is "example.com"
  if (d.empty()) return keys;
  keys.push_back(d);
  for (size_t dot = d.find('.'); dot != std::string::npos; dot = d.find('.', dot + 1)) {
    keys.push_back(parent_matches_subdomains ? d.substr(dot + 1) : d.substr(dot));
  }
  return keys;
}

std::vector<std::string> client_address_keys(std::string_view address) {
  if (address.size() >= 2 && address.front() == '[' && address.back() == ']')
    address = address.substr(1, address.size() - 2);
  if (istarts_with(address, "ipv6:")) address.remove_prefix(5);
  std::vector<std::string> keys;
  if (address.empty()) return keys;
  char sep = address.find(':') != std::string_view::npos ? ':' : '.';
  std::string cur(address);
  keys.push_back(cur);
  for (;;) {
    size_t pos = cur.rfind(sep);
    if (pos == std::string::npos) break;
    cur.resize(pos);
    while (!cur.empty() && cur.back() == sep) cur.pop_back();  // "2001:db8::" -> "2001:db8"
    if (cur.empty()) break;
    if (keys.back() != cur) keys.push_back(cur);
  }
  return keys;
}

namespace {

template <class T>
KeyedResult first_of(T& t, const std::vector<std::string>& keys) {
  for (const auto& k : keys) {
    LookupResult r = t.lookup(k);
    if (!r.is_not_found()) return {std::move(r), k};
  }
  return {LookupResult::not_found(), {}};
}

}  // namespace

KeyedResult lookup_first(TableList& tables, const std::vector<std::string>& keys) { return first_of(tables, keys); }
KeyedResult lookup_first(Table& table, const std::vector<std::string>& keys) { return first_of(table, keys); }

}  // namespace postern::maps
