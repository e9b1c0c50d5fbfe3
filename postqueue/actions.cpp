// postqueue -p/-j/-f/-s/-i (the invoking user; set-group-ID postdrop).
#include "postqueue/actions.hpp"

#include <sys/stat.h>
#include <sys/time.h>

#include <cstdio>

#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"
#include "lib/queue_tools/queue_listing.hpp"
#include "lib/queue_tools/queue_search.hpp"
#include "lib/queue_tools/trigger.hpp"

namespace postern::postqueue {
namespace {

std::string qmgr_endpoint(const queue::QueueLayout& layout) {
  return layout.queue_directory + "/public/qmgr";
}

// Asks qmgr to act; when it does not run, the mail simply waits for it, so
// this is a warning rather than Postfix's "mail system is down" failure.
void tell_qmgr(const queue::QueueLayout& layout, std::string_view requests) {
  if (auto s = queue_tools::send_trigger(qmgr_endpoint(layout), requests); !s)
    log::warning("qmgr is not running (%s); the queue is processed when it starts",
                 s.error().message.c_str());
}

}  // namespace

int list_queue(const queue::QueueLayout& layout, bool json) {
  auto listing = queue_tools::collect_listing(layout);
  if (!listing) {
    log::error("Queue report unavailable: %s", listing.error().message.c_str());
    return 1;
  }
  std::string text = json ? queue_tools::format_json(*listing) : queue_tools::format_mailq(*listing);
  if (auto s = write_all(1, text); !s) {
    log::error("write standard output: %s", s.error().message.c_str());
    return 1;
  }
  return 0;
}

int flush_queue(const queue::QueueLayout& layout) {
  // Postfix's flush of everything: forget dead destinations, ignore retry
  // times, scan deferred and incoming.
  const char requests[] = {queue_tools::kQmgrFlushDead, queue_tools::kQmgrScanAll,
                           queue_tools::kQmgrScanDeferred, queue_tools::kQmgrScanIncoming};
  tell_qmgr(layout, std::string_view(requests, sizeof requests));
  return 0;
}

int flush_message(const queue::QueueLayout& layout, const std::string& id) {
  auto where = queue_tools::find_message(layout, id, queue_tools::message_folders());
  if (!where) {
    log::error("%s: no such message in the queue", id.c_str());
    return 1;
  }
  if (where->folder == "deferred") {
    // A deferred file's modification time is its next retry time (as in
    // Postfix); making it "now" makes the message due at once.
    if (::utimes(where->path.c_str(), nullptr) != 0) {
      log::error("%s: cannot reschedule: %m", id.c_str());
      return 1;
    }
  }
  const char requests[] = {queue_tools::kQmgrScanDeferred, queue_tools::kQmgrScanIncoming};
  tell_qmgr(layout, std::string_view(requests, sizeof requests));
  return 0;
}

}  // namespace postern::postqueue
