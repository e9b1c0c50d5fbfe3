// One qmgr connection in smtp/lmtp (see agent.hpp). Runs in smtp/lmtp
// (mail_owner).
#include "smtp/agent.hpp"

#include <stdexcept>

#include "lib/base/strings.hpp"
#include "lib/bounce/status_log.hpp"
#include "lib/ipc/delivery_server.hpp"
#include "lib/log/log.hpp"

namespace postern::smtp {

namespace {
dns::ResolverConfig resolver_config(const SmtpParams& p) {
  dns::ResolverConfig c;
  c.servers = p.resolver_servers;
  return c;
}
}  // namespace

Agent::Agent(const config::Config& config, bool lmtp)
    : params_(load_params(config, lmtp)), resolver_(resolver_config(params_)), random_(std::random_device{}()) {
  if (params_.tls_level != "none") {
    auto ctx = tls::TlsClientContext::create(params_.tls_ca_file, params_.tls_ca_path);
    if (!ctx) throw std::runtime_error(ctx.error().message);
    tls_.emplace(std::move(*ctx));
  }
  if (params_.sasl_enable && !params_.sasl_password_maps.empty()) {
    auto maps = maps::TableList::open(params_.sasl_password_maps);
    if (maps) {
      sasl_passwords_ = std::move(*maps);
    } else {
      // Deliveries that need a password defer with the reason.
      sasl_error_ = params_.prefix + "_sasl_password_maps: " + maps.error().message;
      log::warning("%s", sasl_error_.c_str());
    }
  }
}

long long Agent::serve(int fd, long long max_requests) {
  return ipc::serve_delivery(fd, [this](const ipc::DeliveryRequest& request) {
    std::string path = request.queue_path;
    if (!chroot_prefix_.empty() && path.starts_with(chroot_prefix_ + "/")) path = path.substr(chroot_prefix_.size());
    auto queue = queue::QueueReader::open(path);
    if (!queue) {
      ipc::DeliveryReply reply;
      reply.deferred = true;
      reply.dsn = "4.3.0";
      reply.reason = "cannot open queue file: " + queue.error().message;
      log::warning("%s: %s", request.queue_id.c_str(), reply.reason.c_str());
      return reply;
    }
    return deliver(request, *queue);
  }, max_requests);
}

std::optional<Credentials> Agent::credentials_for(const std::string& nexthop, const Candidate& server,
                                                  std::string& temp_error) {
  if (!params_.sasl_enable) return std::nullopt;
  if (!sasl_error_.empty()) {
    temp_error = sasl_error_;
    return std::nullopt;
  }
  if (sasl_passwords_.empty()) return std::nullopt;
  // Postfix's order: the server's name, then the next hop as written
  // ("[relay.example]:587", "example.com").
  for (const std::string& key : {server.host, nexthop}) {
    if (key.empty()) continue;
    auto found = sasl_passwords_.lookup(key);
    if (found.is_temp_fail()) {
      temp_error = params_.prefix + "_sasl_password_maps lookup failed: " + found.value;
      return std::nullopt;
    }
    if (found.is_found()) {
      auto colon = found.value.find(':');
      if (colon == std::string::npos) return Credentials{found.value, ""};
      return Credentials{found.value.substr(0, colon), found.value.substr(colon + 1)};
    }
  }
  return std::nullopt;
}

void Agent::log_status(const ipc::DeliveryRequest& request, const ipc::RequestRecipient& rcpt,
                       const std::string& relay, double connected, const std::string& dsn, const std::string& status,
                       const std::string& reason) const {
  double now = bounce::now_seconds();
  if (connected == 0) connected = now;
  bounce::StatusLine line{request.queue_id, rcpt.address, rcpt.orig_rcpt == rcpt.address ? "" : rcpt.orig_rcpt,
                          relay, {request.arrival, request.active_time, request.request_time, connected, now},
                          dsn, status, reason};
  log::info("%s", bounce::format_status(line).c_str());
}

std::vector<Outcome> Agent::try_servers(const ipc::DeliveryRequest& request, const queue::QueueReader& queue,
                                        const std::string& nexthop, const std::vector<Candidate>& servers,
                                        std::string& relay) {
  const std::size_t n = 1 + request.more_recipients.size();
  std::vector<Outcome> last(n);
  for (const Candidate& server : servers) {
    std::string sasl_error;
    auto credentials = credentials_for(nexthop, server, sasl_error);
    relay = server.relay();
    if (!sasl_error.empty()) {
      Outcome o;
      o.kind = Outcome::Kind::defer;
      o.dsn = "4.7.0";
      o.reason = sasl_error;
      return std::vector<Outcome>(n, o);
    }
    SessionInput input{params_, request, queue, server, tls_ ? &*tls_ : nullptr, credentials};
    last = run_session(input);
    if (!last.front().tls_info.empty()) log::info("%s", last.front().tls_info.c_str());
    // Outcome next comes only before MAIL, so it is the same for everyone.
    if (last.front().kind != Outcome::Kind::next) break;
    // Postfix logs each failed server at info level and goes on.
    log::info("%s: %s", request.queue_id.c_str(), last.front().reason.c_str());
  }
  return last;
}

ipc::DeliveryReply Agent::deliver(const ipc::DeliveryRequest& request, const queue::QueueReader& queue) {
  const std::vector<ipc::RequestRecipient> rcpts = request.all_recipients();
  ipc::DeliveryReply reply;
  using Status = ipc::RecipientResult::Status;
  auto settle = [&](std::size_t i, const std::string& relay, double connected, const std::string& dsn, Status status,
                    const std::string& reason) {
    log_status(request, rcpts[i], relay, connected, dsn,
               status == Status::sent ? "sent" : status == Status::bounced ? "bounced" : "deferred", reason);
    reply.results.push_back({rcpts[i].offset, status, dsn, reason});
    reply.dsn = dsn;
    reply.reason = reason;
  };
  auto settle_all = [&](const std::string& relay, const std::string& dsn, Status status, const std::string& reason) {
    for (std::size_t i = 0; i < rcpts.size(); ++i) settle(i, relay, 0, dsn, status, reason);
    reply.deferred = status == Status::deferred;
    return reply;
  };

  std::string nexthop = request.nexthop;
  const auto at = request.recipient.rfind('@');
  const std::string domain = at == std::string::npos ? "" : request.recipient.substr(at + 1);
  if (nexthop.empty()) nexthop = domain;
  auto hop = parse_next_hop(nexthop, params_.default_port);
  if (!hop) {
    return settle_all("none", "4.3.5",  Status::deferred,
                      "bad next-hop destination \"" + nexthop + "\" for the " + params_.prefix + " transport");
  }
  const AddressPolicy policy{params_.use_ipv4, params_.use_ipv6, params_.address_preference};
  // Postfix uses smtp_fallback_relay only when the next hop is the
  // recipient's own domain: never for relayhost or a transport next hop.
  const bool may_fall_back = !params_.fallback_relay.empty() && !hop->is_unix() && hop->mx_lookup &&
                             to_lower(hop->host) == to_lower(domain);

  DestinationPlan plan = plan_destinations(*hop, resolver_, random_, policy);
  // A null MX is final; a name that does not exist or a DNS failure may
  // still go to the fallback relay.
  const bool plan_failed = plan.status != DestinationPlan::Status::ok;
  if (plan_failed && (!may_fall_back || plan.dsn == "5.1.10")) {
    return settle_all("none", plan.dsn, plan.status == DestinationPlan::Status::bounce ? Status::bounced : Status::deferred,
                      plan.reason);
  }
  std::string relay = "none";
  std::vector<Outcome> outcomes(rcpts.size());
  if (!plan_failed) {
    outcomes = try_servers(request, queue, nexthop, plan.candidates, relay);
  } else {
    log::info("%s: %s", request.queue_id.c_str(), plan.reason.c_str());
    outcomes.assign(rcpts.size(), Outcome{Outcome::Kind::next, "4.4.3", plan.reason, 0, ""});
  }
  if (may_fall_back && outcomes.front().kind == Outcome::Kind::next) {
    for (const std::string& fallback : params_.fallback_relay) {
      auto fallback_hop = parse_next_hop(fallback, 25);
      if (!fallback_hop || fallback_hop->is_unix()) {
        log::warning("smtp_fallback_relay: bad destination \"%s\"", fallback.c_str());
        continue;
      }
      DestinationPlan fallback_plan = plan_destinations(*fallback_hop, resolver_, random_, policy);
      if (fallback_plan.status != DestinationPlan::Status::ok) {
        log::info("%s: %s", request.queue_id.c_str(), fallback_plan.reason.c_str());
        continue;
      }
      outcomes = try_servers(request, queue, fallback, fallback_plan.candidates, relay);
      if (outcomes.front().kind != Outcome::Kind::next) break;
    }
  }
  bool all_deferred = true;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    const Outcome& o = outcomes[i];
    switch (o.kind) {
      case Outcome::Kind::sent:
        settle(i, relay, o.connected, o.dsn, Status::sent, o.reason);
        all_deferred = false;
        break;
      case Outcome::Kind::bounce:
        settle(i, relay, o.connected, o.dsn, Status::bounced, o.reason);
        all_deferred = false;
        break;
      case Outcome::Kind::defer:
        settle(i, relay, o.connected, o.dsn, Status::deferred, o.reason);
        break;
      case Outcome::Kind::next: {
        // Every server failed before a transaction: try again later.
        std::string dsn = o.dsn.empty() ? "4.4.1" : o.dsn;
        if (dsn[0] != '4') dsn = "4" + dsn.substr(1);
        settle(i, relay, 0, dsn, Status::deferred, o.reason.empty() ? "no server to try" : o.reason);
        break;
      }
    }
  }
  reply.deferred = all_deferred;
  return reply;
}

}  // namespace postern::smtp
