// MaildirFolder: reading, flag changes (file renames), expunge, copy and the
// cache. Opening and rescanning are in maildir_sync.cpp. Runs in imapd's
// mail process as the mailbox owner.
#include "lib/mailstore/maildir_folder.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/mailstore/maildir_name.hpp"
#include "lib/mailstore/maildir_ops.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

std::string file_part(const std::string& rel) { return rel.substr(rel.find('/') + 1); }

std::string merge_letters(const std::string& a, const std::string& b) {
  std::string out = a + b;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::string remove_letters(const std::string& a, const std::string& b) {
  std::string out;
  for (char c : a)
    if (b.find(c) == std::string::npos) out.push_back(c);
  return out;
}

}  // namespace

MaildirFolder::~MaildirFolder() {
  (void)cache_.flush();
  if (!opt_.read_only || index_dirty_) (void)save_index();
}

std::vector<std::string> MaildirFolder::keywords() const {
  std::vector<std::string> out;
  for (const auto& k : keyword_table_)
    if (!k.empty()) out.push_back(k);
  return out;
}

size_t MaildirFolder::keyword_room() const {
  size_t used = 0;
  for (const auto& k : keyword_table_)
    if (!k.empty()) ++used;
  return kMaxMaildirKeywords - std::min(used, kMaxMaildirKeywords);
}

bool MaildirFolder::relocate(size_t index) {
  const std::string base = parse_maildir_name(file_part(files_[index])).base;
  // readdir() may miss a file that another session renames while we list
  // the folder (POSIX leaves it open), so a miss is believed only when it
  // repeats: with sessions storing into one folder it happens.
  for (int attempt = 0; attempt < 4; ++attempt) {
    if (auto found = find_maildir_file(opt_.dir, base)) {
      files_[index] = *found;
      return true;
    }
  }
  return false;
}

Result<std::string> MaildirFolder::read(size_t index) {
  if (index >= metas_.size()) return Error{"no such message", ENOENT};
  if (metas_[index].expunged) return Error{"message was expunged", ENOENT};
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto text = read_file(opt_.dir + "/" + files_[index]);
    if (text) return to_network(*text);
    if (text.error().sys_errno != ENOENT) return text.error();
    if (!relocate(index)) return Error{"message was expunged", ENOENT};
  }
  return Error{"message keeps moving", EAGAIN};
}

Status MaildirFolder::store_flags(size_t index, StoreMode mode, Flags flags, const std::vector<std::string>& keywords) {
  if (opt_.read_only) return Error{"mailbox is read-only", EPERM};
  if (index >= metas_.size()) return Error{"no such message", ENOENT};
  if (metas_[index].expunged) return Error{"message was expunged", ENOENT};
  flags &= kSeen | kAnswered | kFlagged | kDeleted | kDraft;
  std::string letters;
  if (!keywords.empty()) {
    size_t before = keyword_table_.size();
    auto l = keyword_letters(opt_.dir, keywords, keyword_table_, nullptr);
    if (!l) return l.error();
    letters = *l;
    if (keyword_table_.size() != before) known_.keywords = stamp_of(opt_.dir + "/dovecot-keywords");
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    const std::string old_rel = files_[index];
    MaildirName name = parse_maildir_name(file_part(old_rel));
    MaildirName wanted = name;
    switch (mode) {
      case StoreMode::replace:
        wanted.flags = flags;
        wanted.keywords = letters;
        break;
      case StoreMode::add:
        wanted.flags |= flags;
        wanted.keywords = merge_letters(name.keywords, letters);
        break;
      case StoreMode::remove:
        wanted.flags &= Flags(~flags);
        wanted.keywords = remove_letters(name.keywords, letters);
        break;
    }
    std::string new_rel = "cur/" + make_maildir_name(wanted);
    if (new_rel != old_rel) {
      Stamp before = stamp_of(opt_.dir + "/cur");
      if (::rename((opt_.dir + "/" + old_rel).c_str(), (opt_.dir + "/" + new_rel).c_str()) != 0) {
        if (errno != ENOENT) return sys_error("rename " + opt_.dir + "/" + old_rel);
        // Another session renamed it (its own flag change): apply ours to that.
        if (!relocate(index)) return Error{"message was expunged", ENOENT};
        continue;
      }
      note_own_rename(before);
    }
    files_[index] = new_rel;
    MessageMeta& m = metas_[index];
    auto names = keyword_names(wanted.keywords);
    if (m.flags != wanted.flags || m.keywords != names) {
      m.flags = wanted.flags;
      m.keywords = std::move(names);
      m.modseq = ++highest_modseq_;
      index_dirty_ = true;
    }
    return {};
  }
  return Error{"message keeps changing under us", EAGAIN};
}

