// MaildirFolder: opening (from the index when the folder has not changed),
// rescanning, UID assignment, \Recent claims and the index write. Runs in
// imapd's mail process as the mailbox owner.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_map>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/mailstore/maildir_folder.hpp"
#include "lib/mailstore/maildir_name.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

const char kIndexFile[] = "/postern-index";
const char kCacheFile[] = "/postern-cache";
// While the stamps are too fresh to prove that nothing changed (a change in
// the same clock tick leaves the mtime as it was), refresh() rescans at most
// this often instead of on every command: under a stream of STOREs (our own
// renames keep cur/ fresh) a rescan per command was most of STORE's cost.
// One second, as Dovecot waits for the same case: at 100 ms, ten sessions
// storing into one folder made a hundred full rescans a second.
constexpr int64_t kRecheckNs = 1'000'000'000;
// How long a lazy refresh may leave other sessions' flag renames unseen
// (Folder::set_lazy_flag_sync): with ten sessions storing into one
// 1,000-message folder, a cur/ listing per command was most of STORE's cost.
constexpr int64_t kLazyFlagsNs = 100'000'000;

std::string file_part(const std::string& rel) { return rel.substr(rel.find('/') + 1); }

// Delivery order for files that get UIDs together: Maildir base names start
// with the delivery time, "<seconds>.M<microseconds>" in the usual form.
bool delivered_before(const std::string& a, const std::string& b) {
  auto when = [](const std::string& s) {
    long long secs = 0, usecs = 0;
    size_t i = 0;
    while (i < s.size() && i < 18 && s[i] >= '0' && s[i] <= '9') secs = secs * 10 + (s[i++] - '0');
    if (i + 1 < s.size() && s[i] == '.' && s[i + 1] == 'M') {
      size_t k = i + 2;
      while (k < s.size() && k < i + 10 && s[k] >= '0' && s[k] <= '9') usecs = usecs * 10 + (s[k++] - '0');
    }
    return std::make_pair(secs, usecs);
  };
  auto ta = when(a), tb = when(b);
  if (ta != tb) return ta < tb;
  return a < b;
}

}  // namespace

MaildirFolder::MaildirFolder(Options options)
    : opt_(std::move(options)), cache_(opt_.dir + kCacheFile, 0) {}

MaildirFolder::Stamps MaildirFolder::current_stamps() const {
  return Stamps{stamp_of(opt_.dir + "/new"), stamp_of(opt_.dir + "/cur"), stamp_of(opt_.dir + "/dovecot-uidlist"),
                stamp_of(opt_.dir + "/dovecot-keywords")};
}

void MaildirFolder::load_keywords() {
  keyword_table_.clear();
  if (auto text = read_file(opt_.dir + "/dovecot-keywords")) keyword_table_ = parse_dovecot_keywords(*text);
}

