// The mbox store: folders as files and directories under the root, INBOX
// as the spool file. Runs in imapd's mail process as the mailbox owner.
#include "lib/mailstore/mbox_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <functional>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/mailbox_lock.hpp"
#include "lib/mailstore/folder_names.hpp"
#include "lib/mailstore/mbox_folder.hpp"
#include "lib/mailstore/store_common.hpp"
#include "lib/mailstore/subscriptions.hpp"

namespace postern::mailstore {
namespace {

constexpr int kMaxDepth = 20;


// Where each folder and its index live. Copyable, so Folders can keep one.
struct Layout {
  std::string root, inbox;

  std::string disk_name(const std::string& name) const {
    std::string out;
    for (const auto& level : name_levels(name)) out += (out.empty() ? "" : "/") + utf8_to_mutf7(level);
    return out;
  }
  std::string path_of(const std::string& name) const {
    return name == "INBOX" ? inbox : root + "/" + disk_name(name);
  }
  std::string index_dir_of(const std::string& name) const {
    return root + "/.imap/" + (name == "INBOX" ? std::string("INBOX") : disk_name(name));
  }
  bool is_file(const std::string& name) const {
    struct stat st{};
    return ::stat(path_of(name).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  bool is_dir(const std::string& name) const {
    struct stat st{};
    return name != "INBOX" && ::stat(path_of(name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  }
  Status check(const std::string& name) const { return check_folder_name(name, MailLocation::Format::mbox); }
  Result<std::pair<uint32_t, std::vector<uint32_t>>> append(const std::string& raw,
                                                            std::vector<MboxAppendItem> items) const {
    std::string name = clean_folder_name(raw);
    if (auto s = check(name); !s) return s.error();
    if (name != "INBOX" && !is_file(name)) return no_such_folder(name);
    return MboxFolder::append(path_of(name), index_dir_of(name), root, items);
  }
};

Status make_parents(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) return Error{"create " + path + ": " + ec.message(), ec.value()};
  return {};
}

class MboxStore final : public MailStore {
 public:
  explicit MboxStore(Layout layout) : l_(std::move(layout)) {}

  bool exists(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (name == "INBOX") return true;
    if (!l_.check(name).ok()) return false;
    return l_.is_file(name) || l_.is_dir(name);
  }

  void walk(const std::string& dir, const std::string& prefix, int depth, std::vector<ListEntry>& out) {
    if (depth > kMaxDepth) return;
    DIR* dp = ::opendir(dir.c_str());
    if (!dp) return;
    std::vector<std::string> names;
    while (dirent* de = ::readdir(dp)) names.emplace_back(de->d_name);
    ::closedir(dp);
    for (const auto& n : names) {
      if (n.empty() || n[0] == '.' || n.ends_with(".lock") || n.find(".tmp.") != std::string::npos) continue;
      auto decoded = mutf7_to_utf8(n);
      if (!decoded) continue;
      std::string name = prefix.empty() ? *decoded : prefix + "/" + *decoded;
      if (depth == 0 && is_inbox(name)) continue;  // INBOX is the spool file
      struct stat st{};
      if (::stat((dir + "/" + n).c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode)) {
        out.push_back({name, kNoSelect});
        walk(dir + "/" + n, name, depth + 1, out);
      } else if (S_ISREG(st.st_mode)) {
        out.push_back({name, kNoInferiors});
      }
    }
  }

  Result<std::vector<ListEntry>> list() override {
    std::vector<ListEntry> entries{{"INBOX", kNoInferiors}};
    walk(l_.root, "", 0, entries);
    auto subs = subscriptions();
    finish_list(entries, subs ? *subs : std::vector<std::string>{});
    return entries;
  }

  Status create(const std::string& raw) override {
    bool hierarchy_only = raw.size() > 1 && raw.back() == '/';
    std::string name = clean_folder_name(raw);
    if (auto s = check_create(name, MailLocation::Format::mbox, l_.check(name) && exists(name)); !s) return s;
    auto levels = name_levels(name);
    std::string parent;
    for (size_t i = 0; i + 1 < levels.size(); ++i) {
      parent += (i ? "/" : "") + levels[i];
      if (l_.is_file(parent) || is_inbox(parent))
        return Error{"\"" + parent + "\" holds mail and cannot have children in mbox", EINVAL};
    }
    std::string path = l_.path_of(name);
    if (hierarchy_only) {
      std::error_code ec;
      std::filesystem::create_directories(path, ec);
      if (ec) return Error{"create " + path + ": " + ec.message(), ec.value()};
      return {};
    }
    if (auto s = make_parents(path); !s) return s;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) {
      if (errno == EEXIST) return Error{"mailbox already exists: " + name, EEXIST};
      return sys_error("create " + path);
    }
    return {};
  }

  Status remove(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (name == "INBOX") return Error{"INBOX cannot be deleted", EPERM};
    if (auto s = l_.check(name); !s) return s;
    std::string path = l_.path_of(name);
    if (l_.is_dir(name)) {
      if (::rmdir(path.c_str()) != 0) {
        if (errno == ENOTEMPTY || errno == EEXIST) return Error{"mailbox has children: " + name, ENOTEMPTY};
        return sys_error("remove " + path);
      }
    } else if (!l_.is_file(name)) {
      return no_such_folder(name);
    } else if (::unlink(path.c_str()) != 0) {
      return sys_error("remove " + path);
    }
    std::error_code ec;
    std::filesystem::remove_all(l_.index_dir_of(name), ec);
    return {};
  }

  Status rename(const std::string& raw_from, const std::string& raw_to) override {
    std::string from = clean_folder_name(raw_from), to = clean_folder_name(raw_to);
    bool valid = l_.check(from) && l_.check(to);
    if (auto s = check_rename(from, to, MailLocation::Format::mbox, valid && exists(from), valid && exists(to)); !s)
      return s;
    if (from == "INBOX") return rename_inbox(to);
    std::string src = l_.path_of(from), dst = l_.path_of(to);
    if (auto s = make_parents(dst); !s) return s;
    if (::rename(src.c_str(), dst.c_str()) != 0) return sys_error("rename " + src);
    std::string isrc = l_.index_dir_of(from), idst = l_.index_dir_of(to);
    std::error_code ec;
    std::filesystem::remove_all(idst, ec);
    (void)make_parents(idst);
    (void)::rename(isrc.c_str(), idst.c_str());  // indexes are rebuilt if this fails
    if (auto subs = subscriptions()) (void)write_subscriptions_file(rename_subscriptions(*subs, from, to));
    return {};
  }

  // RFC 3501 6.3.5: INBOX's messages go to a new folder; INBOX stays, empty.
  Status rename_inbox(const std::string& to) {
    if (auto s = create(to); !s) return s;
    UniqueFd in(::open(l_.inbox.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (!in) return errno == ENOENT ? Status{} : Status{sys_error("open " + l_.inbox)};
    mailbox::LockOptions opts;
    auto lock = mailbox::MailboxLock::acquire(l_.inbox, in.get(), opts);
    if (!lock) return lock.error();
    auto text = read_file(l_.inbox);
    if (!text) return text.error();
    std::string dst = l_.path_of(to);
    {
      UniqueFd out(::open(dst.c_str(), O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC));
      if (!out) return sys_error("open " + dst);
      if (auto s = write_all(out.get(), *text); !s) return s;
      if (::fsync(out.get()) != 0) return sys_error("fsync " + dst);
    }
    if (::ftruncate(in.get(), 0) != 0) return sys_error("truncate " + l_.inbox);
    return {};
  }

  std::string subscriptions_path() const { return l_.root + "/.subscriptions"; }

  Result<std::vector<std::string>> subscriptions() override {
    auto text = read_file(subscriptions_path());
    if (!text) {
      if (text.error().sys_errno == ENOENT) return std::vector<std::string>{};
      return text.error();
    }
    return parse_subscriptions(*text, '/');
  }

  Status write_subscriptions_file(const std::vector<std::string>& names) {
    return write_file_atomic(subscriptions_path(), format_subscriptions(names), 0600);
  }

  Status subscribe(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (auto s = l_.check(name); !s) return s;
    auto subs = subscriptions();
    if (!subs) return subs.error();
    if (std::find(subs->begin(), subs->end(), name) != subs->end()) return {};
    subs->push_back(name);
    return write_subscriptions_file(*subs);
  }

  Status unsubscribe(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    auto subs = subscriptions();
    if (!subs) return subs.error();
    auto it = std::find(subs->begin(), subs->end(), name);
    if (it == subs->end()) return Error{"not subscribed: " + name, ENOENT};
    subs->erase(it);
    return write_subscriptions_file(*subs);
  }

  Status ensure_special_use() override { return ensure_special_use_folders(*this); }

  Result<std::unique_ptr<MboxFolder>> open_mbox(const std::string& raw, bool read_only, bool claim) {
    std::string name = clean_folder_name(raw);
    if (auto s = l_.check(name); !s) return s.error();
    if (name != "INBOX" && !l_.is_file(name)) {
      if (l_.is_dir(name)) return Error{"mailbox holds no mail (a folder of folders): " + name, ENOENT};
      return no_such_folder(name);
    }
    MboxFolder::Options o;
    o.name = name;
    o.path = l_.path_of(name);
    o.index_dir = l_.index_dir_of(name);
    o.root = l_.root;
    o.read_only = read_only;
    o.claim_recent = claim;
    Layout layout = l_;
    o.append_to = [layout](const std::string& target, std::vector<MboxAppendItem> items) {
      return layout.append(target, std::move(items));
    };
    return MboxFolder::open(std::move(o));
  }

  Result<FolderStatus> status(const std::string& name) override {
    auto folder = open_mbox(name, true, false);
    if (!folder) return folder.error();
    FolderStatus st;
    for (const auto& m : (*folder)->messages()) {
      ++st.messages;
      if (!(m.flags & kSeen)) ++st.unseen;
    }
    st.recent = (*folder)->unclaimed_recent();
    st.uidnext = (*folder)->uidnext();
    st.uidvalidity = (*folder)->uidvalidity();
    st.highest_modseq = (*folder)->highest_modseq();
    return st;
  }

  Result<AppendResult> append(const std::string& name, std::string_view message, Flags flags,
                              const std::vector<std::string>& keywords,
                              std::optional<int64_t> internal_date) override {
    MboxAppendItem item{std::string(message), Flags(flags & (kSeen | kAnswered | kFlagged | kDeleted | kDraft)),
                        keywords, internal_date};
    auto r = l_.append(name, {item});
    if (!r) return r.error();
    return AppendResult{r->first, r->second.empty() ? 0 : r->second.front()};
  }

  Result<std::unique_ptr<Folder>> open_folder(const std::string& name, bool read_only) override {
    auto f = open_mbox(name, read_only, !read_only);
    if (!f) return f.error();
    return std::unique_ptr<Folder>(std::move(*f));
  }

 private:
  Layout l_;
};

}  // namespace

Result<std::unique_ptr<MailStore>> open_mbox_store(const std::string& root, const std::string& inbox) {
  if (root.empty()) return Error{"mail_location names no mbox root folder", EINVAL};
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  if (ec) return Error{"create " + root + ": " + ec.message(), ec.value()};
  return std::unique_ptr<MailStore>(std::make_unique<MboxStore>(Layout{root, inbox}));
}

}  // namespace postern::mailstore
