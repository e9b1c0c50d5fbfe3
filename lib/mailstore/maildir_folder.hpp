// MaildirFolder: the Folder of a Maildir (or Maildir++ subfolder). UIDs live
// in dovecot-uidlist, flags in the file names, keywords as letters through
// dovecot-keywords; sizes, dates, file names and the \Recent boundary are
// kept in Postern's own index (postern-index) and ENVELOPE/BODYSTRUCTURE
// strings in postern-cache, next to them. Internal to lib/mailstore; runs in
// imapd's mail process as the mailbox owner.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "lib/mailstore/folder.hpp"
#include "lib/mailstore/folder_index.hpp"
#include "lib/mailstore/message_cache.hpp"
#include "lib/mailstore/uidlist_file.hpp"

namespace postern::mailstore {

// Resolves a folder name to its Maildir directory (ENOENT when missing).
using FolderDirResolver = std::function<Result<std::string>(const std::string& name)>;

class MaildirFolder final : public Folder {
 public:
  struct Options {
    std::string name;  // as the client knows it
    std::string dir;   // the Maildir folder
    std::string root;  // the store's root (for new UIDVALIDITYs)
    bool read_only = false;
    bool claim_recent = true;  // SELECT takes \Recent; EXAMINE and STATUS do not
    FolderDirResolver resolve;
  };
  static Result<std::unique_ptr<MaildirFolder>> open(Options options);
  ~MaildirFolder() override;

  const std::string& name() const override { return opt_.name; }
  bool read_only() const override { return opt_.read_only; }
  uint32_t uidvalidity() const override { return uidvalidity_; }
  uint32_t uidnext() const override { return nextuid_; }
  uint64_t highest_modseq() const override { return highest_modseq_; }
  const std::vector<MessageMeta>& messages() const override { return metas_; }
  std::vector<std::string> keywords() const override;
  size_t keyword_room() const override;
  Result<std::string> read(size_t index) override;
  Status store_flags(size_t index, StoreMode mode, Flags flags, const std::vector<std::string>& keywords) override;
  Result<std::vector<Expunged>> expunge(const std::optional<std::vector<uint32_t>>& uids) override;
  Result<CopyResult> copy(const std::vector<size_t>& indices, const std::string& target) override;
  Result<FolderChanges> refresh(bool allow_expunges) override;
  std::vector<WatchPath> watch_paths() const override;
  std::optional<std::string> cached(uint32_t uid, std::string_view field) const override;
  void store_cached(uint32_t uid, std::string_view field, std::string value) override;
  Status flush() override;
  void distrust_stamps() override { recheck_now_ = true; }
  void set_lazy_flag_sync(bool lazy) override { lazy_flag_sync_ = lazy; }

  // \Recent messages nobody has claimed yet (for STATUS).
  uint32_t unclaimed_recent() const;

 private:
  explicit MaildirFolder(Options options);

  struct Stamps {
    Stamp new_dir, cur_dir, uidlist, keywords;
    bool operator==(const Stamps&) const = default;
  };
  Stamps current_stamps() const;
  bool open_from_index(FolderIndex& index, const Stamps& now);  // takes the records
  // Scans the folder and brings the view up to date; `prior` (from a stale
  // index) saves reading sizes and dates again.
  Status rescan(const FolderIndex* prior, bool allow_expunges, FolderChanges* changes);
  // When only cur/ changed (flag renames, by us or others): one readdir of
  // cur/ matched against the view. False when that is not enough (a file
  // missing or unknown): the caller does the full rescan.
  bool rescan_cur_flags(const Stamp& cur_before, FolderChanges& changes);
  // Under `lock`: claims \Recent for new messages (SELECT) and writes the index.
  Status claim_and_write_index(UidListLock& lock);
  // At close: the index as the folder is now, when it changed.
  Status save_index();
  void load_keywords();
  std::vector<std::string> keyword_names(const std::string& letters) const;
  // The file of messages()[i] again after someone renamed it; false if gone.
  bool relocate(size_t index);
  // After our own rename in cur/: keeps the view current without a rescan
  // when nobody else had changed cur/ since we last looked (`before`).
  void note_own_rename(const Stamp& before);

  Options opt_;
  uint32_t uidvalidity_ = 0;
  uint32_t nextuid_ = 1;
  uint32_t first_recent_uid_ = 1;
  uint64_t highest_modseq_ = 1;
  std::vector<MessageMeta> metas_;
  std::vector<std::string> files_;         // parallel to metas_: "cur/<name>"
  std::vector<uint32_t> by_base_;          // indices into files_ sorted by base name; empty: to build
  std::vector<std::string> keyword_table_;  // dovecot-keywords: index = letter - 'a'
  Stamps known_;
  bool racy_ = true;           // stamps too fresh to prove "nothing changed"
  bool recheck_now_ = false;   // distrust_stamps(): rescan at the next refresh
  int64_t scanned_at_ = 0;     // when known_ was taken
  bool lazy_flag_sync_ = false;
  int64_t cur_listed_at_ = 0;  // when cur/ was last listed (rescan or rescan_cur_flags)
  bool index_dirty_ = false;
  bool expunged_any_ = false;  // the cache may hold strings of gone messages
  mutable MessageCache cache_;
};

}  // namespace postern::mailstore
