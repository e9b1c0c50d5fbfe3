#include "lib/mailstore/folder_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace postern::mailstore {

FolderWatch::FolderWatch(const std::vector<WatchPath>& paths) : fd_(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK)) {
  if (!fd_) return;
  for (const auto& watch : paths) {
    int wd = ::inotify_add_watch(fd_.get(), watch.path.c_str(),
                                 IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_MODIFY | IN_ATTRIB |
                                     IN_CLOSE_WRITE);
    if (wd < 0) continue;
    // Two paths for one directory share a watch: every name of both counts,
    // and all of them when either path counts whole.
    auto [it, added] = names_by_watch_.try_emplace(wd, watch.names);
    if (added) continue;
    if (it->second.empty() || watch.names.empty()) it->second.clear();
    else it->second.insert(it->second.end(), watch.names.begin(), watch.names.end());
  }
}

bool FolderWatch::drain() {
  bool matters = false;
  alignas(struct inotify_event) char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t at = 0; at + ssize_t(sizeof(struct inotify_event)) <= n;) {
      struct inotify_event event;
      std::memcpy(&event, buf + at, sizeof event);
      const std::string_view name(buf + at + sizeof event, ::strnlen(buf + at + sizeof event, event.len));
      at += ssize_t(sizeof event + event.len);
      if (matters) continue;
      auto watch = names_by_watch_.find(event.wd);
      // A lost event (queue overflow) or a watch that went away: look again.
      if (watch == names_by_watch_.end() || (event.mask & (IN_Q_OVERFLOW | IN_IGNORED))) {
        matters = true;
        continue;
      }
      const auto& names = watch->second;
      if (names.empty() || std::find(names.begin(), names.end(), name) != names.end()) matters = true;
    }
  }
  return matters;
}

}  // namespace postern::mailstore
