// The request-server main shared by smtp and lmtp. The agent is built before
// privileges are dropped, as Postfix opens smtp_sasl_password_maps and the
// resolver configuration before chroot and setuid (the password file is
// usually root-only); it then serves as mail_owner. A broken configuration
// is fatal.
#include "smtp/agent_main.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <memory>
#include <stdexcept>

#include "lib/log/log.hpp"
#include "lib/service/single_server.hpp"
#include "smtp/agent.hpp"

namespace postern::smtp {

int agent_main(int argc, char** argv, bool lmtp) {
  std::unique_ptr<Agent> agent;
  std::string queue_directory;
  service::SingleServerHooks hooks;
  hooks.pre_drop = [&](service::DaemonContext& ctx) {
    queue_directory = ctx.config().get("queue_directory");
    try {
      agent = std::make_unique<Agent>(ctx.config(), lmtp);
    } catch (const std::exception& e) {
      log::fatal("%s", e.what());
    }
  };
  hooks.post_drop = [&](service::DaemonContext& ctx) {
    if (ctx.config().get("queue_directory") == "/" && queue_directory != "/") agent->set_chroot_prefix(queue_directory);
    ::umask(077);
    ::signal(SIGPIPE, SIG_IGN);  // a server that hangs up is a delivery error, not our death
  };
  hooks.on_session = [&](UniqueFd client, service::DaemonContext&, long long uses_left) {
    return agent->serve(client.get(), uses_left);
  };
  return service::run_single_server(argc, argv, std::move(hooks));
}

}  // namespace postern::smtp
