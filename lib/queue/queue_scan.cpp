// Queue folder scanning, moves and stale-file cleanup. Runs in qmgr and
// postsuper as mail_owner.
#include "lib/queue/queue_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <memory>

#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_writer.hpp"

namespace postern::queue {
namespace {

struct DirCloser {
  void operator()(DIR* d) const { ::closedir(d); }
};

// Calls fn(path, name, stat) for each regular file that is named like a queue
// ID, descending into subfolders up to `depth` levels (hashed folders).
Status walk(const std::string& dir, int depth,
            const std::function<void(const std::string&, const std::string&, const struct stat&)>& fn) {
  std::unique_ptr<DIR, DirCloser> d(::opendir(dir.c_str()));
  if (!d) {
    if (errno == ENOENT) return {};
    return sys_error("opendir " + dir);
  }
  std::vector<std::string> subdirs;
  errno = 0;
  while (struct dirent* e = ::readdir(d.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st {};
    if (::fstatat(::dirfd(d.get()), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // raced away
    std::string path = dir + "/" + name;
    if (S_ISDIR(st.st_mode) && depth > 0 && name.size() == 1) {
      subdirs.push_back(path);
    } else if (S_ISREG(st.st_mode) && valid_queue_id(name)) {
      fn(path, name, st);
    }
  }
  for (const auto& sub : subdirs)
    if (auto s = walk(sub, depth - 1, fn); !s) return s;
  return {};
}

int walk_depth(const QueueLayout& layout, std::string_view folder) {
  // Also look one level past today's depth, in case hash_queue_depth shrank.
  return layout.hashed(folder) ? std::min(layout.hash_queue_depth, 4) + 1 : 0;
}

}  // namespace

Result<std::vector<QueueEntry>> scan_folder(const QueueLayout& layout, std::string_view folder) {
  std::vector<QueueEntry> entries;
  auto status = walk(layout.folder_path(folder), walk_depth(layout, folder),
                     [&](const std::string& path, const std::string& name, const struct stat& st) {
                       if (st.st_mode & S_IXUSR) entries.push_back({name, path});
                     });
  if (!status) return status.error();
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return entries;
}

Result<std::size_t> remove_stale_incomplete(const QueueLayout& layout, std::string_view folder,
                                            std::int64_t max_age_seconds, std::int64_t now) {
  std::size_t removed = 0;
  auto status = walk(layout.folder_path(folder), walk_depth(layout, folder),
                     [&](const std::string& path, const std::string&, const struct stat& st) {
                       if ((st.st_mode & S_IXUSR) == 0 && st.st_mtime + max_age_seconds < now &&
                           ::unlink(path.c_str()) == 0)
                         ++removed;
                     });
  if (!status) return status.error();
  return removed;
}

Status move_queue_file(const QueueLayout& layout, std::string_view id, std::string_view from,
                       std::string_view to) {
  if (!valid_queue_id(id)) return Error{"bad queue ID: " + std::string(id)};
  std::string source = layout.file_path(from, id);
  std::string target_dir = layout.dir_path(to, id);
  std::string target = target_dir + "/" + std::string(id);
  if (::rename(source.c_str(), target.c_str()) != 0) {
    if (errno != ENOENT || !layout.hashed(to)) return sys_error("rename " + source + " to " + target);
    // The hashed subfolder may not exist yet.
    std::string sub = layout.folder_path(to);
    for (size_t at = sub.size(); at < target_dir.size();) {
      size_t next = target_dir.find('/', at + 1);
      sub = target_dir.substr(0, next);
      if (::mkdir(sub.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("mkdir " + sub);
      at = next == std::string::npos ? target_dir.size() : next;
    }
    if (::rename(source.c_str(), target.c_str()) != 0) return sys_error("rename " + source + " to " + target);
  }
  // No folder fsync, as Postfix: the file's data was fsynced before it was
  // ever accepted, and a move lost in an OS crash leaves it in its previous
  // folder, from which it is delivered again — a possible duplicate, never a
  // loss. Two fsyncs per move were qmgr's bottleneck.
  return {};
}

Status mark_force_expired(const QueueLayout& layout, std::string_view id, std::string_view folder) {
  const std::string path = layout.file_path(folder, id);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (!fd) return sys_error("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return sys_error("fstat " + path);
  if (!S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR) == 0) return Error{path + ": not a complete queue file"};
  if (::fchmod(fd.get(), (st.st_mode & 07777) | kForceExpireMode) != 0) return sys_error("chmod " + path);
  if (::fsync(fd.get()) != 0) return sys_error("fsync " + path);
  return {};
}

}  // namespace postern::queue
