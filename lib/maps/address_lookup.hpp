// The one place that knows Postfix's lookup order for addresses, domains
// and client IP addresses, used by aliases, access, virtual, canonical and
// transport lookups alike. Pure; any process.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::maps {

struct AddressLookupOptions {
  // recipient_delimiter: each character may separate user from extension
  // ("+", or "+-" for either); empty turns extensions off.
  std::string recipient_delimiter;
  // Try the bare localpart forms ("user+ext", "user"): virtual(5) and
  // canonical(5) do so only when the domain is local ($myorigin,
  // $mydestination, ...), which the caller decides.
  bool localpart_forms = true;
  // Try "@domain" last (virtual, canonical); access(5) uses domain keys instead.
  bool at_domain_form = true;
};

// Keys to try for `address`, most specific first, duplicates removed:
//   user+ext@domain, user@domain, user+ext, user, @domain
// An address without '@' yields user+ext, user. Postfix's special cases are
// kept: no split when it would leave an empty user or extension, and with
// "-" as delimiter "owner-list" and "list-request" are not split.
std::vector<std::string> address_search_keys(std::string_view address, const AddressLookupOptions& options);

// The user and extension parts; extension empty when there is none.
struct LocalpartSplit {
  std::string user;
  std::string extension;  // without the delimiter character
  char delimiter = 0;
};
LocalpartSplit split_localpart(std::string_view localpart, std::string_view delimiters);

// Domain keys for access-style tables: "a.b.example.com" itself, then each
// parent, as "b.example.com", "example.com", "com" when the feature is
// listed in parent_domain_matches_subdomains, else as ".b.example.com",
// ".example.com", ".com".
std::vector<std::string> domain_search_keys(std::string_view domain, bool parent_matches_subdomains);

// Client address keys for access(5): "1.2.3.4", "1.2.3", "1.2", "1"; IPv6
// "2001:db8:0:1::5" then shorter prefixes at each ':' ("2001:db8:0:1",
// "2001:db8:0", "2001:db8", "2001"). "[...]" and "ipv6:" wrappers are removed.
std::vector<std::string> client_address_keys(std::string_view address);

// Looks up each key in order; returns the first answer that is not
// "not found" (a temporary failure stops the search) and the key that gave it.
struct KeyedResult {
  LookupResult result;
  std::string key;
};
KeyedResult lookup_first(TableList& tables, const std::vector<std::string>& keys);
KeyedResult lookup_first(Table& table, const std::vector<std::string>& keys);

}  // namespace postern::maps
