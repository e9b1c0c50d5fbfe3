// Client network lists (mynetworks, smtpd_forbid_bare_newline_exclusions):
// addresses and CIDR blocks, "/file" lists of them and "type:name" tables
// whose keys are addresses (cidr:, or hash: with Postfix's 1.2.3.4, 1.2.3,
// 1.2, 1 keys). Runs in smtpd as mail_owner.
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::smtpd {

// A list of networks in mynetworks syntax: "127.0.0.0/8", "192.0.2.1",
// "[::1]/128", "[2001:db8::]/32", "/etc/postfix/networks" (the same syntax,
// one or more per line, # comments) and "cidr:/etc/postfix/nets" style
// tables (a found key matches; a table that fails never matches, logged).
// "!item" excludes. A bad entry is logged with the parameter name and skipped.
class Networks {
 public:
  static Networks parse(const std::vector<std::string>& items, std::string_view parameter);
  bool contains(std::string_view address) const;  // textual IPv4 or IPv6 address
  bool empty() const { return items_.empty(); }

 private:
  struct Net {
    int family = 0;
    std::array<unsigned char, 16> addr{};
    int prefix = 0;
  };
  struct Item {
    bool negate = false;
    std::optional<Net> net;
    std::shared_ptr<maps::Table> table;  // shared: Networks is copied into params
  };
  void add(std::string_view item, std::string_view parameter, int depth);
  static bool net_contains(const Net& net, int family, const unsigned char* a);
  std::vector<Item> items_;
};

}  // namespace postern::smtpd
