// MboxFolder: the mbox file matched to its side index, flag changes kept in
// the index, EXPUNGE by compacting the file under local's locks, APPEND and
// COPY. Runs in imapd's mail process as the mailbox owner.
#include "lib/mailstore/mbox_folder.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <ctime>
#include <deque>
#include <filesystem>
#include <unordered_map>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/mailbox_lock.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/mbox_file.hpp"
#include "lib/mailstore/mbox_parse.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

const char kIndexFile[] = "/postern-index";
const char kCacheFile[] = "/postern-cache";

Stamp fd_stamp(int fd) {
  struct stat st{};
  if (::fstat(fd, &st) != 0) return {};
  return Stamp{int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, uint64_t(st.st_ino), uint64_t(st.st_size)};
}

uint64_t mask_of(std::vector<std::string>& table, const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& n : names) {
    size_t i = 0;
    while (i < table.size() && !iequals(table[i], n)) ++i;
    if (i == table.size()) {
      if (table.size() >= 64) continue;  // 64 keywords per mbox folder
      table.push_back(n);
    }
    mask |= uint64_t(1) << i;
  }
  return mask;
}

}  // namespace

std::optional<MboxFolder::Place> MboxFolder::decode(const std::string& data) {
  auto f = split(data, ",");
  if (f.size() != 7 && f.size() != 8) return std::nullopt;
  Place p;
  auto num = [](const std::string& s, uint64_t& out) {
    auto n = parse_long(s);
    if (!n || *n < 0) return false;
    out = uint64_t(*n);
    return true;
  };
  uint64_t flags = 0;
  if (!num(f[0], p.from) || !num(f[1], p.body) || !num(f[2], p.length) || !num(f[3], p.end) || !num(f[5], flags))
    return std::nullopt;
  p.identity = f[4];
  p.flags = Flags(flags);
  p.keyword_mask = std::strtoull(f[6].c_str(), nullptr, 16);
  if (f.size() == 8) {
    uint64_t file_flags = 0;
    if (!num(f[7], file_flags)) return std::nullopt;
    p.file_flags = int(file_flags & 0xFF);
  }
  return p;
}

std::string MboxFolder::encode(const Place& p) {
  char mask[24];
  std::snprintf(mask, sizeof mask, "%llx", static_cast<unsigned long long>(p.keyword_mask));
  return std::to_string(p.from) + "," + std::to_string(p.body) + "," + std::to_string(p.length) + "," +
         std::to_string(p.end) + "," + p.identity + "," + std::to_string(unsigned(p.flags)) + "," + mask +
         (p.file_flags >= 0 ? "," + std::to_string(p.file_flags) : "");
}

