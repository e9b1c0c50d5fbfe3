// One qmgr connection in smtp/lmtp (see agent.hpp). Runs in smtp/lmtp
// (mail_owner).
#include "smtp/agent.hpp"

#include <stdexcept>

#include "lib/bounce/status_log.hpp"
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

void Agent::serve(int fd) {
  if (auto ok = ipc::send_hello(fd); !ok) return;
  ipc::AttrReader reader(fd, 300);
  auto attrs = reader.read();
  if (!attrs) {
    log::warning("reading request: %s", attrs.error().message.c_str());
    return;
  }
  auto request = ipc::decode_request(*attrs);
  if (!request) {
    log::warning("bad request: %s", request.error().message.c_str());
    return;
  }
  ipc::DeliveryReply reply;
  std::string path = request->queue_path;
  if (!chroot_prefix_.empty() && path.starts_with(chroot_prefix_ + "/")) path = path.substr(chroot_prefix_.size());
  auto queue = queue::QueueReader::open(path);
  if (!queue) {
    reply.deferred = true;
    reply.dsn = "4.3.0";
    reply.reason = "cannot open queue file: " + queue.error().message;
    log::warning("%s: %s", request->queue_id.c_str(), reply.reason.c_str());
  } else {
    reply = deliver(*request, *queue);
  }
  if (auto ok = ipc::write_attrs(fd, ipc::encode_reply(reply)); !ok) {
    log::warning("%s: sending reply: %s", request->queue_id.c_str(), ok.error().message.c_str());
  }
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

void Agent::log_status(const ipc::DeliveryRequest& request, const std::string& relay, double connected,
                       const std::string& dsn, const std::string& status, const std::string& reason) const {
  double now = bounce::now_seconds();
  if (connected == 0) connected = now;
  bounce::StatusLine line{request.queue_id, request.recipient,
                          request.orig_rcpt == request.recipient ? "" : request.orig_rcpt,
                          relay, {request.arrival, request.active_time, request.request_time, connected, now},
                          dsn, status, reason};
  log::info("%s", bounce::format_status(line).c_str());
}

ipc::DeliveryReply Agent::deliver(const ipc::DeliveryRequest& request, const queue::QueueReader& queue) {
  ipc::DeliveryReply reply;
  auto defer = [&](const std::string& relay, double connected, const std::string& dsn, const std::string& reason) {
    log_status(request, relay, connected, dsn, "deferred", reason);
    reply.deferred = true;
    reply.dsn = dsn;
    reply.reason = reason;
    return reply;
  };
  auto bounce_it = [&](const std::string& relay, double connected, const std::string& dsn, const std::string& reason) {
    log_status(request, relay, connected, dsn, "bounced", reason);
    reply.dsn = dsn;
    reply.reason = reason;
    reply.failed.push_back({request.recipient, dsn, reason});
    return reply;
  };

  std::string nexthop = request.nexthop;
  if (nexthop.empty()) {
    auto at = request.recipient.rfind('@');
    nexthop = at == std::string::npos ? "" : request.recipient.substr(at + 1);
  }
  auto hop = parse_next_hop(nexthop, params_.default_port);
  if (!hop) return defer("none", 0, "4.3.5", "bad next-hop destination \"" + nexthop + "\" for the " + params_.prefix + " transport");

  DestinationPlan plan = plan_destinations(*hop, resolver_, random_);
  if (plan.status == DestinationPlan::Status::bounce) return bounce_it("none", 0, plan.dsn, plan.reason);
  if (plan.status == DestinationPlan::Status::defer) return defer("none", 0, plan.dsn, plan.reason);

  Outcome last;
  std::string last_relay = "none";
  for (const Candidate& server : plan.candidates) {
    std::string sasl_error;
    auto credentials = credentials_for(nexthop, server, sasl_error);
    if (!sasl_error.empty()) return defer(server.relay(), 0, "4.7.0", sasl_error);
    SessionInput input{params_, request, queue, server, tls_ ? &*tls_ : nullptr, credentials};
    last = run_session(input);
    last_relay = server.relay();
    if (!last.tls_info.empty()) log::info("%s", last.tls_info.c_str());
    if (last.kind == Outcome::Kind::next) {
      // Postfix logs each failed server at info level and goes on.
      log::info("%s: %s", request.queue_id.c_str(), last.reason.c_str());
      continue;
    }
    break;
  }
  switch (last.kind) {
    case Outcome::Kind::sent:
      log_status(request, last_relay, last.connected, last.dsn, "sent", last.reason);
      reply.dsn = last.dsn;
      reply.reason = last.reason;
      return reply;
    case Outcome::Kind::bounce:
      return bounce_it(last_relay, last.connected, last.dsn, last.reason);
    case Outcome::Kind::defer:
      return defer(last_relay, last.connected, last.dsn, last.reason);
    case Outcome::Kind::next:
      break;
  }
  // Every server failed before a transaction: try again later.
  std::string dsn = last.dsn.empty() ? "4.4.1" : last.dsn;
  if (dsn[0] != '4') dsn = "4" + dsn.substr(1);
  return defer(last_relay, 0, dsn, last.reason.empty() ? "no server to try" : last.reason);
}

}  // namespace postern::smtp
