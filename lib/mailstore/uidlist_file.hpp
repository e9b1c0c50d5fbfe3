// Dovecot's dovecot-uidlist (Maildir UID <-> file name map), read and
// written in its version-3 format so Dovecot and Postern can share or
// migrate a Maildir:
//   3 V<uidvalidity> N<nextuid> G<128-bit mailbox GUID in hex>
//   <uid> [<key><value> ...] :<base name>
// Versions 1 ("1 <uidvalidity> <nextuid>", "<uid> <file name>") and 2 are
// read. Changes are made only under UidListLock. Internal to lib/mailstore.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

struct UidListEntry {
  uint32_t uid = 0;
  std::string ext;   // Dovecot's extension fields ("W1234"), kept as read
  std::string base;  // Maildir base name (without ":2,<flags>")
};

struct UidList {
  uint32_t uidvalidity = 0;
  uint32_t nextuid = 1;
  std::string guid;                  // 32 hex digits
  std::string other_header;          // header fields we do not use, kept in order
  std::vector<UidListEntry> entries;  // ascending by uid
};

// nullopt when the text is not a uidlist (bad header, no UIDVALIDITY).
// Records that do not parse are skipped; entries are sorted and nextuid is
// raised above the highest UID seen.
std::optional<UidList> parse_uidlist(std::string_view text);
std::string format_uidlist(const UidList& list);
// 32 random hex digits for a new mailbox GUID.
std::string new_mailbox_guid();

// The whole dovecot-uidlist of a Maildir folder: nullopt when missing,
// Error when unreadable or not a uidlist.
Result<std::optional<UidList>> read_uidlist(const std::string& folder_dir);

// Dovecot's lock: "dovecot-uidlist.lock" made with O_CREAT|O_EXCL. While we
// hold it the file says "<pid>:<hostname>", so a lock left by a killed
// Postern process is taken over at once; any other lock (Dovecot's) is
// stale after 120 s without change, as Dovecot treats it. write() renames
// a fully written new list over dovecot-uidlist. Other files of the folder
// that must change together (our index, dovecot-keywords) are written while
// it is held. Move-only; the destructor removes
// the lock.
class UidListLock {
 public:
  static Result<UidListLock> acquire(const std::string& folder_dir, int timeout_ms = 30000);
  // Waits, without taking it, while another process holds the lock (up to
  // timeout_ms). True when it was held and is free now: the list may have
  // changed, so a caller that wanted the lock only to add entries should
  // read it again first. False when it was free at once or is still held.
  static bool wait_while_held(const std::string& folder_dir, int timeout_ms);
  // For work that another session may be doing at the same moment: takes
  // the lock when it is free; while someone else holds it, waits (stat
  // only) and, once it is let go, asks `still_needed` before trying again.
  // nullopt when still_needed() said no. Every session IDLE on a folder sees
  // a delivery at once; queueing them all for the lock, only to find the
  // work done, made the last of a hundred sessions report EXISTS a second
  // late.
  static Result<std::optional<UidListLock>> acquire_unless_done(const std::string& folder_dir, int timeout_ms,
                                                                const std::function<bool()>& still_needed);
  UidListLock(UidListLock&& other) noexcept;
  UidListLock& operator=(UidListLock&& other) noexcept;
  UidListLock(const UidListLock&) = delete;
  UidListLock& operator=(const UidListLock&) = delete;
  ~UidListLock();

  // Replaces dovecot-uidlist with `list` (temp file, fsync, rename).
  Status write(const UidList& list);
  void release();
  bool held() const { return fd_ >= 0; }

 private:
  UidListLock() = default;
  std::string dir_;
  int fd_ = -1;
};

}  // namespace postern::mailstore
