// Maildir reader for POP3: lists new/ and cur/ in delivery order, UIDL = the
// unique base name (stable by Maildir's design), sizes from ",W=" when the
// writer recorded it, deletion = unlink at QUIT. Runs in pop3d as the owner.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/mailstore_readers.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

// ",W=123" (CRLF size, Dovecot) in the base name, if present.
std::optional<uint64_t> size_from_name(std::string_view base) {
  auto w = base.find(",W=");
  if (w == std::string_view::npos) return std::nullopt;
  size_t e = w + 3;
  while (e < base.size() && std::isdigit(static_cast<unsigned char>(base[e]))) ++e;
  auto n = parse_long(base.substr(w + 3, e - w - 3));
  if (!n || *n < 0) return std::nullopt;
  return uint64_t(*n);
}

class MaildirReader final : public MailboxReader {
 public:
  MaildirReader(std::string path, UniqueFd dir) : path_(std::move(path)), dir_(std::move(dir)) {}

  Status scan() {
    struct Entry {
      std::string sort_key, file, base;
      std::optional<long long> time;  // parsed once, not per comparison
    };
    std::vector<Entry> entries;
    // The same consistent listing of new/ and cur/ the IMAP store uses.
    auto files = scan_maildir(path_);
    if (!files) return files.error();
    for (auto& [base, rel] : *files) {
      // Delivery order: base names start with the delivery time in seconds.
      auto time = parse_long(std::string_view(base).substr(0, base.find('.')));
      entries.push_back({base, rel, base, time});
    }
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.time && b.time && *a.time != *b.time) return *a.time < *b.time;
      return a.sort_key < b.sort_key;
    });
    // Mail migrated from Dovecot keeps the UIDLs Dovecot gave it.
    std::optional<DovecotUidList> uidlist;
    if (auto text = read_file(path_ + "/dovecot-uidlist")) uidlist = parse_dovecot_uidlist(*text);
    for (auto& e : entries) {
      MessageInfo m;
      m.file = e.file;
      m.uidl = sanitize_uidl(e.base);
      if (uidlist)
        if (auto it = uidlist->uid_by_name.find(e.base); it != uidlist->uid_by_name.end()) {
          m.uidl = dovecot_uidl(it->second, uidlist->uidvalidity);
          m.uid = it->second;
          m.uidvalidity = uidlist->uidvalidity;
        }
      if (auto w = size_from_name(e.base)) {
        m.size = *w;
      } else {
        auto text = read_file(path_ + "/" + e.file);
        if (!text) {
          if (text.error().sys_errno == ENOENT) continue;  // removed meanwhile
          return text.error();
        }
        m.size = network_size(*text);
      }
      messages_.push_back(std::move(m));
    }
    std::vector<std::string*> uidls;
    for (auto& m : messages_) uidls.push_back(&m.uidl);
    dedupe_uidls(uidls);
    return {};
  }

  Result<std::string> read(size_t index) override {
    auto text = read_file(path_ + "/" + messages_.at(index).file);
    if (!text) return text.error();
    return to_network_owned(std::move(*text));
  }

  Status expunge(const std::vector<bool>& deleted) override {
    for (size_t i = 0; i < messages_.size() && i < deleted.size(); ++i) {
      if (!deleted[i]) continue;
      std::string p = path_ + "/" + messages_[i].file;
      if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
        // The client may have moved it new/ -> cur/ elsewhere: try the other name.
        return sys_error("unlink " + p);
      }
    }
    if (dir_) ::fsync(dir_.get());
    return {};
  }

 private:
  std::string path_;
  UniqueFd dir_;  // holds the session flock
};

}  // namespace

Result<std::unique_ptr<MailboxReader>> open_maildir(const std::string& path, OpenError& why) {
  why = OpenError::failed;
  UniqueFd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir && errno != ENOENT) return sys_error("open " + path);
  if (dir && ::flock(dir.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) why = OpenError::in_use;
    return sys_error("lock " + path);
  }
  auto reader = std::make_unique<MaildirReader>(path, std::move(dir));
  if (auto s = reader->scan(); !s) return s.error();
  why = OpenError::none;
  return std::unique_ptr<MailboxReader>(std::move(reader));
}

}  // namespace postern::mailstore
