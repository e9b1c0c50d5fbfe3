// Queue folder layout and repair. Runs in cleanup, qmgr, postsuper (as
// mail_owner) and in `postfix check|set-permissions` (as root).
#include "lib/queue/queue_layout.hpp"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "lib/base/sys_error.hpp"

namespace postern::queue {

bool QueueLayout::hashed(std::string_view folder) const {
  return hash_queue_depth > 0 &&
         std::find(hash_queue_names.begin(), hash_queue_names.end(), folder) != hash_queue_names.end();
}

std::string QueueLayout::folder_path(std::string_view folder) const {
  return queue_directory + "/" + std::string(folder);
}

std::string QueueLayout::dir_path(std::string_view folder, std::string_view id) const {
  std::string path = folder_path(folder);
  if (!hashed(folder)) return path;
  // Microsecond digits sit at [6, 10); use them from the last one backwards.
  int depth = std::min(hash_queue_depth, 4);
  for (int i = 0; i < depth; ++i) {
    size_t pos = 9 - size_t(i);
    path += '/';
    path += pos < id.size() ? id[pos] : '_';
  }
  return path;
}

std::string QueueLayout::file_path(std::string_view folder, std::string_view id) const {
  return dir_path(folder, id) + "/" + std::string(id);
}

const std::vector<FolderSpec>& queue_folders() {
  static const std::vector<FolderSpec> folders = {
      {"maildrop", 01730, true}, {"incoming", 0700, false}, {"active", 0700, false},
      {"deferred", 0700, false}, {"hold", 0700, false},     {"corrupt", 0700, false},
      {"bounce", 0700, false},   {"defer", 0700, false},    {"trace", 0700, false},
      {"private", 0700, false},  {"public", 02710, true},   {"pid", 0755, false, true},
  };
  return folders;
}

Result<std::vector<std::string>> ensure_queue_folders(const QueueLayout& layout, const Ownership& owner) {
  std::vector<std::string> repairs;
  if (::mkdir(layout.queue_directory.c_str(), 0755) == 0) {
    repairs.push_back("created " + layout.queue_directory);
  } else if (errno != EEXIST) {
    return sys_error("mkdir " + layout.queue_directory);
  }
  for (const auto& spec : queue_folders()) {
    std::string path = layout.folder_path(spec.name);
    bool created = ::mkdir(path.c_str(), spec.mode & 0777) == 0;
    if (created) {
      repairs.push_back("created " + path);
    } else if (errno != EEXIST) {
      return sys_error("mkdir " + path);
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return sys_error("lstat " + path);
    if (!S_ISDIR(st.st_mode)) return Error{path + ": not a directory", ENOTDIR};
    int uid = owner.uid >= 0 && spec.root_owned ? 0 : owner.uid;
    int gid = spec.group_postdrop ? owner.postdrop_gid : owner.gid;
    if (owner.uid >= 0 && spec.root_owned) gid = 0;
    bool chowned = false;
    if ((uid >= 0 && st.st_uid != unsigned(uid)) || (gid >= 0 && st.st_gid != unsigned(gid))) {
      if (::lchown(path.c_str(), uid, gid) != 0) return sys_error("chown " + path);
      if (!created) repairs.push_back("fixed owner of " + path);
      chowned = true;
    }
    // chmod also after chown (which clears set-gid) and after mkdir (umask).
    bool wrong_mode = (st.st_mode & 07777) != spec.mode;
    if (wrong_mode || chowned) {
      if (wrong_mode && !created) repairs.push_back("fixed mode of " + path);
      if (::chmod(path.c_str(), spec.mode) != 0) return sys_error("chmod " + path);
    }
  }
  return repairs;
}

Result<std::uint64_t> free_bytes(const std::string& path) {
  struct statvfs vfs {};
  if (::statvfs(path.c_str(), &vfs) != 0) return sys_error("statvfs " + path);
  return std::uint64_t(vfs.f_bavail) * std::uint64_t(vfs.f_frsize);
}

Status check_free_space(const std::string& queue_directory, std::uint64_t queue_minfree,
                        std::uint64_t message_size_limit) {
  auto avail = free_bytes(queue_directory);
  if (!avail) return avail.error();
  std::uint64_t need = std::max<std::uint64_t>(queue_minfree, message_size_limit + message_size_limit / 2);
  if (*avail < need)
    return Error{"not enough free space in mail queue: " + std::to_string(*avail) + " bytes < " +
                     std::to_string(need) + " bytes"};
  return {};
}

}  // namespace postern::queue
