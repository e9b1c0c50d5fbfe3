// One qmgr connection in local (see request.hpp). Runs in local (root).
#include "local/request.hpp"

#include "lib/ipc/delivery_server.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_reader.hpp"
#include "local/deliverer.hpp"

namespace postern::local {

Agent::Agent(const config::Config& config) : params_(load_params(config)) {
  auto opened = maps::TableList::open(params_.alias_maps);
  if (!opened) {
    // Not fatal: every delivery is deferred with the reason, as Postfix does
    // for an alias database it cannot open.
    aliases_ok_ = false;
    alias_error_ = opened.error().message;
    log::warning("alias_maps: %s", alias_error_.c_str());
  } else {
    aliases_ = std::move(*opened);
  }
}

long long Agent::serve(int fd, long long max_requests) {
  return ipc::serve_delivery(fd, [this](const ipc::DeliveryRequest& request) {
    ipc::DeliveryReply reply;
    auto queue = queue::QueueReader::open(request.queue_path);
    if (!aliases_ok_) {
      reply.deferred = true;
      reply.dsn = "4.3.0";
      reply.reason = "alias database unavailable: " + alias_error_;
    } else if (!queue) {
      reply.deferred = true;
      reply.dsn = "4.3.0";
      reply.reason = "cannot open queue file: " + queue.error().message;
      log::warning("%s: %s", request.queue_id.c_str(), reply.reason.c_str());
    } else {
      Deliverer deliverer(params_, aliases_, users_, *queue, request);
      reply = deliverer.run();
    }
    return reply;
  }, max_requests);
}

}  // namespace postern::local
