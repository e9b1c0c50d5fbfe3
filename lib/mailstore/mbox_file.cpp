// mbox locking with recovery from a killed holder, and crash-safe tail
// rewrites with a journal (see mbox_file.hpp). Runs in imapd's mail process
// as the mailbox owner.
#include "lib/mailstore/mbox_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "lib/base/file_io.hpp"
#include "lib/base/host_name.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/mailstore/folder_index.hpp"

namespace postern::mailstore {
namespace {

const char kJournal[] = "/postern-mbox-journal";
const char kLockOwner[] = "/postern-mbox-dotlock";

mailbox::LockOptions lock_options() {
  mailbox::LockOptions o;
  o.attempts = 20;
  o.delay_ms = 250;
  return o;
}

std::string dotlock_identity(const struct stat& st) {
  return std::to_string(st.st_ino) + " " + std::to_string(int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec);
}

// A dotlock our own killed process left. The owner record is written
// before the dotlock is taken ("<pid> <host>") and completed with the lock
// file's inode and change time once it is held, so a kill at any moment
// leaves a record: complete, it must name this very file; pending, the
// dotlock must be younger than the record and nobody may hold the fcntl
// lock (every live holder of the dotlock — local, mutt — also holds that).
void remove_dead_owners_dotlock(const std::string& path, const std::string& index_dir, int fd) {
  struct stat st{};
  if (::lstat((path + ".lock").c_str(), &st) != 0) return;
  std::string record_path = index_dir + kLockOwner;
  auto owner = read_file(record_path);
  struct stat record{};
  if (!owner || ::stat(record_path.c_str(), &record) != 0) return;
  auto f = split(trim(*owner), " ");
  if ((f.size() != 2 && f.size() != 4) || f[1] != host_name()) return;
  auto pid = parse_long(f[0]);
  if (!pid || *pid <= 0) return;
  if (::kill(pid_t(*pid), 0) == 0 || errno != ESRCH) return;
  if (f.size() == 4) {
    if (f[2] + " " + f[3] != dotlock_identity(st)) return;
  } else {
    auto ns = [](const struct timespec& t) { return int64_t(t.tv_sec) * 1000000000 + t.tv_nsec; };
    if (ns(st.st_ctim) < ns(record.st_mtim)) return;
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK) return;
  }
  ::unlink((path + ".lock").c_str());
}

void record_dotlock_owner(const std::string& path, const std::string& index_dir) {
  struct stat st{};
  if (::lstat((path + ".lock").c_str(), &st) != 0) return;
  (void)replace_file(index_dir + kLockOwner,
                     std::to_string(::getpid()) + " " + host_name() + " " + dotlock_identity(st) + "\n");
}

struct Journal {
  uint64_t ino = 0, start = 0, old_length = 0;
  uint32_t prefix_crc = 0, old_crc = 0;
  std::string tail;
};

// "POSTERN-MBOX-JOURNAL 1 <inode> <start> <prefix crc> <old tail length>
// <old tail crc> <tail length> <tail crc>" then the new tail.
std::optional<Journal> parse_journal(const std::string& text) {
  auto eol = text.find('\n');
  if (eol == std::string::npos) return std::nullopt;
  auto f = split(text.substr(0, eol), " ");
  if (f.size() != 9 || f[0] != "POSTERN-MBOX-JOURNAL" || f[1] != "1") return std::nullopt;
  Journal j;
  auto num = [](const std::string& s) { return std::strtoull(s.c_str(), nullptr, 10); };
  j.ino = num(f[2]);
  j.start = num(f[3]);
  j.prefix_crc = uint32_t(num(f[4]));
  j.old_length = num(f[5]);
  j.old_crc = uint32_t(num(f[6]));
  uint64_t len = num(f[7]);
  j.tail = text.substr(eol + 1);
  if (j.tail.size() != len || crc32(j.tail) != uint32_t(num(f[8]))) return std::nullopt;
  return j;
}

// What local appended after we died: `rest` is the file from the journal's
// start. Either the old tail is still whole (the file was not cut yet), or
// the file was cut and our tail (maybe partly) written: its longest prefix
// shared with `rest`, after which a delivery begins with a From_ line at a
// line start.
std::string_view appended_after(std::string_view rest, const Journal& j) {
  if (rest.size() >= j.old_length && crc32(rest.substr(0, j.old_length)) == j.old_crc)
    return rest.substr(j.old_length);
  std::string_view tail = j.tail;
  size_t k = 0;
  while (k < rest.size() && k < tail.size() && rest[k] == tail[k]) ++k;
  if (k == rest.size()) return {};
  size_t last = k;
  while (last < rest.size() && rest[last] == '\n') ++last;
  for (size_t q = last + 1; q-- > 0;) {
    if ((q == 0 || rest[q - 1] == '\n') && rest.substr(q).starts_with("From ")) return rest.substr(q);
  }
  return rest.substr(k);
}

Status recover(int fd, const std::string& index_dir) {
  std::string journal_path = index_dir + kJournal;
  auto text = read_file(journal_path);
  if (!text) return text.error().sys_errno == ENOENT ? Status{} : Status{text.error()};
  auto set_aside = [&]() {
    // Not ours to apply (damaged, or the file was replaced or rewritten by
    // another program since): kept for the administrator, never replayed.
    (void)::rename(journal_path.c_str(), (journal_path + ".bad").c_str());
    return Status{};
  };
  auto j = parse_journal(*text);
  if (!j) return set_aside();
  struct stat st{};
  if (::fstat(fd, &st) != 0) return sys_error("fstat mailbox");
  if (uint64_t(st.st_ino) != j->ino || uint64_t(st.st_size) < j->start) return set_aside();
  auto file = pread_exact(fd, 0, uint64_t(st.st_size));
  if (!file) return file.error();
  std::string_view all(*file);
  if (crc32(all.substr(0, j->start)) != j->prefix_crc) return set_aside();
  std::string_view appended = appended_after(all.substr(j->start), *j);
  std::string tail = j->tail;
  if (!appended.empty()) {
    std::string_view before = tail.empty() ? all.substr(0, j->start) : std::string_view(tail);
    if (!before.empty() && !before.ends_with("\n\n")) tail += before.ends_with("\n") ? "\n" : "\n\n";
    tail += appended;
  }
  return rewrite_mbox_tail(fd, index_dir, all, j->start, tail);
}

}  // namespace

