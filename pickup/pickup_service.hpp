// pickup's work: take each complete file from maildrop/, check it strictly
// (it was written by an untrusted local user), pass it through lib/cleanup
// into incoming/, and remove it. A file owned by pickup's own user with
// mode 0700 is a queue file that `postsuper -r` put back: it goes through
// cleanup again as it is (its undelivered recipients, attributes and arrival
// time kept). Mail cleanup rejects is returned to its sender. Runs as
// mail_owner, never root.
#pragma once

#include <cstdint>
#include <string>

#include "lib/cleanup/cleanup.hpp"
#include "pickup/return_to_sender.hpp"
#include "lib/config/config.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"
#include "lib/queue/queue_scan.hpp"

namespace postern::pickup {

class Pickup {
 public:
  // Reads cleanup's parameters and the queue layout. When chrooted, lib/service
  // has already set queue_directory to "/". Throws ConfigError.
  explicit Pickup(const config::Config& config);

  // Processes every complete maildrop file, oldest first. Stops early on a
  // temporary failure (the file stays; the next wake-up retries it).
  void scan();

 private:
  enum class Result { done, retry_later };
  Result process(const queue::QueueEntry& entry);
  void reject(const std::string& id, unsigned uid, const std::string& why);
  // Returns false when a rejected message could not be returned (retry later).
  bool finish(const std::string& maildrop_id, unsigned uid, const queue::Envelope& env, std::string_view content,
              const cleanup::Outcome& out);

  cleanup::Params params_;
  queue::QueueLayout layout_;
  queue::QueueIdGenerator ids_;
  ReturnSettings returns_;
  std::uint64_t size_limit_ = 0;
};

}  // namespace postern::pickup
