// The interim relay policy of issue #3, until smtpd_*_restrictions land:
// mail for $mydestination is accepted from anyone, mail for anything else
// only from $mynetworks. Never an open relay. Runs in smtpd as mail_owner.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace postern::smtpd {

// A list of networks in mynetworks syntax: "127.0.0.0/8", "192.0.2.1",
// "[::1]/128", "[2001:db8::]/32". Table entries ("type:name", "/file") are
// not supported yet: they are skipped with a warning.
class Networks {
 public:
  static Networks parse(const std::vector<std::string>& items, std::string_view parameter);
  bool contains(std::string_view address) const;  // textual IPv4 or IPv6 address
  bool empty() const { return nets_.empty(); }

 private:
  struct Net {
    int family = 0;
    std::array<unsigned char, 16> addr{};
    int prefix = 0;
  };
  std::vector<Net> nets_;
};

class RelayCheck {
 public:
  RelayCheck() = default;
  RelayCheck(std::vector<std::string> mydestination, Networks mynetworks)
      : destinations_(std::move(mydestination)), mynetworks_(std::move(mynetworks)) {}

  // Domain (no brackets, any case, trailing dot allowed) is in $mydestination.
  bool local_domain(std::string_view domain) const;
  bool trusted_client(std::string_view address) const { return mynetworks_.contains(address); }
  // May this client send to this recipient domain ("" = unqualified = local)?
  bool permitted(std::string_view client_address, std::string_view domain) const {
    return domain.empty() || local_domain(domain) || trusted_client(client_address);
  }
  const Networks& mynetworks() const { return mynetworks_; }

 private:
  std::vector<std::string> destinations_;  // lower case
  Networks mynetworks_;
};

}  // namespace postern::smtpd
