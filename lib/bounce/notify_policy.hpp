// notify_classes and the *_notice_recipient parameters: which trouble is
// reported to the postmaster, and to which address. Postfix's meanings:
//   bounce   postmaster copy of the headers of bounced mail (bounce_notice_recipient);
//            also implies 2bounce
//   2bounce  undeliverable bounces (double bounces) to 2bounce_notice_recipient;
//            without it (and without bounce) they are discarded
//   delay    postmaster copy of delay warnings; delayed bounces (null sender)
//            to delay_notice_recipient
//   resource, software, policy, protocol, data: reports to error_notice_recipient
// Read once per process from main.cf; used by qmgr and pickup (mail_owner).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace postern::config {
class Config;
}

namespace postern::bounce {

enum NotifyClass : unsigned {
  kNotifyPolicy = 1u << 0,
  kNotifyProtocol = 1u << 1,
  kNotifyBounce = 1u << 2,
  kNotifySoftware = 1u << 3,
  kNotifyResource = 1u << 4,
  kNotify2Bounce = 1u << 5,
  kNotifyDelay = 1u << 6,
  kNotifyData = 1u << 7,
};

// Parses a notify_classes list ("resource, software"). Unknown names are
// returned in `unknown` (the caller warns) and otherwise ignored.
unsigned parse_notify_classes(const std::vector<std::string>& names, std::vector<std::string>* unknown);

struct NotifyPolicy {
  unsigned classes = kNotifyResource | kNotifySoftware;
  std::string myorigin;                  // qualifies bare recipient names
  std::string double_bounce_sender = "double-bounce";
  std::string bounce_recipient = "postmaster";         // bounce_notice_recipient
  std::string double_bounce_recipient = "postmaster";  // 2bounce_notice_recipient
  std::string delay_recipient = "postmaster";          // delay_notice_recipient
  std::string error_recipient = "postmaster";          // error_notice_recipient

  static NotifyPolicy from_config(const config::Config& config);

  bool wants(unsigned cls) const { return (classes & cls) != 0; }
  // Postfix: "bounce" also implies "2bounce".
  bool wants_double_bounce() const { return wants(kNotify2Bounce | kNotifyBounce); }

  // Addresses, qualified with @myorigin when they have no domain.
  std::string qualified(std::string_view name) const;
  std::string double_bounce_address() const { return qualified(double_bounce_sender); }
};

}  // namespace postern::bounce
