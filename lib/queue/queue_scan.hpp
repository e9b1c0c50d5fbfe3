// Listing, moving and cleaning queue folders. Used by qmgr (scan, moves
// incoming -> active -> deferred), postsuper (hold, requeue, cleanup) and the
// start-up cleanup; runs as mail_owner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue {

struct QueueEntry {
  std::string id;
  std::string path;
};

// Complete queue files in a folder (and its hashed subfolders), sorted by ID,
// i.e. by arrival. Incomplete files (no owner-execute bit), names that are not
// queue IDs, and anything but regular files are skipped.
Result<std::vector<QueueEntry>> scan_folder(const QueueLayout& layout, std::string_view folder);

// Removes incomplete files whose last change is older than max_age_seconds
// before `now` (what a crash mid-write leaves). Returns how many went.
Result<std::size_t> remove_stale_incomplete(const QueueLayout& layout, std::string_view folder,
                                            std::int64_t max_age_seconds, std::int64_t now);

// rename(2) of a queue file between folders (incoming -> active, active ->
// deferred, any -> hold ...), making hashed subfolders as needed. Folders
// are not fsynced (see the .cpp). The file keeps its ID and its complete mark.
Status move_queue_file(const QueueLayout& layout, std::string_view id, std::string_view from,
                       std::string_view to);

// The "administratively expired" mark (postsuper -e/-f): the group-execute
// bit, which Postfix uses for the same purpose; complete queue files are 0700
// otherwise. QueueReader::force_expired() reports it.
inline constexpr unsigned kForceExpireMode = 0010;

// Sets the mark on folder/ID (chmod, then fsync). ENOENT when it is gone.
Status mark_force_expired(const QueueLayout& layout, std::string_view id, std::string_view folder);

}  // namespace postern::queue
