// inotify on a folder's watch paths for IDLE, telling the changes that
// matter from the noise. A Maildir's own directory sees lock and temporary
// files come and go whenever any session numbers new mail; with a hundred
// sessions idling on one folder, waking all of them for each of those
// events made every delivery cost each session several full refreshes.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/base/unique_fd.hpp"
#include "lib/mailstore/folder.hpp"

namespace postern::mailstore {

class FolderWatch {
 public:
  // No descriptor (fd() < 0) when inotify is unavailable; callers poll then.
  explicit FolderWatch(const std::vector<WatchPath>& paths);

  int fd() const { return fd_.get(); }
  // Reads every pending event; true when one of them may change what the
  // folder shows (a watched name, a path watched whole, or a lost event).
  bool drain();

 private:
  UniqueFd fd_;
  std::unordered_map<int, std::vector<std::string>> names_by_watch_;  // empty: every name matters
};

}  // namespace postern::mailstore