namespace {

// Re-reads the mbox (the caller holds the index lock) and matches its
// messages to the index's records by identity, in file order; messages
// without a record are numbered. `fd` is open and holds local's locks.
// The file's text and messages are left in `text_out`/`contents_out`.
Status match_file(FolderIndex& index, int fd, const std::string& path, const std::string& root, int64_t now,
                  std::string* text_out = nullptr, MboxContents* contents_out = nullptr) {
  Stamp file = fd_stamp(fd);
  auto text = pread_exact(fd, 0, file.size);
  if (!text) return text.error();
  auto contents = parse_mbox(*text);
  if (!contents) return Error{path + " is not an mbox file (no From_ line at its start)", EINVAL};
  if (index.uidvalidity == 0) {
    // A first look: Dovecot's own numbering (X-IMAPbase/X-UID) is kept.
    index.uidvalidity = contents->x_imapbase_uidvalidity ? contents->x_imapbase_uidvalidity : next_uidvalidity(root);
    index.nextuid = std::max<uint32_t>(1, contents->x_imapbase_nextuid);
    index.records.clear();
  }
  std::unordered_map<std::string, std::deque<size_t>> by_identity;
  for (size_t i = 0; i < index.records.size(); ++i) {
    auto f = split(index.records[i].data, ",");
    if (f.size() >= 7) by_identity[f[4]].push_back(i);
  }
  std::vector<IndexRecord> records;
  records.reserve(contents->messages.size());
  uint32_t last_x_uid = 0;
  bool x_uids = contents->x_imapbase_uidvalidity == index.uidvalidity && contents->x_imapbase_uidvalidity != 0;
  for (const auto& m : contents->messages) {
    IndexRecord r;
    MboxFolder::Place place;
    auto& queue = by_identity[m.identity];
    std::optional<MboxFolder::Place> known;
    if (!queue.empty()) {
      r = index.records[queue.front()];
      queue.pop_front();
      known = MboxFolder::decode(r.data);
    }
    if (known) {
      place.flags = known->flags;
      place.keyword_mask = known->keyword_mask;
      // Status/X-Status changed since we last wrote or read them: another
      // program (mutt) set these flags, and the file wins.
      if (known->file_flags >= 0 && Flags(known->file_flags) != m.flags) place.flags = m.flags;
    } else {
      if (x_uids && m.x_uid > last_x_uid && m.x_uid < index.nextuid && m.x_uid > (records.empty() ? 0 : records.back().uid)) {
        r.uid = m.x_uid;
      } else {
        r.uid = index.nextuid++;
      }
      r.modseq = ++index.highest_modseq;
      r.date = m.date;
      place.flags = m.flags;
      place.keyword_mask = mask_of(index.keywords, m.keywords);
    }
    if (m.x_uid) last_x_uid = std::max(last_x_uid, m.x_uid);
    if (r.date == 0) r.date = m.date ? m.date : file.mtime_ns / 1000000000;
    r.size = m.vsize;
    r.file = "-";
    place.from = m.from;
    place.body = m.body;
    place.length = m.length;
    place.end = m.end;
    place.identity = m.identity;
    place.file_flags = m.flags;
    r.data = MboxFolder::encode(place);
    index.nextuid = std::max(index.nextuid, r.uid + 1);
    records.push_back(std::move(r));
  }
  std::sort(records.begin(), records.end(), [](const IndexRecord& a, const IndexRecord& b) { return a.uid < b.uid; });
  records.erase(std::unique(records.begin(), records.end(),
                            [](const IndexRecord& a, const IndexRecord& b) { return a.uid == b.uid; }),
                records.end());
  index.records = std::move(records);
  index.set_stamp("file", settled(file, now));
  if (contents_out) *contents_out = std::move(*contents);
  if (text_out) *text_out = std::move(*text);
  return {};
}

// Brings the index at `index_dir` up to date with the file (reading it only
// when its stamp moved). Caller holds the index lock.
Result<FolderIndex> load_index(const std::string& path, const std::string& index_dir, const std::string& root,
                               bool* rewritten) {
  FolderIndex index;
  if (auto disk = read_folder_index(index_dir + kIndexFile)) index = std::move(*disk);
  Stamp now_file = stamp_of(path);
  const Stamp* stored = index.stamp("file");
  *rewritten = false;
  if (index.uidvalidity != 0 && stored && *stored == now_file && stored->mtime_ns >= 0 &&
      !mbox_journal_pending(index_dir))
    return index;
  auto locked = lock_mbox(path, index_dir, false);
  if (!locked) return locked.error();
  if (!locked->fd) {
    // No file (an empty spool): nothing in it.
    if (index.uidvalidity == 0) index.uidvalidity = next_uidvalidity(root);
    index.records.clear();
    index.set_stamp("file", Stamp{});
  } else if (auto s = match_file(index, locked->fd.get(), path, root, now_ns()); !s) {
    return s.error();
  }
  *rewritten = true;
  return index;
}

}  // namespace

MboxFolder::MboxFolder(Options options) : opt_(std::move(options)), cache_(opt_.index_dir + kCacheFile, 0) {}

Result<std::unique_ptr<MboxFolder>> MboxFolder::open(Options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.index_dir, ec);
  if (ec) return Error{"create " + options.index_dir + ": " + ec.message(), ec.value()};
  std::unique_ptr<MboxFolder> folder(new MboxFolder(std::move(options)));
  if (auto s = folder->sync(true, nullptr); !s) return s.error();
  return folder;
}

MboxFolder::~MboxFolder() {
  (void)cache_.flush();
  opt_.claim_recent = false;
  if (!pending_.empty()) {
    FolderChanges ignored;
    (void)sync(false, &ignored);
  }
  // Closing the folder (CLOSE, SELECT of another, LOGOUT, a dropped
  // connection): the flags go into Status/X-Status for mutt and Dovecot.
  (void)write_back_flags();
}

std::vector<std::string> MboxFolder::names_of(uint64_t mask) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < keyword_table_.size() && i < 64; ++i)
    if (mask & (uint64_t(1) << i)) out.push_back(keyword_table_[i]);
  std::sort(out.begin(), out.end());
  return out;
}