void MaildirFolder::note_own_rename(const Stamp& before) {
  // Our rename moved cur/'s mtime, which alone would make the next command
  // rescan the whole folder. If cur/ was as we last saw it just before the
  // rename, the new stamp is ours: take it as known. A change by someone
  // else in the instant between the two stat() calls, or in the same clock
  // tick, hides behind it; racy_ makes refresh() rescan once kRecheckNs has
  // passed since the last scan, so such a change shows within that time
  // (Dovecot's Maildir sync has the same kind of delayed re-check).
  if (!(before == known_.cur_dir)) return;  // someone else was here: rescan next time
  known_.cur_dir = stamp_of(opt_.dir + "/cur");
  racy_ = true;
}

Result<std::vector<Expunged>> MaildirFolder::expunge(const std::optional<std::vector<uint32_t>>& uids) {
  if (opt_.read_only) return Error{"mailbox is read-only", EPERM};
  std::vector<uint32_t> wanted;
  if (uids) {
    wanted = *uids;
    std::sort(wanted.begin(), wanted.end());
  }
  std::vector<Expunged> out;
  for (size_t i = metas_.size(); i-- > 0;) {
    MessageMeta& m = metas_[i];
    bool remove = m.expunged;  // gone elsewhere: report it now too
    if (!remove && (m.flags & kDeleted) && (!uids || std::binary_search(wanted.begin(), wanted.end(), m.uid))) {
      for (int attempt = 0; attempt < 5; ++attempt) {
        if (::unlink((opt_.dir + "/" + files_[i]).c_str()) == 0) {
          remove = true;
          break;
        }
        if (errno != ENOENT) return sys_error("unlink " + opt_.dir + "/" + files_[i]);
        if (!relocate(i)) {
          remove = true;  // someone else expunged it
          break;
        }
        // Renamed elsewhere: only expunge it if it is still \Deleted.
        MaildirName now = parse_maildir_name(file_part(files_[i]));
        if (!(now.flags & kDeleted)) {
          m.flags = now.flags;
          m.keywords = keyword_names(now.keywords);
          break;
        }
      }
    }
    if (!remove) continue;
    out.push_back({m.uid, uint32_t(i + 1)});
    metas_.erase(metas_.begin() + long(i));
    files_.erase(files_.begin() + long(i));
    by_base_.clear();
    index_dirty_ = true;
    expunged_any_ = true;
  }
  return out;
}

Result<CopyResult> MaildirFolder::copy(const std::vector<size_t>& indices, const std::string& target) {
  if (!opt_.resolve) return Error{"no such mailbox: " + target, ENOENT};
  auto target_dir = opt_.resolve(target);
  if (!target_dir) return target_dir.error();
  std::vector<NewMessage> messages;
  std::vector<uint32_t> source_uids;
  for (size_t i : indices) {
    if (i >= metas_.size() || metas_[i].expunged) continue;
    if (::access((opt_.dir + "/" + files_[i]).c_str(), F_OK) != 0 && !relocate(i)) continue;  // expunged meanwhile
    NewMessage n;
    n.link_from = opt_.dir + "/" + files_[i];
    n.flags = metas_[i].flags;
    n.keywords = metas_[i].keywords;
    messages.push_back(std::move(n));
    source_uids.push_back(metas_[i].uid);
  }
  CopyResult out;
  if (messages.empty()) {
    // Nothing left to copy; still report the target's UIDVALIDITY.
    auto list = read_uidlist(*target_dir);
    if (list && *list) out.uidvalidity = (*list)->uidvalidity;
    return out;
  }
  auto added = add_to_maildir(*target_dir, opt_.root, messages);
  if (!added) return added.error();
  out.uidvalidity = added->uidvalidity;
  for (size_t k = 0; k < source_uids.size(); ++k) out.uids.emplace_back(source_uids[k], added->uids[k]);
  return out;
}

std::vector<WatchPath> MaildirFolder::watch_paths() const {
  // In the folder itself only the files refresh() reads count: lock and
  // temporary files come and go there whenever a session numbers new mail.
  return {{opt_.dir, {"dovecot-uidlist", "dovecot-keywords"}}, {opt_.dir + "/new", {}}, {opt_.dir + "/cur", {}}};
}

std::optional<std::string> MaildirFolder::cached(uint32_t uid, std::string_view field) const {
  return cache_.get(uid, field);
}

void MaildirFolder::store_cached(uint32_t uid, std::string_view field, std::string value) {
  cache_.put(uid, field, std::move(value));
}

Status MaildirFolder::flush() { return cache_.flush(); }

}  // namespace postern::mailstore
