// Domain lists (mydestination, relay_domains, virtual_*_domains): names,
// "/file" lists of names and "type:name" tables keyed by domain. With
// `subdomains` (relay_domains, as Postfix's parent_domain_matches_subdomains
// default) "example.com" also matches "x.example.com"; ".example.com" always
// matches subdomains only. Runs in smtpd as mail_owner.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::smtpd {

class DomainList {
 public:
  DomainList() = default;
  DomainList(const std::vector<std::string>& items, std::string_view parameter, bool subdomains);

  // `domain`: any case, trailing dot allowed, no brackets. A table that
  // fails is logged and does not match.
  bool contains(std::string_view domain) const;
  bool empty() const { return names_.empty() && tables_.empty(); }

 private:
  void add(std::string_view item, std::string_view parameter, int depth);
  std::vector<std::string> names_;  // lower case
  std::vector<std::shared_ptr<maps::Table>> tables_;
  bool subdomains_ = false;
};

}  // namespace postern::smtpd