std::vector<std::string> MaildirFolder::keyword_names(const std::string& letters) const {
  std::vector<std::string> out;
  for (char c : letters) {
    size_t i = size_t(c - 'a');
    if (i < keyword_table_.size() && !keyword_table_[i].empty()) out.push_back(keyword_table_[i]);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::unique_ptr<MaildirFolder>> MaildirFolder::open(Options options) {
  struct stat st{};
  std::string cur = options.dir + "/cur";
  if (::stat(cur.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    if (errno == ENOENT || !S_ISDIR(st.st_mode)) return Error{"no such folder: " + options.name, ENOENT};
    return sys_error("open " + cur);
  }
  std::unique_ptr<MaildirFolder> folder(new MaildirFolder(std::move(options)));
  folder->load_keywords();
  Stamps now = folder->current_stamps();
  auto index = read_folder_index(folder->opt_.dir + kIndexFile);
  if (index && folder->open_from_index(*index, now)) {
    // Unchanged since the index was written; only a SELECT that finds
    // unclaimed \Recent messages has something to write.
    if (folder->opt_.claim_recent && !folder->opt_.read_only && !folder->metas_.empty() &&
        folder->metas_.back().uid >= folder->first_recent_uid_) {
      auto lock = UidListLock::acquire(folder->opt_.dir);
      if (!lock) return lock.error();
      if (auto s = folder->claim_and_write_index(*lock); !s) return s.error();
    }
    return folder;
  }
  if (auto s = folder->rescan(index ? &*index : nullptr, true, nullptr); !s) return s.error();
  return folder;
}

bool MaildirFolder::open_from_index(FolderIndex& index, const Stamps& now) {
  const Stamp* n = index.stamp("new");
  const Stamp* c = index.stamp("cur");
  const Stamp* u = index.stamp("uidlist");
  const Stamp* k = index.stamp("keywords");
  if (!n || !c || !u || !k) return false;
  Stamps stored{*n, *c, *u, *k};
  if (stored != now || n->mtime_ns < 0 || c->mtime_ns < 0 || u->mtime_ns < 0 || k->mtime_ns < 0) return false;
  uidvalidity_ = index.uidvalidity;
  nextuid_ = index.nextuid;
  first_recent_uid_ = index.first_recent_uid;
  highest_modseq_ = index.highest_modseq;
  metas_.reserve(index.records.size());
  files_.reserve(index.records.size());
  for (auto& r : index.records) {
    std::string letters;
    MessageMeta m;
    m.uid = r.uid;
    m.flags = maildir_name_flags(r.file, letters);
    if (!letters.empty()) m.keywords = keyword_names(letters);
    m.internal_date = r.date;
    m.rfc822_size = r.size;
    m.modseq = r.modseq;
    m.recent = r.uid >= first_recent_uid_;
    metas_.push_back(std::move(m));
    files_.push_back(std::move(r.file));
  }
  known_ = now;
  racy_ = false;
  scanned_at_ = now_ns();
  cache_.set_uidvalidity(uidvalidity_);
  return true;
}

Status MaildirFolder::rescan(const FolderIndex* prior, bool allow_expunges, FolderChanges* changes) {
  const bool initial = changes == nullptr;
  by_base_.clear();  // files_ is rebuilt below
  if (initial) index_dirty_ = true;  // the index on disk (if any) is stale
  int64_t started = now_ns();
  cur_listed_at_ = started;
  Stamps before = current_stamps();
  if (!(before.keywords == known_.keywords)) {
    size_t old = keyword_table_.size();
    load_keywords();
    if (changes && keyword_table_.size() != old) changes->keywords_changed = true;
  }
  auto listed = read_uidlist(opt_.dir);
  std::optional<UidList> uidlist;
  if (listed) uidlist = std::move(*listed);
  else if (listed.error().sys_errno != EINVAL) return listed.error();
  uint32_t floor = uidlist ? uidlist->nextuid : 0;

  auto scanned = scan_maildir(opt_.dir);
  if (!scanned) return scanned.error();
  MaildirFiles& files = *scanned;
  // new/ -> cur/: the message has been seen by an IMAP session (Maildir's rule).
  if (!opt_.read_only) {
    for (auto& [base, rel] : files) {
      if (!rel.starts_with("new/")) continue;
      std::string name = file_part(rel);
      std::string moved = "cur/" + (name.find(':') == std::string::npos ? name + ":2," : name);
      if (::rename((opt_.dir + "/" + rel).c_str(), (opt_.dir + "/" + moved).c_str()) == 0 || errno == ENOENT)
        rel = moved;  // on ENOENT another session moved it the same way
    }
  }

  std::unordered_map<std::string, uint32_t> uid_of;
  auto index_uidlist = [&] {
    uid_of.clear();
    uid_of.reserve(uidlist->entries.size() * 2);
    for (const auto& e : uidlist->entries) uid_of.emplace(e.base, e.uid);
  };
  if (uidlist) index_uidlist();
  std::vector<std::string> unassigned;
  for (const auto& [base, rel] : files)
    if (!uid_of.contains(base)) unassigned.push_back(base);
  std::sort(unassigned.begin(), unassigned.end(), delivered_before);

  std::optional<UidListLock> lock;
  const bool fresh_list = !uidlist;
  if (!unassigned.empty() || !uidlist) {
    // Another session that holds the lock is most likely numbering these
    // very messages: look at the list again once it lets go.
    auto taken = UidListLock::acquire_unless_done(opt_.dir, 30000, [&] {
      auto again = read_uidlist(opt_.dir);
      if (!again || !*again) return true;
      uidlist = std::move(**again);
      index_uidlist();
      std::erase_if(unassigned, [&](const std::string& base) { return uid_of.contains(base); });
      return !unassigned.empty();
    });
    if (!taken) return taken.error();
    if (*taken) {
      lock.emplace(std::move(**taken));
      auto list = assign_uids(*lock, opt_.dir, opt_.root, unassigned, &files, floor);
      if (!list) return list.error();
      uidlist = std::move(*list);
      index_uidlist();
    }
  }

  // The new view, in UID order.
  struct Found {
    uint32_t uid;
    const std::string* base;
    std::string* rel;
  };
  std::vector<Found> found;
  found.reserve(files.size());
  for (auto& [base, rel] : files)
    if (auto it = uid_of.find(base); it != uid_of.end()) found.push_back({it->second, &base, &rel});
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.uid < b.uid; });

  bool validity_changed = uidvalidity_ != 0 && uidvalidity_ != uidlist->uidvalidity;
  if (uidvalidity_ == 0 || validity_changed) {
    if (validity_changed && changes) changes->uidvalidity_changed = true;
    metas_.clear();
    files_.clear();
    // A first look: with no index of ours, messages a Dovecot (whose index
    // is there) already numbered are not new to the user; otherwise all are.
    if (prior && prior->uidvalidity == uidlist->uidvalidity) {
      first_recent_uid_ = prior->first_recent_uid;
      highest_modseq_ = prior->highest_modseq;
    } else {
      bool dovecot_saw_them = !fresh_list && ::access((opt_.dir + "/dovecot.index").c_str(), F_OK) == 0;
      first_recent_uid_ = dovecot_saw_them ? floor : 1;
      prior = nullptr;
    }
    uidvalidity_ = uidlist->uidvalidity;
    cache_.set_uidvalidity(uidvalidity_);
  }
  nextuid_ = std::max(nextuid_, uidlist->nextuid);

  std::unordered_map<uint32_t, const IndexRecord*> prior_by_uid;
  if (prior)
    for (const auto& r : prior->records) prior_by_uid.emplace(r.uid, &r);

  // Old view against the new one.
  std::unordered_map<uint32_t, size_t> new_pos;
  new_pos.reserve(found.size() * 2);
  for (size_t i = 0; i < found.size(); ++i) new_pos.emplace(found[i].uid, i);
  std::vector<size_t> gone;  // indices into metas_
  for (size_t i = 0; i < metas_.size(); ++i)
    if (!metas_[i].expunged && !new_pos.contains(metas_[i].uid)) gone.push_back(i);
  if (!gone.empty()) {
    // Make sure: a second complete scan must miss them too.
    auto again = scan_maildir(opt_.dir);
    if (!again) return again.error();
    std::erase_if(gone, [&](size_t i) {
      std::string base = parse_maildir_name(file_part(files_[i])).base;
      auto it = again->find(base);
      if (it == again->end()) return false;
      files_[i] = it->second;
      return true;
    });
  }
  for (size_t i : gone) metas_[i].expunged = true;

  // Update flags of the messages we keep.
  uint32_t last_old_uid = metas_.empty() ? 0 : metas_.back().uid;
  for (size_t i = 0; i < metas_.size(); ++i) {
    auto it = new_pos.find(metas_[i].uid);
    if (it == new_pos.end()) continue;
    const std::string& rel = *found[it->second].rel;
    if (rel != files_[i]) {
      files_[i] = rel;
      MaildirName parsed = parse_maildir_name(file_part(rel));
      auto kw = keyword_names(parsed.keywords);
      if (parsed.flags != metas_[i].flags || kw != metas_[i].keywords) {
        metas_[i].flags = parsed.flags;
        metas_[i].keywords = std::move(kw);
        metas_[i].modseq = ++highest_modseq_;
        index_dirty_ = true;
        if (changes) changes->flags_changed.push_back(i);
      }
    } else if (changes && changes->keywords_changed) {
      MaildirName parsed = parse_maildir_name(file_part(rel));
      metas_[i].keywords = keyword_names(parsed.keywords);
    }
  }

  // Report and drop expunged messages, highest sequence number first.
  if (allow_expunges) {
    for (size_t i = metas_.size(); i-- > 0;) {
      if (!metas_[i].expunged) continue;
      if (changes) changes->expunged.push_back({metas_[i].uid, uint32_t(i + 1)});
      metas_.erase(metas_.begin() + long(i));
      files_.erase(files_.begin() + long(i));
      index_dirty_ = true;
      expunged_any_ = true;
    }
    if (changes) {
      // flags_changed indices refer to the view before the removal.
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

  // New messages, in UID order after the ones we had.
  if (changes) changes->old_count = metas_.size();
  for (const auto& f : found) {
    if (f.uid <= last_old_uid) continue;
    MessageMeta m;
    m.uid = f.uid;
    MaildirName parsed = parse_maildir_name(file_part(*f.rel));
    m.flags = parsed.flags;
    m.keywords = keyword_names(parsed.keywords);
    auto p = prior_by_uid.find(f.uid);
    if (p != prior_by_uid.end()) {
      m.rfc822_size = p->second->size;
      m.internal_date = p->second->date;
      m.modseq = p->second->modseq;
    } else {
      std::string path = opt_.dir + "/" + *f.rel;
      struct stat st{};
      if (::stat(path.c_str(), &st) != 0) continue;  // gone since the scan: next refresh
      m.internal_date = int64_t(st.st_mtime);
      if (auto w = base_name_size(*f.base, 'W')) {
        m.rfc822_size = *w;
      } else {
        auto text = read_file(path);
        if (!text) continue;
        m.rfc822_size = network_size(*text);
      }
      m.modseq = ++highest_modseq_;
    }
    m.recent = m.uid >= first_recent_uid_;
    metas_.push_back(std::move(m));
    files_.push_back(*f.rel);
    index_dirty_ = true;
  }
  if (changes) changes->new_count = metas_.size();

  known_ = before;
  scanned_at_ = started;
  Stamp probe = settled(before.cur_dir, started);
  racy_ = probe.mtime_ns < 0 || settled(before.new_dir, started).mtime_ns < 0 ||
          settled(before.uidlist, started).mtime_ns < 0;

  // Write the index at open (so the next open is fast) and whenever this
  // SELECT session takes \Recent; other changes are saved at close.
  bool claim = opt_.claim_recent && !opt_.read_only && !metas_.empty() && metas_.back().uid >= first_recent_uid_;
  if (claim && !initial) {
    // Another session may have claimed them already (with many sessions
    // IDLE on one folder, every one of them sees each new message): then
    // there is nothing to write, and taking (or keeping) the lock to write
    // the index would only queue the sessions behind one another before
    // they can report EXISTS.
    auto claimed_by_other = [&] {
      auto disk = read_folder_index_header(opt_.dir + kIndexFile);
      if (!disk || disk->uidvalidity != uidvalidity_ || disk->first_recent_uid <= metas_.back().uid) return false;
      for (auto& m : metas_) m.recent = m.recent && m.uid >= disk->first_recent_uid;
      first_recent_uid_ = disk->first_recent_uid;
      return true;
    };
    if (claimed_by_other()) {
      claim = false;
    } else if (!lock) {
      auto taken = UidListLock::acquire_unless_done(opt_.dir, 30000, [&] { return !claimed_by_other(); });
      if (!taken) return taken.error();
      if (*taken) lock.emplace(std::move(**taken));
      else claim = false;
    }
  }
  if (claim || initial) {
    if (!lock) {
      auto l = UidListLock::acquire(opt_.dir, claim ? 30000 : 2000);
      if (l) lock.emplace(std::move(*l));
      else if (claim) return l.error();
    }
    if (lock)
      if (auto s = claim_and_write_index(*lock); !s) return s;
  }
  return {};
}

Status MaildirFolder::claim_and_write_index(UidListLock& lock) {
  (void)lock;  // held by the caller: the \Recent boundary and the index change together
  std::string path = opt_.dir + kIndexFile;
  uint32_t on_disk_recent = first_recent_uid_;
  uint64_t on_disk_modseq = highest_modseq_;
  if (auto disk = read_folder_index(path); disk && disk->uidvalidity == uidvalidity_) {
    on_disk_recent = std::max(on_disk_recent, disk->first_recent_uid);
    on_disk_modseq = std::max(on_disk_modseq, disk->highest_modseq);
  }
  highest_modseq_ = std::max(highest_modseq_, on_disk_modseq);
  if (opt_.claim_recent && !opt_.read_only) {
    for (auto& m : metas_) m.recent = m.recent && m.uid >= on_disk_recent;
    first_recent_uid_ = std::max(on_disk_recent, metas_.empty() ? 1 : metas_.back().uid + 1);
  } else {
    first_recent_uid_ = on_disk_recent;
  }
  FolderIndex index;
  index.uidvalidity = uidvalidity_;
  index.nextuid = nextuid_;
  index.first_recent_uid = first_recent_uid_;
  index.highest_modseq = highest_modseq_;
  index.set_stamp("new", settled(known_.new_dir, scanned_at_));
  index.set_stamp("cur", settled(known_.cur_dir, scanned_at_));
  index.set_stamp("uidlist", settled(known_.uidlist, scanned_at_));
  index.set_stamp("keywords", settled(known_.keywords, scanned_at_));
  index.records.reserve(metas_.size());
  for (size_t i = 0; i < metas_.size(); ++i) {
    if (metas_[i].expunged) continue;
    index.records.push_back({metas_[i].uid, metas_[i].modseq, metas_[i].rfc822_size, metas_[i].internal_date, "-",
                             files_[i]});
  }
  if (auto s = write_folder_index(path, index); !s) return s;
  index_dirty_ = false;
  return {};
}

Result<FolderChanges> MaildirFolder::refresh(bool allow_expunges) {
  FolderChanges changes;
  changes.old_count = changes.new_count = metas_.size();
  (void)cache_.flush();
  bool pending_expunges = allow_expunges && std::any_of(metas_.begin(), metas_.end(),
                                                         [](const MessageMeta& m) { return m.expunged; });
  Stamps now = current_stamps();
  bool recheck = recheck_now_ || (racy_ && now_ns() - scanned_at_ >= kRecheckNs);
  if (now == known_ && !recheck && !pending_expunges) return changes;
  recheck_now_ = false;
  // Other sessions' STOREs move only cur/: no new UIDs, no new files.
  bool only_cur = now.new_dir == known_.new_dir && now.uidlist == known_.uidlist &&
                  now.keywords == known_.keywords;
  if (only_cur && !recheck && !pending_expunges && lazy_flag_sync_ && now_ns() - cur_listed_at_ < kLazyFlagsNs)
    return changes;  // known_ stays as it was: a later refresh looks
  if (only_cur && !recheck && !pending_expunges && rescan_cur_flags(now.cur_dir, changes)) return changes;
  changes.flags_changed.clear();
  if (auto s = rescan(nullptr, allow_expunges, &changes); !s) return s.error();
  return changes;
}

bool MaildirFolder::rescan_cur_flags(const Stamp& cur_before, FolderChanges& changes) {
  auto base_of = [](std::string_view rel) {
    rel.remove_prefix(rel.find('/') + 1);
    return rel.substr(0, rel.find(':'));
  };
  if (by_base_.size() != files_.size()) {
    by_base_.resize(files_.size());
    for (size_t i = 0; i < files_.size(); ++i) by_base_[i] = uint32_t(i);
    std::sort(by_base_.begin(), by_base_.end(),
              [&](uint32_t a, uint32_t b) { return base_of(files_[a]) < base_of(files_[b]); });
  }
  std::string cur = opt_.dir + "/cur";
  DIR* dp = ::opendir(cur.c_str());
  if (!dp) return false;
  cur_listed_at_ = now_ns();
  std::vector<char> seen(files_.size(), 0);
  std::vector<std::pair<uint32_t, std::string>> renamed;
  bool complete = true;
  while (dirent* de = ::readdir(dp)) {
    std::string_view name = de->d_name;
    if (name.empty() || name[0] == '.') continue;
    std::string_view base = name.substr(0, name.find(':'));
    auto it = std::lower_bound(by_base_.begin(), by_base_.end(), base,
                               [&](uint32_t i, std::string_view b) { return base_of(files_[i]) < b; });
    // Unknown (a new message) or listed twice (renamed during the readdir).
    if (it == by_base_.end() || base_of(files_[*it]) != base || seen[*it]) {
      complete = false;
      break;
    }
    seen[*it] = 1;
    if (std::string_view(files_[*it]).substr(4) != name) renamed.emplace_back(*it, "cur/" + std::string(name));
  }
  ::closedir(dp);
  // A message we did not find may be expunged: that needs the full rescan's care.
  if (!complete || std::find(seen.begin(), seen.end(), 0) != seen.end()) return false;
  for (auto& [i, rel] : renamed) {
    files_[i] = std::move(rel);
    MaildirName parsed = parse_maildir_name(file_part(files_[i]));
    auto kw = keyword_names(parsed.keywords);
    if (parsed.flags == metas_[i].flags && kw == metas_[i].keywords) continue;
    metas_[i].flags = parsed.flags;
    metas_[i].keywords = std::move(kw);
    metas_[i].modseq = ++highest_modseq_;
    index_dirty_ = true;
    changes.flags_changed.push_back(i);
  }
  std::sort(changes.flags_changed.begin(), changes.flags_changed.end());
  // The stamp from before the readdir: if cur/ moved meanwhile, the next
  // refresh looks again. A fresh stamp keeps the delayed full re-check due.
  known_.cur_dir = cur_before;
  if (settled(cur_before, now_ns()).mtime_ns < 0) racy_ = true;
  return true;
}

Status MaildirFolder::save_index() {
  if (!index_dirty_ && current_stamps() == known_) return {};
  // Our own renames moved cur/'s mtime: look once more so the index we leave
  // matches the folder and the next open needs no scan. Nothing is claimed
  // here: messages this session never reported stay \Recent for the next.
  opt_.claim_recent = false;
  FolderChanges ignored;
  if (current_stamps() != known_ || racy_)
    if (auto s = rescan(nullptr, true, &ignored); !s) return s;
  auto lock = UidListLock::acquire(opt_.dir, 2000);
  if (!lock) return lock.error();
  if (expunged_any_) {
    // Drop the cached strings of expunged messages once they are most of the file.
    std::vector<uint32_t> live;
    live.reserve(metas_.size());
    for (const auto& m : metas_) live.push_back(m.uid);
    (void)cache_.compact_if_wasteful(live);
  }
  return claim_and_write_index(*lock);
}

uint32_t MaildirFolder::unclaimed_recent() const {
  uint32_t n = 0;
  for (const auto& m : metas_)
    if (!m.expunged && m.uid >= first_recent_uid_) ++n;
  return n;
}

}  // namespace postern::mailstore
