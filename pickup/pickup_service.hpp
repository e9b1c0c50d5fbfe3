// pickup's work: take each complete file from maildrop/, check it strictly
// (it was written by an untrusted local user), pass it through lib/cleanup
// into incoming/, and remove it. Runs as mail_owner, never root.
#pragma once

#include <cstdint>
#include <string>

#include "lib/cleanup/cleanup.hpp"
#include "lib/config/config.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"
#include "lib/queue/queue_scan.hpp"

namespace postern::pickup {

class Pickup {
 public:
  // Reads cleanup's parameters and the queue layout. `chrooted`: the process
  // already runs chrooted to queue_directory (master.cf chroot = y, as in
  // Debian's stock entry), so queue paths start at "/". Throws ConfigError.
  Pickup(const config::Config& config, bool chrooted);

  // Processes every complete maildrop file, oldest first. Stops early on a
  // temporary failure (the file stays; the next wake-up retries it).
  void scan();

 private:
  enum class Result { done, retry_later };
  Result process(const queue::QueueEntry& entry);
  void reject(const std::string& id, unsigned uid, const std::string& why);

  cleanup::Params params_;
  queue::QueueLayout layout_;
  queue::QueueIdGenerator ids_;
  std::uint64_t size_limit_ = 0;
};

}  // namespace postern::pickup
