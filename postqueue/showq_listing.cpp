// postqueue -p/-j for users who cannot read the queue (the invoking user,
// set-group-ID postdrop to reach public/showq): the report comes from showq.
#include <unistd.h>

#include <chrono>

#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/showq_client.hpp"
#include "lib/service/privileges.hpp"
#include "postqueue/actions.hpp"

namespace postern::postqueue {

bool reads_queue_directly(const config::Config& config) {
  const uid_t uid = ::getuid();
  if (uid == 0) return true;
  auto owner = service::find_account(config.get("mail_owner"));
  return owner && owner->uid == uid;
}

int list_queue_via_showq(const queue::QueueLayout& layout, bool json) {
  constexpr int kExUnavailable = 69;
  constexpr std::chrono::seconds kDeadline{120};
  auto request = json ? queue_tools::ShowqRequest::json : queue_tools::ShowqRequest::list;
  auto reply = queue_tools::query_showq(queue_tools::showq_endpoint(layout), request, kDeadline);
  if (!reply) {
    // Postfix's wording: by design, showq is a user's only way to the queue.
    log::write(log::Level::fatal, "Queue report unavailable - mail system is down");
    return kExUnavailable;
  }
  if (reply->refused) {
    log::error("Queue report unavailable: %s", reply->text.c_str());
    return 1;
  }
  if (auto s = write_all(1, reply->text); !s) {
    log::error("write standard output: %s", s.error().message.c_str());
    return 1;
  }
  return 0;
}

}  // namespace postern::postqueue
