// MboxFolder: the Folder of one mbox file. The file itself is only ever
// appended to (APPEND, COPY, local delivery) and compacted (EXPUNGE), under
// the same dotlock + fcntl locks local uses; UIDs, flags, keywords and the
// \Recent boundary live in a side index (<root>/.imap/<name>/postern-index,
// as Dovecot keeps its indexes there), matched to the file's messages by an
// identity (MD5 of From_ line + header), so other programs (pop3d, mutt)
// rewriting the file cost no UIDs of the messages they keep. Internal to
// lib/mailstore; runs in imapd's mail process as the mailbox owner.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lib/mailstore/folder.hpp"
#include "lib/mailstore/folder_index.hpp"
#include "lib/mailstore/message_cache.hpp"
#include "lib/mailstore/uidlist_file.hpp"

namespace postern::mailstore {

struct MboxAppendItem {
  std::string content;
  Flags flags = 0;
  std::vector<std::string> keywords;
  std::optional<int64_t> internal_date;
};
// Appends to the folder `name`; returns {uidvalidity, uids}.
using MboxAppender =
    std::function<Result<std::pair<uint32_t, std::vector<uint32_t>>>(const std::string&, std::vector<MboxAppendItem>)>;

class MboxFolder final : public Folder {
 public:
  struct Options {
    std::string name;
    std::string path;       // the mbox file
    std::string index_dir;  // where postern-index and postern-cache live
    std::string root;       // for new UIDVALIDITYs
    bool read_only = false;
    bool claim_recent = true;
    MboxAppender append_to;  // COPY's target
  };
  static Result<std::unique_ptr<MboxFolder>> open(Options options);
  ~MboxFolder() override;

  // Appends messages to the file at `path` and numbers them in the index
  // at `index_dir`.
  static Result<std::pair<uint32_t, std::vector<uint32_t>>> append(const std::string& path, const std::string& index_dir,
                                                                   const std::string& root,
                                                                   const std::vector<MboxAppendItem>& items);

  const std::string& name() const override { return opt_.name; }
  bool read_only() const override { return opt_.read_only; }
  uint32_t uidvalidity() const override { return uidvalidity_; }
  uint32_t uidnext() const override { return nextuid_; }
  uint64_t highest_modseq() const override { return highest_modseq_; }
  const std::vector<MessageMeta>& messages() const override { return metas_; }
  std::vector<std::string> keywords() const override { return keyword_table_; }
  size_t keyword_room() const override { return 1000 - std::min<size_t>(keyword_table_.size(), 1000); }
  Result<std::string> read(size_t index) override;
  Status store_flags(size_t index, StoreMode mode, Flags flags, const std::vector<std::string>& keywords) override;
  Result<std::vector<Expunged>> expunge(const std::optional<std::vector<uint32_t>>& uids) override;
  Result<CopyResult> copy(const std::vector<size_t>& indices, const std::string& target) override;
  Result<FolderChanges> refresh(bool allow_expunges) override;
  std::vector<WatchPath> watch_paths() const override;
  std::optional<std::string> cached(uint32_t uid, std::string_view field) const override;
  void store_cached(uint32_t uid, std::string_view field, std::string value) override;
  Status flush() override;

  uint32_t unclaimed_recent() const;

  // A record's place in the file and its flags, from IndexRecord::data.
  struct Place {
    uint64_t from = 0, body = 0, length = 0, end = 0;
    std::string identity;
    Flags flags = 0;
    uint64_t keyword_mask = 0;
    int file_flags = -1;  // the flags Status/X-Status said when last read; -1: unknown
  };
  static std::optional<Place> decode(const std::string& data);
  static std::string encode(const Place& p);

 private:
  explicit MboxFolder(Options options);

  // Writes the flags changed in this session into the file's headers.
  Status write_back_flags();

  // Under the index lock: brings postern-index up to date with the file
  // (numbering new messages), applies our pending flag changes, claims
  // \Recent, and writes it. Returns the index as written.
  Result<FolderIndex> sync_index(UidListLock& lock, bool claim);
  // Brings the view up to date with `index`.
  // add_new = false only moves known messages (their offsets) and marks
  // the vanished ones, for a read() between refreshes.
  // Under the index lock: rewrites the file (crash-safe, under local's
  // locks) without the \Deleted messages among `wanted` (all when nullopt)
  // if `expunge`, and with every message's flags in its headers.
  Status rewrite(FolderIndex& index, bool expunge, const std::optional<std::vector<uint32_t>>& wanted);
  void apply(const FolderIndex& index, bool allow_expunges, bool add_new, FolderChanges* changes);
  Status sync(bool allow_expunges, FolderChanges* changes);
  std::vector<std::string> names_of(uint64_t mask) const;

  struct PendingFlags {
    uint32_t uid;
    StoreMode mode;
    Flags flags;
    std::vector<std::string> keywords;
  };

  Options opt_;
  uint32_t uidvalidity_ = 0;
  uint32_t nextuid_ = 1;
  uint32_t first_recent_uid_ = 1;
  uint64_t highest_modseq_ = 1;
  std::vector<MessageMeta> metas_;
  std::vector<Place> places_;  // parallel to metas_
  std::vector<std::string> keyword_table_;
  std::vector<PendingFlags> pending_;
  Stamp known_file_, known_index_;
  bool racy_ = true;
  bool flags_dirty_ = false;  // a STORE since the file last got our flags
  uint32_t claimed_from_ = 0xFFFFFFFF;  // \Recent taken by the last sync_index() from this UID on
  mutable MessageCache cache_;
};

}  // namespace postern::mailstore