Result<FolderIndex> MboxFolder::sync_index(UidListLock& lock, bool claim) {
  (void)lock;
  bool changed = false;
  auto loaded = load_index(opt_.path, opt_.index_dir, opt_.root, &changed);
  if (!loaded) return loaded.error();
  FolderIndex index = std::move(*loaded);
  // Our flag changes, applied to what is there now.
  for (const auto& p : pending_) {
    auto it = std::lower_bound(index.records.begin(), index.records.end(), p.uid,
                               [](const IndexRecord& r, uint32_t uid) { return r.uid < uid; });
    if (it == index.records.end() || it->uid != p.uid) continue;
    auto place = decode(it->data);
    if (!place) continue;
    uint64_t mask = mask_of(index.keywords, p.keywords);
    Place before = *place;
    switch (p.mode) {
      case StoreMode::replace:
        place->flags = p.flags;
        place->keyword_mask = mask;
        break;
      case StoreMode::add:
        place->flags |= p.flags;
        place->keyword_mask |= mask;
        break;
      case StoreMode::remove:
        place->flags &= Flags(~p.flags);
        place->keyword_mask &= ~mask;
        break;
    }
    if (place->flags != before.flags || place->keyword_mask != before.keyword_mask) {
      it->data = encode(*place);
      it->modseq = ++index.highest_modseq;
      changed = true;
    }
  }
  pending_.clear();
  claimed_from_ = UINT32_MAX;
  if (claim && !index.records.empty() && index.records.back().uid >= index.first_recent_uid) {
    claimed_from_ = index.first_recent_uid;
    index.first_recent_uid = index.records.back().uid + 1;
    changed = true;
  }
  if (changed)
    if (auto s = write_folder_index(opt_.index_dir + kIndexFile, index); !s) return s.error();
  return index;
}

void MboxFolder::apply(const FolderIndex& index, bool allow_expunges, bool add_new, FolderChanges* changes) {
  if (uidvalidity_ != 0 && uidvalidity_ != index.uidvalidity) {
    if (changes) changes->uidvalidity_changed = true;
    metas_.clear();
    places_.clear();
  }
  uidvalidity_ = index.uidvalidity;
  cache_.set_uidvalidity(uidvalidity_);
  nextuid_ = std::max(nextuid_, index.nextuid);
  highest_modseq_ = std::max(highest_modseq_, index.highest_modseq);
  first_recent_uid_ = index.first_recent_uid;
  bool keywords_grew = index.keywords.size() > keyword_table_.size();
  keyword_table_ = index.keywords;
  if (changes && keywords_grew) changes->keywords_changed = true;

  std::unordered_map<uint32_t, const IndexRecord*> by_uid;
  by_uid.reserve(index.records.size() * 2);
  for (const auto& r : index.records) by_uid.emplace(r.uid, &r);
  uint32_t last_old = metas_.empty() ? 0 : metas_.back().uid;
  for (size_t i = 0; i < metas_.size(); ++i) {
    auto it = by_uid.find(metas_[i].uid);
    auto place = it == by_uid.end() ? std::nullopt : decode(it->second->data);
    if (!place) {
      metas_[i].expunged = true;
      continue;
    }
    places_[i] = *place;
    auto kw = names_of(place->keyword_mask);
    if (place->flags != metas_[i].flags || kw != metas_[i].keywords) {
      metas_[i].flags = place->flags;
      metas_[i].keywords = std::move(kw);
      metas_[i].modseq = it->second->modseq;
      if (changes) changes->flags_changed.push_back(i);
    }
  }
  if (allow_expunges) {
    for (size_t i = metas_.size(); i-- > 0;) {
      if (!metas_[i].expunged) continue;
      if (changes) changes->expunged.push_back({metas_[i].uid, uint32_t(i + 1)});
      metas_.erase(metas_.begin() + long(i));
      places_.erase(places_.begin() + long(i));
    }
    if (changes) {
      std::vector<size_t> remapped;
      for (size_t idx : changes->flags_changed) {
        size_t shift = 0;
        bool dropped = false;
        for (const auto& e : changes->expunged) {
          if (e.seq - 1 < idx) ++shift;
          if (e.seq - 1 == idx) dropped = true;
        }
        if (!dropped) remapped.push_back(idx - shift);
      }
      changes->flags_changed = std::move(remapped);
    }
  }
  if (!add_new) return;
  if (changes) changes->old_count = metas_.size();
  for (const auto& r : index.records) {
    if (r.uid <= last_old) continue;
    auto place = decode(r.data);
    if (!place) continue;
    MessageMeta m;
    m.uid = r.uid;
    m.flags = place->flags;
    m.keywords = names_of(place->keyword_mask);
    m.internal_date = r.date;
    m.rfc822_size = r.size;
    m.modseq = r.modseq;
    m.recent = claimed_from_ != UINT32_MAX ? r.uid >= claimed_from_
                                           : (!opt_.claim_recent || opt_.read_only) && r.uid >= first_recent_uid_;
    metas_.push_back(std::move(m));
    places_.push_back(*place);
  }
}

