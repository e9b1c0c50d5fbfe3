// mbox INBOX reader for POP3: scans From_ lines under the delivery lock
// (dotlock + fcntl, shared with local), serves messages by offset, and at
// QUIT compacts the file in place under the same lock, keeping mail that
// arrived during the session. Runs in pop3d as the mailbox owner.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/mailbox_lock.hpp"
#include "lib/mailstore/mailstore_readers.hpp"
#include "lib/mailstore/mbox_parse.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

mailbox::LockOptions lock_options() {
  mailbox::LockOptions o;
  o.attempts = 10;
  o.delay_ms = 500;
  return o;
}

// The header block of a message (up to the first empty line).
std::string_view header_block(std::string_view msg) {
  auto end = msg.find("\n\n");
  return end == std::string_view::npos ? msg : msg.substr(0, end + 1);
}

// The value of the first `name:` header line ("X-UIDL", "X-UID"), trimmed.
std::string_view header_value(std::string_view headers, std::string_view name) {
  size_t pos = 0;
  while (pos < headers.size()) {
    auto eol = headers.find('\n', pos);
    std::string_view line = headers.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (line.size() > name.size() && line[name.size()] == ':' && strncasecmp(line.data(), name.data(), name.size()) == 0) {
      std::string_view v = line.substr(name.size() + 1);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.remove_suffix(1);
      return v;
    }
    if (eol == std::string_view::npos) break;
    pos = eol + 1;
  }
  return {};
}

unsigned long number(std::string_view s) {
  return std::strtoul(std::string(s.substr(0, s.find(' '))).c_str(), nullptr, 10);
}

class MboxReader final : public MailboxReader {
 public:
  MboxReader(std::string path, UniqueFd fd) : path_(std::move(path)), fd_(std::move(fd)) {}

  Status scan() {
    if (!fd_) return {};
    auto lock = mailbox::MailboxLock::acquire(path_, fd_.get(), lock_options());
    if (!lock) return lock.error();
    struct stat st{};
    if (::fstat(fd_.get(), &st) != 0) return sys_error("fstat " + path_);
    auto text = pread_exact(fd_.get(), 0, uint64_t(st.st_size));
    if (!text) return text.error();
    std::string_view t = *text;
    if (!t.empty() && !t.starts_with("From ")) return Error{path_ + " is not an mbox file (no From_ line at its start)"};
    scanned_end_ = t.size();
    unsigned long uidvalidity = 0;  // from Dovecot's X-IMAPbase in the first message
    size_t pos = 0;
    while (pos < t.size()) {
      size_t from = pos;
      size_t eol = t.find('\n', from);
      if (eol == std::string_view::npos) eol = t.size() - 1;
      size_t body = eol + 1;
      // The next From_ line: a plausible one (RFC 4155) after an empty line.
      size_t next = find_mbox_separator(t, body - 1);
      size_t span_end = next == std::string_view::npos ? t.size() : next + 2;
      size_t content_end = next == std::string_view::npos ? t.size() : next + 1;
      if (next == std::string_view::npos && content_end > body + 1 && t.substr(content_end - 2, 2) == "\n\n")
        --content_end;
      if (content_end < body) content_end = body;
      std::string_view msg = t.substr(body, content_end - body);
      MessageInfo m;
      m.offset = body;
      m.length = msg.size();
      m.size = network_size(msg);
      std::string_view headers = header_block(msg);
      if (messages_.empty()) uidvalidity = number(header_value(headers, "X-IMAPbase"));
      if (unsigned long uid = number(header_value(headers, "X-UID")); uid && uidvalidity) {
        m.uid = uid;
        m.uidvalidity = uidvalidity;
      }
      // An X-UIDL header wins (pop3_reuse_xuidl), then the UID Dovecot wrote
      // (X-UID, as Dovecot's default pop3_uidl_format), then a digest.
      if (auto x = header_value(headers, "X-UIDL"); !x.empty()) m.uidl = sanitize_uidl(x);
      else if (unsigned long uid = number(header_value(headers, "X-UID")); uid && uidvalidity) m.uidl = dovecot_uidl(uid, uidvalidity);
      else m.uidl = md5_hex(std::string(t.substr(from, body - from)) + std::string(headers));
      messages_.push_back(std::move(m));
      spans_.push_back({from, span_end});
      pos = span_end;
    }
    std::vector<std::string*> uidls;
    for (auto& m : messages_) uidls.push_back(&m.uidl);
    dedupe_uidls(uidls);
    return {};
  }

  Result<std::string> read(size_t index) override {
    const MessageInfo& m = messages_.at(index);
    auto raw = pread_exact(fd_.get(), m.offset, m.length);
    if (!raw) return raw.error();
    return to_network_owned(std::move(*raw));
  }

  Status expunge(const std::vector<bool>& deleted) override {
    size_t first = 0;
    while (first < deleted.size() && !deleted[first]) ++first;
    if (first == deleted.size() || !fd_) return {};
    auto lock = mailbox::MailboxLock::acquire(path_, fd_.get(), lock_options());
    if (!lock) return lock.error();
    struct stat st{};
    if (::fstat(fd_.get(), &st) != 0) return sys_error("fstat " + path_);
    if (uint64_t(st.st_size) < scanned_end_) return Error{path_ + " was truncated by someone else; nothing deleted"};
    uint64_t write_at = spans_[first].first;
    auto move_range = [&](uint64_t from, uint64_t to) -> Status {
      char buf[65536];
      while (from < to) {
        size_t want = size_t(std::min<uint64_t>(sizeof buf, to - from));
        ssize_t n = ::pread(fd_.get(), buf, want, off_t(from));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return sys_error("read " + path_);
        if (write_at != from) {
          ssize_t w = ::pwrite(fd_.get(), buf, size_t(n), off_t(write_at));
          if (w != n) return sys_error("write " + path_);
        }
        from += uint64_t(n);
        write_at += uint64_t(n);
      }
      return {};
    };
    for (size_t i = first; i < spans_.size(); ++i)
      if (!deleted[i])
        if (auto s = move_range(spans_[i].first, spans_[i].second); !s) return s;
    // Mail delivered while the session was open.
    if (auto s = move_range(scanned_end_, uint64_t(st.st_size)); !s) return s;
    if (::ftruncate(fd_.get(), off_t(write_at)) != 0) return sys_error("truncate " + path_);
    if (::fsync(fd_.get()) != 0) return sys_error("fsync " + path_);
    return {};
  }

 private:
  std::string path_;
  UniqueFd fd_;
  uint64_t scanned_end_ = 0;
  std::vector<std::pair<uint64_t, uint64_t>> spans_;  // From_ line to the next From_ line
};

}  // namespace

Result<std::unique_ptr<MailboxReader>> open_mbox(const std::string& path, OpenError& why) {
  why = OpenError::failed;
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
  if (!fd && errno != ENOENT) return sys_error("open " + path);
  if (fd) {
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1)
      return Error{path + " is not a regular file with one link"};
    // The POP3 session lock: flock, which local's dotlock + fcntl do not block.
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) why = OpenError::in_use;
      return sys_error("lock " + path);
    }
  }
  auto reader = std::make_unique<MboxReader>(path, std::move(fd));
  if (auto s = reader->scan(); !s) return s.error();
  why = OpenError::none;
  return std::unique_ptr<MailboxReader>(std::move(reader));
}

}  // namespace postern::mailstore
