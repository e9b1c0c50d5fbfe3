// postsuper -s / -p (mail_owner).
#include "postsuper/repair.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/log/log.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue_tools/queue_search.hpp"

namespace postern::postsuper {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

struct Found {
  std::string path;
  std::string name;
  struct stat st;
};

// Everything under dir (down to `depth` levels of one-character hash
// folders), including what scan_folder() hides: odd names, symlinks.
void walk(const std::string& dir, int depth, std::vector<Found>& out) {
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (!d) {
    if (errno != ENOENT) log::warning("open folder %s: %m", dir.c_str());
    return;
  }
  while (struct dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    std::string path = dir + "/" + name;
    if (S_ISDIR(st.st_mode) && depth > 0 && name.size() == 1)
      walk(path, depth - 1, out);
    else
      out.push_back({path, name, st});
  }
}

bool make_dirs_for(const std::string& path) {
  for (size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool move_to(const std::string& from, const std::string& to) {
  struct stat st {};
  if (::lstat(to.c_str(), &st) == 0) {
    log::warning("cannot move %s: %s exists", from.c_str(), to.c_str());
    return false;
  }
  if (!make_dirs_for(to) || ::rename(from.c_str(), to.c_str()) != 0) {
    log::warning("rename %s to %s: %m", from.c_str(), to.c_str());
    return false;
  }
  return true;
}

bool message_exists(const queue::QueueLayout& layout, const std::string& id) {
  return queue_tools::find_message(layout, id, queue_tools::all_message_folders()).has_value();
}

}  // namespace

int purge_stale(const queue::QueueLayout& layout, std::int64_t stale_seconds) {
  int removed = 0;
  for (const auto& folder : queue_tools::all_message_folders()) {
    auto n = queue::remove_stale_incomplete(layout, folder, stale_seconds, std::time(nullptr));
    if (n && *n) {
      log::info("%s: removed %zu stale temporary file%s", folder.c_str(), *n, *n == 1 ? "" : "s");
      removed += static_cast<int>(*n);
    }
  }
  return removed;
}

int repair_queue(const queue::QueueLayout& layout, std::int64_t stale_seconds) {
  int repairs = 0;
  const std::string corrupt = layout.folder_path(queue::kCorrupt);
  for (const std::string folder : {"incoming", "active", "deferred", "hold", "maildrop"}) {
    std::vector<Found> found;
    walk(layout.folder_path(folder), layout.hashed(folder) ? layout.hash_queue_depth + 1 : 0, found);
    for (const auto& f : found) {
      if (!S_ISREG(f.st.st_mode)) {
        // Nothing but regular files belongs here; a symlink could point anywhere.
        if (::unlink(f.path.c_str()) == 0) {
          log::warning("%s: removed: not a regular file", f.path.c_str());
          ++repairs;
        }
        continue;
      }
      if (!queue::valid_queue_id(f.name)) {
        if (move_to(f.path, corrupt + "/" + f.name)) {
          log::warning("%s: not a queue file name; moved to %s", f.path.c_str(), queue::kCorrupt.data());
          ++repairs;
        }
        continue;
      }
      std::string want = layout.file_path(folder, f.name);
      std::string path = f.path;
      if (path != want) {
        if (!move_to(path, want)) continue;
        log::warning("%s: moved to %s", path.c_str(), want.c_str());
        path = want;
        ++repairs;
      }
      if ((f.st.st_mode & S_IXUSR) == 0) continue;  // being written, or stale (below)
      if (folder == "maildrop") continue;           // user files: pickup checks them
      auto reader = queue::QueueReader::open(path);
      if (!reader && reader.error().sys_errno != ENOENT) {
        if (move_to(path, layout.file_path(queue::kCorrupt, f.name))) {
          log::warning("%s: %s; moved to %s", f.name.c_str(), reader.error().message.c_str(),
                       queue::kCorrupt.data());
          ++repairs;
        }
      }
    }
  }
  // Logs whose message has gone.
  for (auto folder : {queue::kDefer, queue::kBounce, queue::kTrace}) {
    std::vector<Found> found;
    walk(layout.folder_path(folder), layout.hashed(folder) ? layout.hash_queue_depth + 1 : 0, found);
    for (const auto& f : found) {
      if (queue::valid_queue_id(f.name) && message_exists(layout, f.name)) continue;
      if (::unlink(f.path.c_str()) == 0) {
        log::warning("%s: removed: no queue file for this log", f.path.c_str());
        ++repairs;
      }
    }
  }
  return repairs + purge_stale(layout, stale_seconds);
}

}  // namespace postern::postsuper