Status MboxFolder::sync(bool allow_expunges, FolderChanges* changes) {
  std::string index_path = opt_.index_dir + kIndexFile;
  if (changes) {
    bool pending_expunges = allow_expunges && std::any_of(metas_.begin(), metas_.end(),
                                                           [](const MessageMeta& m) { return m.expunged; });
    if (!racy_ && pending_.empty() && !pending_expunges && stamp_of(opt_.path) == known_file_ &&
        stamp_of(index_path) == known_index_)
      return {};
  }
  auto lock = UidListLock::acquire(opt_.index_dir);
  if (!lock) return lock.error();
  int64_t started = now_ns();
  Stamp file_before = stamp_of(opt_.path);
  auto index = sync_index(*lock, opt_.claim_recent && !opt_.read_only);
  if (!index) return index.error();
  known_file_ = file_before;
  known_index_ = stamp_of(index_path);
  racy_ = settled(file_before, started).mtime_ns < 0 || settled(known_index_, started).mtime_ns < 0;
  apply(*index, allow_expunges, true, changes);
  if (changes) changes->new_count = metas_.size();
  return {};
}

Result<FolderChanges> MboxFolder::refresh(bool allow_expunges) {
  FolderChanges changes;
  changes.old_count = changes.new_count = metas_.size();
  (void)cache_.flush();
  if (auto s = sync(allow_expunges, &changes); !s) return s.error();
  return changes;
}

