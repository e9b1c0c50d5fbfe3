// Server (see server.hpp). In smtpd, as mail_owner.
#include "smtpd/server.hpp"

#include <algorithm>
#include <ctime>

#include "lib/auth/auth_client.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_scan.hpp"

namespace postern::smtpd {

namespace {
// A writer that crashed mid-commit left an incomplete file; one this old
// belongs to no live writer (messages take seconds, not an hour).
constexpr std::int64_t kStaleIncompleteSeconds = 3600;
}  // namespace

void Server::prepare(service::DaemonContext& context) {
  params_.emplace(SmtpdParams::from_config(context.config()));
  const auto& p = *params_;
  if (p.tls_level == TlsLevel::none && !p.tls_wrappermode) return;
  std::string cert = p.tls_chain_file.empty() ? p.tls_cert_file : p.tls_chain_file;
  std::string key = p.tls_chain_file.empty() ? p.tls_key_file : p.tls_chain_file;
  if (cert.empty()) {
    log::warning("TLS is configured (smtpd_tls_security_level) but smtpd_tls_cert_file is empty: TLS disabled");
    return;
  }
  auto ctx = tls::TlsContext::server(cert, key);
  if (!ctx) {
    log::warning("cannot load the TLS certificate or key: %s: TLS disabled", ctx.error().message.c_str());
    return;
  }
  tls_.emplace(std::move(*ctx));
}

void Server::start(service::DaemonContext& context, net::EventLoop& loop) {
  local_recipients_.emplace(params_->local_recipient_maps, params_->recipient_delimiter,
                            params_->unknown_local_recipient_code);
  policy_.emplace(params_->policy, *local_recipients_);
  context_.emplace(ServerContext{loop, *params_, ids_, *local_recipients_, *policy_, [this](std::uint64_t id) {
                                   done_.push_back(id);
                                   reaper_.arm(0);
                                 }});
  context_->tls = tls_ ? &*tls_ : nullptr;
  // notify_classes transcripts, from the double-bounce address so that an
  // undeliverable one is discarded rather than answered (no notice loops).
  notices_ = std::make_unique<NoticeSender>(params_->cleanup.layout, params_->notify.double_bounce_address());
  context_->notices = notices_.get();
  // Queue-file fsyncs off the loop, several at once (commit_pool.hpp).
  commits_ = std::make_unique<CommitPool>(loop, CommitPool::kDefaultThreads);
  context_->commits = commits_.get();
  // c-ares on this loop, for reject_unknown_*_domain and
  // reject_unknown_helo_hostname (dns_resolver_addresses, else resolv.conf).
  auto servers = dns::parse_resolver_addresses(context.config().get("dns_resolver_addresses"));
  if (!servers) {
    log::warning("dns_resolver_addresses: %s", servers.error().message.c_str());
  } else {
    try {
      dns::ResolverConfig rc;
      rc.servers = *servers;
      resolver_ = std::make_unique<dns::Resolver>(loop, rc);
      context_->resolver = resolver_.get();
    } catch (const std::exception& e) {
      log::warning("DNS resolver: %s: DNS-based restrictions do not check", e.what());
    }
  }
  // check_policy_service: connections made on demand, kept for reuse.
  const auto& cfg = context.config();
  PolicyClientParams pc;
  pc.timeout_seconds = static_cast<double>(cfg.get_time_seconds("smtpd_policy_service_timeout"));
  pc.max_idle_seconds = static_cast<double>(cfg.get_time_seconds("smtpd_policy_service_max_idle"));
  pc.max_ttl_seconds = static_cast<double>(cfg.get_time_seconds("smtpd_policy_service_max_ttl"));
  pc.try_limit = static_cast<int>(std::max(1LL, cfg.get_int("smtpd_policy_service_try_limit")));
  pc.queue_directory = cfg.get("queue_directory");
  policy_client_ = std::make_unique<PolicyClient>(loop, std::move(pc));
  context_->policy_client = policy_client_.get();
  if (params_->sasl_enable) {
    if (params_->sasl_type != "dovecot") {
      log::warning("smtpd_sasl_type = %s is not supported (only dovecot): SASL disabled", params_->sasl_type.c_str());
    } else {
      // Once per process, before the first client: the mechanisms for EHLO.
      auto client = auth::AuthClient::connect(params_->sasl_path, 5);
      if (!client)
        log::warning("SASL: connect to %s failed: %s: AUTH not offered", params_->sasl_path.c_str(),
                     client.error().message.c_str());
      else
        context_->sasl_mechanisms = client->mechanisms();
    }
  }
  reaper_ = net::Watcher::timer(loop, [this] { reap(); });
  auto removed =
      queue::remove_stale_incomplete(params_->cleanup.layout, queue::kIncoming, kStaleIncompleteSeconds,
                                     static_cast<std::int64_t>(std::time(nullptr)));
  if (!removed)
    log::warning("incoming: %s", removed.error().message.c_str());
  else if (*removed > 0)
    log::info("removed %zu stale incomplete queue file(s) from incoming", *removed);
}

void Server::accept(UniqueFd client, service::ClientLease lease) {
  std::uint64_t id = next_id_++;
  auto session = std::make_unique<Session>(*context_, id, std::move(client), std::move(lease));
  Session* raw = session.get();
  sessions_.emplace(id, std::move(session));
  raw->start();
}

void Server::reap() {
  auto done = std::move(done_);
  done_.clear();
  for (auto id : done) sessions_.erase(id);  // closes the socket, releases the lease
}

}  // namespace postern::smtpd
