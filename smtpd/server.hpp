// Server: the sessions of one smtpd process and what they share (settings,
// queue ID generator, event loop). Sessions that end are destroyed from a
// zero-delay timer, never inside their own callbacks. Runs in smtpd as mail_owner.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "lib/queue/queue_id.hpp"
#include "lib/service/daemon_context.hpp"
#include "lib/service/multi_server.hpp"
#include "lib/tls/tls_server.hpp"
#include "smtpd/notice_sender.hpp"
#include "smtpd/policy_client.hpp"
#include "smtpd/session.hpp"
#include "smtpd/smtpd_params.hpp"

namespace postern::smtpd {

class Server {
 public:
  // Before the privilege drop: reads the settings and the TLS key (which
  // may be readable by root only).
  void prepare(service::DaemonContext& context);
  // After the privilege drop: asks the auth server for its mechanisms,
  // removes what crashed writers left in incoming/.
  void start(service::DaemonContext& context, net::EventLoop& loop);
  void accept(UniqueFd client, service::ClientLease lease);

 private:
  void reap();

  std::optional<SmtpdParams> params_;
  queue::QueueIdGenerator ids_;
  std::optional<LocalRecipientCheck> local_recipients_;
  std::optional<AccessPolicy> policy_;
  std::optional<tls::TlsContext> tls_;
  std::unique_ptr<dns::Resolver> resolver_;
  std::unique_ptr<PolicyClient> policy_client_;  // check_policy_service
  std::unique_ptr<NoticeSender> notices_;  // outlives the sessions that submit to it
  std::unique_ptr<CommitPool> commits_;    // likewise
  std::optional<ServerContext> context_;
  std::map<std::uint64_t, std::unique_ptr<Session>> sessions_;
  std::vector<std::uint64_t> done_;
  net::Watcher reaper_;
  std::uint64_t next_id_ = 1;
};

}  // namespace postern::smtpd
