// Queue folders under queue_directory, hashed subfolders (hash_queue_depth,
// hash_queue_names), the create/repair helper behind `postfix check` and
// `postfix set-permissions`, and the queue_minfree free-space check. Used by
// cleanup, qmgr, postsuper (mail_owner) and the postfix command (root).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::queue {

// Folder names, as in Postfix.
inline constexpr std::string_view kMaildrop = "maildrop";
inline constexpr std::string_view kIncoming = "incoming";
inline constexpr std::string_view kActive = "active";
inline constexpr std::string_view kDeferred = "deferred";
inline constexpr std::string_view kHold = "hold";
inline constexpr std::string_view kCorrupt = "corrupt";
inline constexpr std::string_view kBounce = "bounce";
inline constexpr std::string_view kDefer = "defer";
inline constexpr std::string_view kTrace = "trace";

struct QueueLayout {
  std::string queue_directory;
  int hash_queue_depth = 1;                                      // Postfix default
  std::vector<std::string> hash_queue_names = {"deferred", "defer"};  // Postfix default

  bool hashed(std::string_view folder) const;
  // queue_directory/folder[/h1[/h2...]]/id. Hash characters come from the
  // ID's microsecond digits, last first, the best-spread part of the ID.
  std::string file_path(std::string_view folder, std::string_view id) const;
  // The directory file_path() puts `id` in.
  std::string dir_path(std::string_view folder, std::string_view id) const;
  std::string folder_path(std::string_view folder) const;
};

struct FolderSpec {
  std::string_view name;
  unsigned mode;
  bool group_postdrop;      // group is setgid_group (postdrop) instead of mail_owner's
  bool root_owned = false;  // pid/: master's, so mail_owner cannot tamper with it
};

// maildrop incoming active deferred hold corrupt bounce defer trace private
// public pid, with Postfix's owners and modes (maildrop 1730 and public 2710
// are writable/searchable by the postdrop group, pid is root's 0755, the rest
// are mail_owner's and private).
const std::vector<FolderSpec>& queue_folders();

struct Ownership {
  int uid = -1;           // mail_owner; -1: leave owner alone (not root)
  int gid = -1;           // mail_owner's group
  int postdrop_gid = -1;  // setgid_group
};

// Creates queue_directory and every missing folder, and repairs modes (and
// owners, when given) of existing ones. Hashed subfolders are made on demand.
// Returns the list of repairs made, for `postfix check` to log.
Result<std::vector<std::string>> ensure_queue_folders(const QueueLayout& layout, const Ownership& owner = {});

// Bytes available to an unprivileged writer on the file system holding path.
Result<std::uint64_t> free_bytes(const std::string& path);

// Postfix's rule: refuse mail unless free space >= queue_minfree and
// >= 1.5 * message_size_limit. Error text says which, for the 452 reply log.
Status check_free_space(const std::string& queue_directory, std::uint64_t queue_minfree,
                        std::uint64_t message_size_limit);

}  // namespace postern::queue
