// cleanup::Params from main.cf. Part of lib/cleanup (smtpd, pickup; mail_owner).
#include "lib/cleanup/cleanup.hpp"
#include "lib/cleanup/content_checks.hpp"
#include "lib/config/config.hpp"
#include "lib/queue_tools/tool_config.hpp"

namespace postern::cleanup {

Params Params::from_config(const config::Config& config) {
  Params p;
  p.myhostname = config.get("myhostname");
  p.myorigin = config.get("myorigin");
  if (p.myorigin.empty()) p.myorigin = p.myhostname;
  // Received says "(Postfix)" whatever mail_name is: log parsers and spam
  // filters match on it; mail_name shows in the banner instead.
  p.header_size_limit = static_cast<std::uint64_t>(config.get_size("header_size_limit"));
  p.message_size_limit = static_cast<std::uint64_t>(config.get_size("message_size_limit"));
  p.hopcount_limit = static_cast<int>(config.get_int("hopcount_limit"));
  p.layout = queue_tools::layout_from_config(config);
  p.content_filter = config.get("content_filter");
  if (auto checks = ContentChecks::from_config(config)) p.checks = std::move(*checks);
  else p.checks_error = checks.error().message;
  return p;
}

}  // namespace postern::cleanup
