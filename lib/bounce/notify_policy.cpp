// notify_classes parsing and the postmaster notice addresses (see the header).
#include "lib/bounce/notify_policy.hpp"

#include <utility>

#include "lib/base/strings.hpp"
#include "lib/config/config.hpp"
#include "lib/log/log.hpp"

namespace postern::bounce {

unsigned parse_notify_classes(const std::vector<std::string>& names, std::vector<std::string>* unknown) {
  static constexpr std::pair<std::string_view, unsigned> kNames[] = {
      {"bounce", kNotifyBounce},     {"2bounce", kNotify2Bounce},   {"data", kNotifyData},
      {"delay", kNotifyDelay},       {"policy", kNotifyPolicy},     {"protocol", kNotifyProtocol},
      {"resource", kNotifyResource}, {"software", kNotifySoftware},
  };
  unsigned mask = 0;
  for (const auto& name : names) {
    bool known = false;
    for (const auto& [n, bit] : kNames)
      if (iequals(name, n)) {
        mask |= bit;
        known = true;
      }
    if (!known && unknown != nullptr) unknown->push_back(name);
  }
  return mask;
}

NotifyPolicy NotifyPolicy::from_config(const config::Config& config) {
  NotifyPolicy p;
  std::vector<std::string> unknown;
  p.classes = parse_notify_classes(config.get_list("notify_classes"), &unknown);
  for (const auto& u : unknown) log::warning("unknown notify_classes value \"%s\" ignored", u.c_str());
  p.myorigin = config.get("myorigin");
  p.double_bounce_sender = config.get("double_bounce_sender");
  p.bounce_recipient = config.get("bounce_notice_recipient");
  p.double_bounce_recipient = config.get("2bounce_notice_recipient");
  p.delay_recipient = config.get("delay_notice_recipient");
  p.error_recipient = config.get("error_notice_recipient");
  return p;
}

std::string NotifyPolicy::qualified(std::string_view name) const {
  std::string out(name);
  if (out.find('@') == std::string::npos && !myorigin.empty()) out += "@" + myorigin;
  return out;
}

}  // namespace postern::bounce
