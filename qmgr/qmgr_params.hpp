// qmgr's parameters, read once at start into a plain struct. Runs in qmgr
// (mail_owner).
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "lib/config/config.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::qmgr {

struct QmgrParams {
  queue::QueueLayout layout;
  std::string myhostname;
  std::string myorigin;
  std::vector<std::string> mydestination;   // lower case
  std::vector<std::string> inet_addresses;  // inet_interfaces addresses, for [1.2.3.4] literals
  std::string local_transport;              // service name: "local"
  std::string local_transport_spec;         // as configured: "local:$myhostname"
  std::string default_transport;            // "smtp", or "smtp:[relay]:port"
  std::string relay_transport;              // "relay"
  std::string relayhost;                    // "", "[host]:port", "host"
  std::vector<std::string> relay_domains;   // names and type:name tables
  std::string transport_maps;               // table list, as configured
  std::string recipient_delimiter;
  // Per-transport limits from master.cf (maxproc) and main.cf
  // (<transport>_destination_concurrency_limit).
  std::map<std::string, int> process_limits;
  std::map<std::string, int> destination_concurrency;
  // <transport>_destination_recipient_limit: recipients of one message per
  // delivery request (local always gets one).
  std::map<std::string, int> recipient_limits;
  // master.cf services run by smtp or lmtp: only they take several
  // recipients per request (every other agent gets one at a time).
  std::set<std::string> multi_recipient_transports;
  int default_recipient_limit = 50;
  int default_process_limit = 100;
  int default_destination_concurrency = 20;
  int initial_destination_concurrency = 5;
  std::string double_bounce_sender;
  std::string bounce_notice_recipient;
  std::string double_bounce_recipient;      // 2bounce_notice_recipient
  std::string delay_notice_recipient;
  std::vector<std::string> notify_classes;
  long long minimal_backoff = 300;
  long long maximal_backoff = 4000;
  long long queue_run_delay = 300;
  long long maximal_queue_lifetime = 5 * 86400;
  long long bounce_queue_lifetime = 5 * 86400;
  long long delay_warning_time = 0;
  long long bounce_size_limit = 50000;
  int ipc_timeout = 3600;
  int local_process_limit = 100;            // master.cf maxproc of the local transport
  int local_destination_concurrency = 2;    // per recipient (local_destination_recipient_limit = 1)
  int message_active_limit = 20000;         // qmgr_message_active_limit
};

QmgrParams load_params(const config::Config& config);

// The process limit of a transport (master.cf maxproc, else default_process_limit).
int process_limit(const QmgrParams& params, const std::string& transport);
// Parallel deliveries to one next hop of a remote transport.
int destination_limit(const QmgrParams& params, const std::string& transport);
// Recipients of one message per delivery request to `transport`: 1 unless
// master.cf runs it with smtp or lmtp, else <transport>_destination_recipient_limit, bounded so
// that a request stays within the attribute protocol's limits.
int recipient_limit(const QmgrParams& params, const std::string& transport);

}  // namespace postern::qmgr
