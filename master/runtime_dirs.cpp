// Creates master's own folders with Postfix's owners and modes. Runs in master.
#include "master/runtime_dirs.hpp"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/sys_error.hpp"
#include "lib/service/privileges.hpp"

namespace postern::master {
namespace {

Status make_dir(const std::string& path, mode_t mode, uid_t uid, gid_t gid, bool set_owner) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return sys_error("mkdir " + path);
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return sys_error("stat " + path);
  if (!S_ISDIR(st.st_mode)) return Error{path + " is not a directory"};
  if (set_owner) {
    if (::chown(path.c_str(), uid, gid) != 0) return sys_error("chown " + path);
    if (::chmod(path.c_str(), mode) != 0) return sys_error("chmod " + path);
  }
  return {};
}

}  // namespace

Status ensure_runtime_dirs(const config::Config& config) {
  const std::string queue = config.get("queue_directory");
  const bool root = ::geteuid() == 0;
  uid_t owner_uid = ::geteuid();
  gid_t owner_gid = ::getegid();
  gid_t setgid_gid = owner_gid;
  if (root) {
    auto owner = service::find_account(config.get("mail_owner"));
    if (!owner) return Error{"mail_owner: " + owner.error().message};
    owner_uid = owner->uid;
    owner_gid = owner->gid;
    std::string group_name = config.get("setgid_group");
    group* gr = ::getgrnam(group_name.c_str());
    if (!gr) return Error{"setgid_group: unknown group: " + group_name};
    setgid_gid = gr->gr_gid;
  }
  if (auto st = make_dir(queue, 0755, 0, 0, false); !st) return st;
  std::string pid_dir = config.get("process_id_directory");
  if (pid_dir.empty() || pid_dir.front() != '/') pid_dir = queue + "/" + pid_dir;
  if (auto st = make_dir(pid_dir, 0755, 0, 0, root); !st) return st;
  if (auto st = make_dir(queue + "/private", 0700, owner_uid, owner_gid, root); !st) return st;
  if (auto st = make_dir(queue + "/public", 0710, owner_uid, setgid_gid, root); !st) return st;
  return {};
}

}  // namespace postern::master
