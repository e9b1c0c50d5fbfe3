// The Maildir++ store: LIST over the root's ".folder" directories, CREATE,
// DELETE, RENAME (children and INBOX included), subscriptions, STATUS and
// APPEND. Runs in imapd's mail process as the mailbox owner.
#include "lib/mailstore/maildir_store.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/mailbox/maildir_writer.hpp"
#include "lib/mailstore/folder_names.hpp"
#include "lib/mailstore/maildir_folder.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/store_common.hpp"
#include "lib/mailstore/subscriptions.hpp"

namespace postern::mailstore {
namespace {

bool is_dir(const std::string& p) {
  struct stat st{};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "a/" (CREATE's "children will follow") -> "a"; INBOX spelled canonically.

class MaildirStore final : public MailStore {
 public:
  explicit MaildirStore(std::string root) : root_(std::move(root)) {}

  std::string dir_of(const std::string& name) const {
    return name == "INBOX" ? root_ : root_ + "/" + maildir_dir_name(name);
  }

  Status check(const std::string& name) const { return check_folder_name(name, MailLocation::Format::maildir); }

  bool exists(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (name == "INBOX") return true;
    if (check(name).ok() == false) return false;
    return is_dir(dir_of(name) + "/cur");
  }

  // The Maildir++ folder directories under the root: name -> directory name.
  std::vector<std::pair<std::string, std::string>> folder_dirs() const {
    std::vector<std::pair<std::string, std::string>> out;
    DIR* dp = ::opendir(root_.c_str());
    if (!dp) return out;
    while (dirent* de = ::readdir(dp)) {
      std::string d = de->d_name;
      auto name = folder_from_maildir_dir(d);
      if (!name || !is_dir(root_ + "/" + d)) continue;
      out.emplace_back(canonical_name(*name), d);
    }
    ::closedir(dp);
    return out;
  }

  Result<std::vector<ListEntry>> list() override {
    std::vector<ListEntry> entries{{"INBOX", 0}};
    for (const auto& [name, d] : folder_dirs()) {
      if (name == "INBOX") continue;
      entries.push_back({name, uint16_t(is_dir(root_ + "/" + d + "/cur") ? 0 : kNoSelect)});
    }
    auto subs = subscriptions();
    finish_list(entries, subs ? *subs : std::vector<std::string>{});
    return entries;
  }

  Status make_folder(const std::string& name) {
    std::string dir = dir_of(name);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return sys_error("create " + dir);
    if (auto s = mailbox::make_maildir(dir); !s) return s;
    // Maildir++ marks folders with an empty "maildirfolder" file.
    std::string marker = dir + "/maildirfolder";
    if (::access(marker.c_str(), F_OK) != 0)
      if (auto s = write_file_atomic(marker, "", 0600); !s) return s;
    return {};
  }

  Status create(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (auto s = check_create(name, MailLocation::Format::maildir, check(name) && exists(name)); !s) return s;
    // Missing parents become real folders too (Maildir++ has no other kind).
    auto levels = name_levels(name);
    std::string path;
    for (size_t i = 0; i + 1 < levels.size(); ++i) {
      path += (i ? "/" : "") + levels[i];
      if (!exists(path))
        if (auto s = make_folder(path); !s) return s;
    }
    return make_folder(name);
  }

  Status remove_tree(const std::string& dir) {
    // Renamed aside first, so other sessions see the folder vanish at once.
    std::string aside = root_ + "/postern-deleted." + std::to_string(::getpid()) + "." +
                        std::to_string(std::hash<std::string>{}(dir) & 0xFFFFFF);
    if (::rename(dir.c_str(), aside.c_str()) != 0) return sys_error("rename " + dir);
    std::error_code ec;
    std::filesystem::remove_all(aside, ec);
    if (ec) return Error{"remove " + aside + ": " + ec.message(), ec.value()};
    return {};
  }

  Status remove(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (name == "INBOX") return Error{"INBOX cannot be deleted", EPERM};
    if (auto s = check(name); !s) return s;
    if (!is_dir(dir_of(name))) return no_such_folder(name);
    return remove_tree(dir_of(name));
  }

  Status rename(const std::string& raw_from, const std::string& raw_to) override {
    std::string from = clean_folder_name(raw_from), to = clean_folder_name(raw_to);
    bool valid = check(from) && check(to);
    // A parent left without cur/ (\Noselect) can be renamed too.
    bool from_exists = valid && (exists(from) || (from != "INBOX" && is_dir(dir_of(from))));
    bool to_exists = valid && (exists(to) || is_dir(dir_of(to)));
    if (auto s = check_rename(from, to, MailLocation::Format::maildir, from_exists, to_exists); !s) return s;
    if (from == "INBOX") return rename_inbox(to);
    // The folder and every child: ".from" and ".from.*".
    std::string from_dir = maildir_dir_name(from), to_dir = maildir_dir_name(to);
    std::vector<std::string> moves;
    for (const auto& [name, d] : folder_dirs())
      if (d == from_dir || d.starts_with(from_dir + ".")) moves.push_back(d);
    for (const auto& d : moves)
      if (is_dir(root_ + "/" + to_dir + d.substr(from_dir.size())))
        return Error{"mailbox already exists: " + to + d.substr(from_dir.size()), EEXIST};
    for (const auto& d : moves) {
      std::string src = root_ + "/" + d, dst = root_ + "/" + to_dir + d.substr(from_dir.size());
      if (::rename(src.c_str(), dst.c_str()) != 0) return sys_error("rename " + src);
    }
    if (auto subs = subscriptions())
      (void)write_subscriptions(root_, rename_subscriptions(*subs, from, to));
    return {};
  }

  // RFC 3501 6.3.5: INBOX's messages move to a new folder; INBOX stays,
  // empty, and its children stay where they are.
  Status rename_inbox(const std::string& to) {
    if (auto s = create(to); !s) return s;
    std::string dst = dir_of(to);
    for (const char* sub : {"new", "cur"}) {
      std::string from = root_ + "/" + sub;
      DIR* dp = ::opendir(from.c_str());
      if (!dp) continue;
      std::vector<std::string> names;
      while (dirent* de = ::readdir(dp))
        if (de->d_name[0] != '.') names.emplace_back(de->d_name);
      ::closedir(dp);
      for (const auto& n : names) {
        std::string src = from + "/" + n, target = dst + "/" + sub + "/" + n;
        if (::rename(src.c_str(), target.c_str()) != 0 && errno != ENOENT) return sys_error("rename " + src);
      }
    }
    return {};
  }

  Result<std::vector<std::string>> subscriptions() override { return read_subscriptions(root_, '.'); }

  Status subscribe(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    if (auto s = check(name); !s) return s;
    auto subs = subscriptions();
    if (!subs) return subs.error();
    if (std::find(subs->begin(), subs->end(), name) != subs->end()) return {};
    subs->push_back(name);
    return write_subscriptions(root_, *subs);
  }

  Status unsubscribe(const std::string& raw) override {
    std::string name = clean_folder_name(raw);
    auto subs = subscriptions();
    if (!subs) return subs.error();
    auto it = std::find(subs->begin(), subs->end(), name);
    if (it == subs->end()) return Error{"not subscribed: " + name, ENOENT};
    subs->erase(it);
    return write_subscriptions(root_, *subs);
  }

  Status ensure_special_use() override { return ensure_special_use_folders(*this); }

  Result<std::unique_ptr<MaildirFolder>> open_maildir(const std::string& raw, bool read_only, bool claim) {
    std::string name = clean_folder_name(raw);
    if (auto s = check(name); !s) return s.error();
    if (!exists(name)) return no_such_folder(name);
    MaildirFolder::Options o;
    o.name = name;
    o.dir = dir_of(name);
    o.root = root_;
    o.read_only = read_only;
    o.claim_recent = claim;
    std::string root = root_;
    o.resolve = [root](const std::string& target) -> Result<std::string> {
      std::string t = clean_folder_name(target);
      if (auto why = invalid_folder_name(t, MailLocation::Format::maildir)) return Error{*why, EINVAL};
      std::string dir = t == "INBOX" ? root : root + "/" + maildir_dir_name(t);
      if (!is_dir(dir + "/cur")) return no_such_folder(t);
      return dir;
    };
    return MaildirFolder::open(std::move(o));
  }

  Result<FolderStatus> status(const std::string& name) override {
    auto folder = open_maildir(name, true, false);
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

  Result<AppendResult> append(const std::string& raw, std::string_view message, Flags flags,
                              const std::vector<std::string>& keywords,
                              std::optional<int64_t> internal_date) override {
    std::string name = clean_folder_name(raw);
    if (auto s = check(name); !s) return s.error();
    if (!exists(name)) return no_such_folder(name);
    NewMessage m;
    m.content = message;
    m.flags = flags & (kSeen | kAnswered | kFlagged | kDeleted | kDraft);
    m.keywords = keywords;
    m.internal_date = internal_date;
    auto added = add_to_maildir(dir_of(name), root_, {m});
    if (!added) return added.error();
    return AppendResult{added->uidvalidity, added->uids.front()};
  }

  Result<std::unique_ptr<Folder>> open_folder(const std::string& name, bool read_only) override {
    auto f = open_maildir(name, read_only, !read_only);
    if (!f) return f.error();
    return std::unique_ptr<Folder>(std::move(*f));
  }

 private:
  std::string root_;
};

}  // namespace

Result<std::unique_ptr<MailStore>> open_maildir_store(const std::string& root) {
  if (root.empty()) return Error{"mail_location names no Maildir", EINVAL};
  if (auto s = mailbox::make_maildir(root); !s) return s.error();
  return std::unique_ptr<MailStore>(std::make_unique<MaildirStore>(root));
}

}  // namespace postern::mailstore
