// postdrop(1): store a message in maildrop/ for pickup.
//
//   postdrop [-rv] [-c config_dir]
//
// Reads one maildrop stream (a queue file as docs/queue-format.md describes,
// built by sendmail) from standard input, checks every record strictly,
// records the submitting uid, writes it to $queue_directory/maildrop/ and
// wakes pickup through public/pickup. The file is owned by the submitting
// user, mode 0744; maildrop/ is mode 1730 (group setgid_group), so other
// users can neither list nor read nor remove it.
//
// Privilege: installed set-group-ID setgid_group (postdrop); runs as the
// user. -c / MAIL_CONFIG is honoured for other users only when listed in
// alternate_config_directories. Run unprivileged (tests), it works the same.
//
// Parameters: queue_directory, message_size_limit, authorized_submit_users.
// Exit status: 0 stored; 75 (EX_TEMPFAIL) on errors; 65 (EX_DATAERR) on bad input.
#include <getopt.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/authorized_users.hpp"
#include "lib/queue_tools/tool_config.hpp"
#include "lib/service/daemon_context.hpp"
#include "postdrop/drop.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  log::configure({.tag = "postdrop", .to_stderr = true});
  ::umask(077);
  std::string config_option;
  int c;
  while ((c = ::getopt(argc, argv, "c:rv")) != -1) {
    if (c == 'c')
      config_option = optarg;
    else if (c != 'r' && c != 'v')
      log::fatal("usage: postdrop [-rv] [-c config_dir]");
  }
  postdrop::DropOptions options;
  try {
    auto config = config::Config::load(queue_tools::privileged_config_dir(config_option));
    service::configure_logging(config, "postdrop", true);
    auto refused = queue_tools::check_user_access(config, "authorized_submit_users", false, "submit mail");
    if (!refused.empty()) {
      log::error("%s", refused.c_str());
      return 77;  // EX_NOPERM
    }
    options.layout = queue_tools::layout_from_config(config);
    options.message_size_limit = static_cast<std::uint64_t>(config.get_size("message_size_limit"));
    options.pickup_endpoint = options.layout.queue_directory + "/public/pickup";
  } catch (const config::ConfigError& e) {
    log::fatal("%s", e.what());
  }
  auto id = postdrop::drop_message(STDIN_FILENO, options);
  if (!id) {
    log::warning("uid=%u: %s", unsigned(::getuid()), id.error().message.c_str());
    return id.error().message.rfind("malformed input", 0) == 0 ? 65 : 75;
  }
  return 0;
}
