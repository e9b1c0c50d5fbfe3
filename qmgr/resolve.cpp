// Recipient resolution (see resolve.hpp). Runs in qmgr (mail_owner).
#include "qmgr/resolve.hpp"

#include "lib/base/strings.hpp"

namespace postern::qmgr {

bool is_local_domain(const QmgrParams& params, std::string_view domain) {
  std::string d = to_lower(domain);
  if (d.empty() || d == "localhost" || d == to_lower(params.myhostname)) return true;
  for (const auto& mine : params.mydestination) {
    if (d == mine) return true;
  }
  if (d.size() > 2 && d.front() == '[' && d.back() == ']') {
    std::string literal = d.substr(1, d.size() - 2);
    if (istarts_with(literal, "ipv6:")) literal = literal.substr(5);
    for (const auto& a : params.inet_addresses) {
      if (literal == a) return true;
    }
  }
  return false;
}

Route resolve(const QmgrParams& params, std::string_view address) {
  auto at = address.rfind('@');
  std::string_view local = at == std::string_view::npos ? address : address.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
  if (!is_local_domain(params, domain)) return Route::remote;
  if (iequals(local, params.double_bounce_sender)) return Route::discard;
  return Route::local;
}

}  // namespace postern::qmgr
