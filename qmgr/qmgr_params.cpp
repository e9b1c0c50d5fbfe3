// Loading QmgrParams from the configuration. Runs in qmgr (mail_owner).
#include "qmgr/qmgr_params.hpp"

#include <algorithm>

#include "lib/base/strings.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/queue_tools/tool_config.hpp"

namespace postern::qmgr {

QmgrParams load_params(const config::Config& config) {
  QmgrParams p;
  p.layout = queue_tools::layout_from_config(config);
  p.myhostname = config.get("myhostname");
  p.myorigin = config.get("myorigin");
  for (const auto& d : config.get_list("mydestination")) p.mydestination.push_back(to_lower(d));
  for (const auto& a : config.get_list("inet_interfaces")) {
    if (a == "all" || a == "loopback-only") {
      p.inet_addresses.push_back("127.0.0.1");
      p.inet_addresses.push_back("::1");
    } else {
      p.inet_addresses.push_back(to_lower(a));
    }
  }
  std::string transport = config.get("local_transport");
  p.local_transport = transport.substr(0, transport.find(':'));
  p.local_transport_spec = transport;
  p.default_transport = config.get("default_transport");
  p.relay_transport = config.get("relay_transport");
  p.relayhost = config.get("relayhost");
  p.relay_domains = config.get_list("relay_domains");
  p.transport_maps = config.get("transport_maps");
  p.recipient_delimiter = config.get("recipient_delimiter");
  p.default_destination_concurrency = static_cast<int>(config.get_int("default_destination_concurrency_limit"));
  p.initial_destination_concurrency = static_cast<int>(config.get_int("initial_destination_concurrency"));
  for (const char* t : {"smtp", "relay", "lmtp"}) {
    const std::string name = std::string(t) + "_destination_concurrency_limit";
    if (config.is_known(name)) p.destination_concurrency[t] = static_cast<int>(config.get_int(name));
    const std::string rcpt_name = std::string(t) + "_destination_recipient_limit";
    if (config.is_known(rcpt_name)) p.recipient_limits[t] = static_cast<int>(config.get_int(rcpt_name));
  }
  p.default_recipient_limit = static_cast<int>(config.get_int("default_destination_recipient_limit"));
  p.double_bounce_sender = config.get("double_bounce_sender");
  p.bounce_notice_recipient = config.get("bounce_notice_recipient");
  p.double_bounce_recipient = config.get("2bounce_notice_recipient");
  p.delay_notice_recipient = config.get("delay_notice_recipient");
  p.notify_classes = config.get_list("notify_classes");
  p.minimal_backoff = config.get_time_seconds("minimal_backoff_time");
  p.maximal_backoff = config.get_time_seconds("maximal_backoff_time");
  p.queue_run_delay = config.get_time_seconds("queue_run_delay");
  p.maximal_queue_lifetime = config.get_time_seconds("maximal_queue_lifetime");
  p.bounce_queue_lifetime = config.get_time_seconds("bounce_queue_lifetime");
  p.delay_warning_time = config.get_time_seconds("delay_warning_time");
  p.bounce_size_limit = config.get_size("bounce_size_limit");
  p.local_destination_concurrency = static_cast<int>(config.get_int("local_destination_concurrency_limit"));
  p.message_active_limit = static_cast<int>(config.get_int("qmgr_message_active_limit"));
  // The transport's process limit is master.cf's maxproc for it: more
  // parallel requests than agents would only queue up in master.
  p.default_process_limit = static_cast<int>(config.get_int("default_process_limit"));
  p.local_process_limit = p.default_process_limit;
  try {
    auto master = config::MasterCf::load(config.config_dir() + "/master.cf");
    for (const auto& e : master.entries()) {
      if (e.type == "unix" && e.maxproc) p.process_limits[e.service] = *e.maxproc == 0 ? 1000 : *e.maxproc;
      if (e.type == "unix" && (e.command == "smtp" || e.command == "lmtp")) p.multi_recipient_transports.insert(e.service);
    }
    if (const auto* e = master.find(p.local_transport, "unix"); e && e->maxproc) {
      p.local_process_limit = *e->maxproc == 0 ? 1000 : *e->maxproc;
    }
  } catch (const std::exception&) {
    // master validated it at start; an unreadable file here keeps the default.
  }
  if (p.local_process_limit < 1) p.local_process_limit = 1;
  if (p.local_destination_concurrency < 1) p.local_destination_concurrency = 1;
  if (p.default_destination_concurrency < 1) p.default_destination_concurrency = 1;
  if (p.initial_destination_concurrency < 1) p.initial_destination_concurrency = 1;
  return p;
}

int process_limit(const QmgrParams& params, const std::string& transport) {
  if (transport == params.local_transport) return params.local_process_limit;
  auto it = params.process_limits.find(transport);
  int limit = it == params.process_limits.end() ? params.default_process_limit : it->second;
  return limit < 1 ? 1 : limit;
}

int destination_limit(const QmgrParams& params, const std::string& transport) {
  auto it = params.destination_concurrency.find(transport);
  int limit = it == params.destination_concurrency.end() ? params.default_destination_concurrency : it->second;
  return limit < 1 ? 1 : limit;
}

int recipient_limit(const QmgrParams& params, const std::string& transport) {
  if (transport == params.local_transport || !params.multi_recipient_transports.contains(transport)) return 1;
  auto it = params.recipient_limits.find(transport);
  int limit = it == params.recipient_limits.end() ? params.default_recipient_limit : it->second;
  // Each recipient is three attributes of the request and four of the reply
  // (ipc::kMaxAttrs), and its reason may be a long server reply: qmgr reads
  // at most 4 * ipc::kMaxAttrLine of reply.
  constexpr int kMaxPerRequest = 100;
  return limit < 1 ? 1 : std::min(limit, kMaxPerRequest);
}

}  // namespace postern::qmgr
