// Internal to AccessPolicy: the state of one check() (access_policy.cpp and
// access_policy_remote.cpp), and the start-up helpers of the remote checks.
// In smtpd, as mail_owner.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smtpd/access_policy.hpp"

namespace postern::smtpd {

struct AccessPolicy::Frame {
  Stage stage;
  const CheckInput& in;
  const DnsFacts& facts;
  Verdict verdict;
  bool warn_next = false;
  std::string reply_name;   // for generic reject/defer: "<namaddr>", "<helo>", "<sender>", ...
  std::string reply_class;  // "Client host", "Helo command", ...
  std::optional<smtp::Reply> defer_if_permit, defer_if_reject;  // DEFER_IF_PERMIT / DEFER_IF_REJECT seen
};

// The addresses this host receives mail on, for permit_mx_backup:
// inet_interfaces ("all": every interface address, "loopback-only") and
// proxy_interfaces; host names there are not resolved.
std::vector<std::string> local_interface_addresses(const std::vector<std::string>& inet_interfaces,
                                                   const std::vector<std::string>& proxy_interfaces);
// Start-up warnings for a DNS list filter or a policy service address that
// cannot work.
void warn_remote_restriction(const char* parameter, const Restriction& r);

}  // namespace postern::smtpd
