// sendmail -bm / -t path (the invoking user).
#include "sendmail/local_submit.hpp"

#include <pwd.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>

#include "lib/log/log.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue_tools/maildrop.hpp"
#include "sendmail/message.hpp"

namespace postern::sendmail {

std::string login_name() {
  struct passwd pw {};
  struct passwd* found = nullptr;
  char buf[4096];
  if (::getpwuid_r(::getuid(), &pw, buf, sizeof buf, &found) == 0 && found) return found->pw_name;
  return std::to_string(::getuid());
}

int submit_from_stdin(const Options& options, const LocalSubmitParams& params) {
  if (options.recipients.empty() && !options.extract_recipients) {
    log::error("Recipient addresses must be specified on the command line or via the -t option");
    return 64;
  }
  auto content = read_message(STDIN_FILENO, options.ignore_dots, params.message_size_limit);
  if (!content) {
    log::error("%s", content.error().message.c_str());
    return content.error().message == "message file too big" ? 65 : 75;
  }
  queue::Envelope env;
  struct timeval now {};
  ::gettimeofday(&now, nullptr);
  env.arrival_seconds = now.tv_sec;
  env.arrival_microseconds = static_cast<std::uint32_t>(now.tv_usec);
  env.sender = options.sender ? *options.sender : login_name();
  std::vector<std::string> addresses = options.recipients;
  if (options.extract_recipients) {
    // Postfix adds header recipients to those on the command line.
    for (auto& a : header_recipients(*content))
      if (std::find(addresses.begin(), addresses.end(), a) == addresses.end()) addresses.push_back(a);
    if (addresses.empty()) {
      log::error("No recipient addresses found in message header");
      return 65;
    }
  }
  for (auto& a : addresses) {
    queue::Recipient r;
    r.address = a;
    r.notify = options.notify;
    env.recipients.push_back(std::move(r));
  }
  env.attributes.protocol = "local";
  env.attributes.envid = options.envid;
  env.attributes.ret = options.ret;
  env.attributes.body = options.body;
  if (!options.full_name.empty())
    env.attributes.extra.emplace_back(std::string(queue_tools::kAttrFullName), options.full_name);
  if (auto s = run_postdrop(params.postdrop, env, *content); !s) {
    log::error("%s(%u): %s", login_name().c_str(), unsigned(::getuid()), s.error().message.c_str());
    return 75;
  }
  return 0;
}

}  // namespace postern::sendmail
