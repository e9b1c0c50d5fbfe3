// qmgr's parameters, read once at start into a plain struct. Runs in qmgr
// (mail_owner).
#pragma once

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
  std::string double_bounce_sender;
  std::string bounce_notice_recipient;
  std::string double_bounce_recipient;      // 2bounce_notice_recipient
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
  int message_active_limit = 20000;         // qmgr_message_active_limit                   // a local delivery may run commands for command_time_limit
};

QmgrParams load_params(const config::Config& config);

}  // namespace postern::qmgr