Result<std::string> MboxFolder::read(size_t index) {
  if (index >= metas_.size()) return Error{"no such message", ENOENT};
  if (metas_[index].expunged) return Error{"message was expunged", ENOENT};
  if (stamp_of(opt_.path) != known_file_) {
    // Someone rewrote the file: find where our messages are now, without
    // changing what the client has been told.
    auto lock = UidListLock::acquire(opt_.index_dir);
    if (!lock) return lock.error();
    bool rewritten = false;
    auto idx = load_index(opt_.path, opt_.index_dir, opt_.root, &rewritten);
    if (!idx) return idx.error();
    if (rewritten)
      if (auto s = write_folder_index(opt_.index_dir + kIndexFile, *idx); !s) return s.error();
    apply(*idx, false, false, nullptr);
    known_file_ = stamp_of(opt_.path);
    if (metas_[index].expunged) return Error{"message was expunged", ENOENT};
  }
  UniqueFd fd(::open(opt_.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return sys_error("open " + opt_.path);
  auto raw = pread_exact(fd.get(), places_[index].body, places_[index].length);
  if (!raw) return raw.error();
  return to_network(without_flag_headers(*raw));
}

Status MboxFolder::store_flags(size_t index, StoreMode mode, Flags flags, const std::vector<std::string>& keywords) {
  if (opt_.read_only) return Error{"mailbox is read-only", EPERM};
  if (index >= metas_.size()) return Error{"no such message", ENOENT};
  if (metas_[index].expunged) return Error{"message was expunged", ENOENT};
  flags &= kSeen | kAnswered | kFlagged | kDeleted | kDraft;
  MessageMeta& m = metas_[index];
  std::vector<std::string> kw = m.keywords;
  switch (mode) {
    case StoreMode::replace:
      m.flags = flags;
      kw = keywords;
      break;
    case StoreMode::add:
      m.flags |= flags;
      kw.insert(kw.end(), keywords.begin(), keywords.end());
      break;
    case StoreMode::remove:
      m.flags &= Flags(~flags);
      std::erase_if(kw, [&](const std::string& k) {
        return std::any_of(keywords.begin(), keywords.end(), [&](const std::string& r) { return iequals(r, k); });
      });
      break;
  }
  std::sort(kw.begin(), kw.end());
  kw.erase(std::unique(kw.begin(), kw.end()), kw.end());
  m.keywords = std::move(kw);
  m.modseq = ++highest_modseq_;
  pending_.push_back({m.uid, mode, flags, keywords});
  flags_dirty_ = true;
  return {};
}

Status MboxFolder::rewrite(FolderIndex& index, bool expunge, const std::optional<std::vector<uint32_t>>& wanted) {
  auto locked = lock_mbox(opt_.path, opt_.index_dir, false);
  if (!locked) return locked.error();
  if (!locked->fd) return {};
  int fd = locked->fd.get();
  // Under local's locks nothing moves: match once more, then rewrite.
  std::string text;
  MboxContents contents;
  if (auto s = match_file(index, fd, opt_.path, opt_.root, now_ns(), &text, &contents); !s) return s.error();
  std::unordered_map<uint64_t, const IndexRecord*> by_offset;
  for (const auto& r : index.records)
    if (auto place = decode(r.data)) by_offset.emplace(place->from, &r);
  std::optional<uint64_t> start;
  std::string tail;
  std::vector<uint32_t> dropped;
  for (const auto& m : contents.messages) {
    std::string_view entry = std::string_view(text).substr(m.from, m.end - m.from);
    auto it = by_offset.find(m.from);
    auto place = it == by_offset.end() ? std::nullopt : decode(it->second->data);
    if (!place) {
      if (start) tail += entry;
      continue;
    }
    uint32_t uid = it->second->uid;
    if (expunge && (place->flags & kDeleted) &&
        (!wanted || std::binary_search(wanted->begin(), wanted->end(), uid))) {
      if (!start) start = m.from;
      dropped.push_back(uid);
      continue;
    }
    auto keywords = names_of(place->keyword_mask);
    auto in_file = m.keywords;
    std::sort(in_file.begin(), in_file.end());
    if (place->flags != m.flags || keywords != in_file) {
      if (!start) start = m.from;
      tail += mbox_entry_with_flags(entry, place->flags, keywords);
    } else if (start) {
      tail += entry;
    }
  }
  if (!start) return {};
  if (auto s = rewrite_mbox_tail(fd, opt_.index_dir, text, *start, tail); !s) return s;
  std::sort(dropped.begin(), dropped.end());
  std::erase_if(index.records,
                [&](const IndexRecord& r) { return std::binary_search(dropped.begin(), dropped.end(), r.uid); });
  if (auto s = match_file(index, fd, opt_.path, opt_.root, now_ns()); !s) return s.error();
  return write_folder_index(opt_.index_dir + kIndexFile, index);
}

Result<std::vector<Expunged>> MboxFolder::expunge(const std::optional<std::vector<uint32_t>>& uids) {
  if (opt_.read_only) return Error{"mailbox is read-only", EPERM};
  std::optional<std::vector<uint32_t>> wanted = uids;
  if (wanted) std::sort(wanted->begin(), wanted->end());
  {
    auto lock = UidListLock::acquire(opt_.index_dir);
    if (!lock) return lock.error();
    auto index = sync_index(*lock, false);  // our pending flags go in first
    if (!index) return index.error();
    if (auto s = rewrite(*index, true, wanted); !s) return s.error();
    flags_dirty_ = false;
  }
  FolderChanges changes;
  if (auto s = sync(true, &changes); !s) return s.error();
  racy_ = true;
  return changes.expunged;
}

Status MboxFolder::write_back_flags() {
  if (opt_.read_only || !flags_dirty_) return {};
  auto lock = UidListLock::acquire(opt_.index_dir);
  if (!lock) return lock.error();
  auto index = sync_index(*lock, false);
  if (!index) return index.error();
  if (auto s = rewrite(*index, false, std::nullopt); !s) return s;
  flags_dirty_ = false;
  return {};
}

Result<CopyResult> MboxFolder::copy(const std::vector<size_t>& indices, const std::string& target) {
  if (!opt_.append_to) return Error{"no such mailbox: " + target, ENOENT};
  std::vector<MboxAppendItem> items;
  std::vector<uint32_t> source;
  for (size_t i : indices) {
    if (i >= metas_.size() || metas_[i].expunged) continue;
    auto text = read(i);
    if (!text) {
      if (text.error().sys_errno == ENOENT) continue;
      return text.error();
    }
    items.push_back({std::move(*text), metas_[i].flags, metas_[i].keywords, metas_[i].internal_date});
    source.push_back(metas_[i].uid);
  }
  auto added = opt_.append_to(target, std::move(items));
  if (!added) return added.error();
  CopyResult out;
  out.uidvalidity = added->first;
  for (size_t k = 0; k < source.size() && k < added->second.size(); ++k) out.uids.emplace_back(source[k], added->second[k]);
  return out;
}

Result<std::pair<uint32_t, std::vector<uint32_t>>> MboxFolder::append(const std::string& path,
                                                                      const std::string& index_dir,
                                                                      const std::string& root,
                                                                      const std::vector<MboxAppendItem>& items) {
  std::vector<std::string> identities;
  std::error_code ec;
  std::filesystem::create_directories(index_dir, ec);
  if (ec) return Error{"create " + index_dir + ": " + ec.message(), ec.value()};
  {
    auto locked = lock_mbox(path, index_dir, true);
    if (!locked) return locked.error();
    int fd = locked->fd.get();
    Stamp st = fd_stamp(fd);
    bool needs_newline = false;
    if (st.size >= 1) {
      auto tail = pread_exact(fd, st.size >= 2 ? st.size - 2 : 0, st.size >= 2 ? 2 : 1);
      if (!tail) return tail.error();
      needs_newline = !(*tail == "\n\n" || (st.size == 1 && *tail == "\n"));
      if (needs_newline && tail->back() != '\n') {
        // The last message lacks even its line end: add both.
        if (auto s = write_all(fd, "\n"); !s) return s.error();
      }
    }
    std::string all;
    for (size_t i = 0; i < items.size(); ++i) {
      int64_t date = items[i].internal_date.value_or(int64_t(::time(nullptr)));
      std::string entry = mbox_entry(items[i].content, date, i == 0 && needs_newline);
      auto parsed = parse_mbox(std::string_view(entry).substr(i == 0 && needs_newline ? 1 : 0));
      identities.push_back(parsed && !parsed->messages.empty() ? parsed->messages[0].identity : "");
      all += entry;
    }
    if (::lseek(fd, 0, SEEK_END) < 0) return sys_error("seek " + path);
    if (auto s = write_all(fd, all); !s) {
      (void)::ftruncate(fd, off_t(st.size));
      return s.error();
    }
    if (::fsync(fd) != 0) {
      Error e = sys_error("fsync " + path);
      (void)::ftruncate(fd, off_t(st.size));
      return e;
    }
  }
  // Number them: the last records with our identities are ours.
  auto lock = UidListLock::acquire(index_dir);
  if (!lock) return lock.error();
  bool rewritten = false;
  auto index = load_index(path, index_dir, root, &rewritten);
  if (!index) return index.error();
  std::vector<uint32_t> uids(items.size(), 0);
  std::vector<bool> taken(index->records.size(), false);
  for (size_t k = items.size(); k-- > 0;) {
    for (size_t r = index->records.size(); r-- > 0;) {
      if (taken[r]) continue;
      auto place = decode(index->records[r].data);
      if (!place || place->identity != identities[k]) continue;
      taken[r] = true;
      uids[k] = index->records[r].uid;
      place->flags = items[k].flags;
      place->keyword_mask = mask_of(index->keywords, items[k].keywords);
      index->records[r].data = encode(*place);
      if (items[k].internal_date) index->records[r].date = *items[k].internal_date;
      break;
    }
  }
  if (auto s = write_folder_index(index_dir + kIndexFile, *index); !s) return s.error();
  return std::make_pair(index->uidvalidity, uids);
}

std::vector<WatchPath> MboxFolder::watch_paths() const {
  std::string dir = opt_.path.substr(0, opt_.path.find_last_of('/'));
  return {{opt_.path, {}}, {dir.empty() ? "/" : dir, {}}, {opt_.index_dir, {}}};
}

std::optional<std::string> MboxFolder::cached(uint32_t uid, std::string_view field) const {
  return cache_.get(uid, field);
}

void MboxFolder::store_cached(uint32_t uid, std::string_view field, std::string value) {
  cache_.put(uid, field, std::move(value));
}

Status MboxFolder::flush() {
  if (!pending_.empty()) {
    bool claim = opt_.claim_recent;
    opt_.claim_recent = false;
    FolderChanges ignored;
    auto s = sync(false, &ignored);
    opt_.claim_recent = claim;
    if (!s) return s;
  }
  return cache_.flush();
}

uint32_t MboxFolder::unclaimed_recent() const {
  uint32_t n = 0;
  for (const auto& m : metas_)
    if (!m.expunged && m.uid >= first_recent_uid_) ++n;
  return n;
}

}  // namespace postern::mailstore
