// Notices enter the queue like any message, from the null sender or the
// double-bounce address, through lib/queue's durable writer.
#include "lib/bounce/notice_queue.hpp"

#include "lib/bounce/status_log.hpp"
#include "lib/queue/queue_writer.hpp"

namespace postern::bounce {

Result<std::string> enqueue_notice(const queue::QueueLayout& layout, queue::QueueIdGenerator& ids,
                                   const std::string& sender, const std::string& to, const std::string& text) {
  queue::Envelope env;
  env.sender = sender;
  double now = now_seconds();
  env.arrival_seconds = static_cast<std::int64_t>(now);
  env.arrival_microseconds = static_cast<std::uint32_t>((now - static_cast<double>(env.arrival_seconds)) * 1e6);
  queue::Recipient r;
  r.address = to;
  env.recipients.push_back(r);
  env.attributes.protocol = "local";
  return queue::enqueue(layout, ids, env, text);
}

}  // namespace postern::bounce