bool mbox_journal_pending(const std::string& index_dir) {
  struct stat st{};
  return ::stat((index_dir + kJournal).c_str(), &st) == 0;
}

Result<LockedMbox> lock_mbox(const std::string& path, const std::string& index_dir, bool create) {
  LockedMbox out;
  out.fd.reset(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (create ? O_CREAT : 0), 0600));
  if (!out.fd) {
    if (errno == ENOENT) return out;
    return sys_error("open " + path);
  }
  struct stat st{};
  if (::fstat(out.fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return Error{path + " is not a regular file", EPERM};
  remove_dead_owners_dotlock(path, index_dir, out.fd.get());
  std::string record = index_dir + kLockOwner;
  (void)replace_file(record, std::to_string(::getpid()) + " " + host_name() + "\n");  // pending
  out.owner_record = std::make_shared<OwnerRecord>(record);
  auto lock = mailbox::MailboxLock::acquire(path, out.fd.get(), lock_options());
  if (!lock) return lock.error();
  if (lock->has_dotlock()) record_dotlock_owner(path, index_dir);
  out.lock.emplace(std::move(*lock));
  if (mbox_journal_pending(index_dir))
    if (auto s = recover(out.fd.get(), index_dir); !s) return s.error();
  return out;
}

Status write_mbox_journal(int fd, const std::string& index_dir, std::string_view current, uint64_t start,
                          std::string_view tail) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) return sys_error("fstat mailbox");
  if (start > current.size()) return Error{"mbox rewrite beyond the end of the file", EINVAL};
  std::string_view old_tail = current.substr(start);
  std::string journal = "POSTERN-MBOX-JOURNAL 1 " + std::to_string(st.st_ino) + " " + std::to_string(start) + " " +
                        std::to_string(crc32(current.substr(0, start))) + " " + std::to_string(old_tail.size()) +
                        " " + std::to_string(crc32(old_tail)) + " " + std::to_string(tail.size()) + " " +
                        std::to_string(crc32(tail)) + "\n";
  journal += tail;
  // Durable before the first byte of the mailbox changes.
  return write_file_atomic(index_dir + kJournal, journal, 0600);
}

OwnerRecord::~OwnerRecord() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status rewrite_mbox_tail(int fd, const std::string& index_dir, std::string_view current, uint64_t start,
                         std::string_view tail) {
  if (auto s = write_mbox_journal(fd, index_dir, current, start, tail); !s) return s;
  std::string journal_path = index_dir + kJournal;
  // Cut first, then write: after a crash the file is either whole (plus
  // deliveries) or the prefix and part of the tail (plus deliveries).
  if (::ftruncate(fd, off_t(start)) != 0) return sys_error("truncate mailbox");
  if (auto s = pwrite_all(fd, tail, start); !s) return s;
  if (::fsync(fd) != 0) return sys_error("fsync mailbox");
  if (::unlink(journal_path.c_str()) != 0) return sys_error("remove " + journal_path);
  return {};
}

}  // namespace postern::mailstore
