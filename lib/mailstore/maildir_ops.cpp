// Maildir scan, UID assignment, keyword letters and message adding. Runs
// in imapd's mail process as the mailbox owner.
#include "lib/mailstore/maildir_ops.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <unordered_set>

#include "lib/base/file_io.hpp"
#include "lib/base/host_name.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailbox/maildir_writer.hpp"
#include "lib/mailstore/folder_index.hpp"
#include "lib/mailstore/maildir_name.hpp"
#include "lib/mailstore/uidl.hpp"

namespace postern::mailstore {
namespace {

// Adds the entries of dir/sub to `files`; a missing subfolder is empty.
Status read_sub(const std::string& dir, const char* sub, MaildirFiles& files) {
  std::string path = dir + "/" + sub;
  DIR* dp = ::opendir(path.c_str());
  if (!dp) {
    if (errno == ENOENT) return {};
    return sys_error("open " + path);
  }
  while (dirent* de = ::readdir(dp)) {
    std::string_view name = de->d_name;
    if (name.empty() || name[0] == '.') continue;
    std::string base(name.substr(0, name.find(':')));
    std::string rel = std::string(sub) + "/" + std::string(name);
    files.insert_or_assign(std::move(base), std::move(rel));
  }
  ::closedir(dp);
  return {};
}

// "<sec>.M<usec>P<pid>R<random>.<host>,S=<size>,W=<vsize>": unique without a
// counter (the random part also separates two copies of one message).
std::string unique_base(uint64_t size, uint64_t vsize) {
  struct timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  unsigned char rnd[4] = {};
  (void)RAND_bytes(rnd, sizeof rnd);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%lld.M%ldP%dR%02x%02x%02x%02x.", static_cast<long long>(ts.tv_sec),
                long(ts.tv_nsec / 1000), int(::getpid()), rnd[0], rnd[1], rnd[2], rnd[3]);
  return buf + mailbox::maildir_host(host_name()) + ",S=" + std::to_string(size) + ",W=" + std::to_string(vsize);
}

Status fsync_dir(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  if (::fsync(fd.get()) != 0) return sys_error("fsync " + path);
  return {};
}

// Writes `content` into tmp/, then links it into cur/ as `final_name`.
Status store_content(const std::string& dir, const std::string& base, const std::string& final_name,
                     std::string_view content, int64_t date) {
  std::string tmp = dir + "/tmp/" + base;
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return sys_error("create " + tmp);
  auto fail = [&](Error e) {
    ::unlink(tmp.c_str());
    return e;
  };
  if (auto s = write_all(fd.get(), content); !s) return fail(s.error());
  if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + tmp));
  struct timespec times[2] = {{time_t(date), 0}, {time_t(date), 0}};
  (void)::futimens(fd.get(), times);
  fd.reset();
  std::string target = dir + "/cur/" + final_name;
  if (::link(tmp.c_str(), target.c_str()) != 0) return fail(sys_error("link " + target));
  ::unlink(tmp.c_str());
  return {};
}

}  // namespace

Result<MaildirFiles> scan_maildir(const std::string& dir) {
  MaildirFiles files;
  for (int attempt = 0; attempt < 5; ++attempt) {
    files.clear();
    Stamp before = stamp_of(dir + "/cur");
    if (auto s = read_sub(dir, "new", files); !s) return s.error();
    if (auto s = read_sub(dir, "cur", files); !s) return s.error();
    Stamp after = stamp_of(dir + "/cur");
    if (before == after) break;
  }
  return files;
}

std::optional<std::string> find_maildir_file(const std::string& dir, const std::string& base) {
  for (const char* sub : {"cur", "new"}) {
    std::string path = dir + "/" + sub;
    DIR* dp = ::opendir(path.c_str());
    if (!dp) continue;
    std::optional<std::string> found;
    while (dirent* de = ::readdir(dp)) {
      std::string_view name = de->d_name;
      if (name.starts_with(base) && (name.size() == base.size() || name[base.size()] == ':')) {
        found = std::string(sub) + "/" + std::string(name);
        break;
      }
    }
    ::closedir(dp);
    if (found) return found;
  }
  return std::nullopt;
}

uint32_t next_uidvalidity(const std::string& root) {
  std::string path = root + "/postern-uidvalidity";
  uint32_t last = 0;
  if (auto text = read_file(path))
    if (auto n = parse_long(trim(*text)); n && *n > 0 && *n <= 0xFFFFFFFFLL) last = uint32_t(*n);
  uint32_t v = std::max<uint32_t>(uint32_t(::time(nullptr)), last + 1);
  (void)replace_file(path, std::to_string(v) + "\n");
  return v;
}

Result<UidList> assign_uids(UidListLock& lock, const std::string& dir, const std::string& root,
                            const std::vector<std::string>& bases, const MaildirFiles* present,
                            uint32_t drop_below) {
  auto read = read_uidlist(dir);
  std::optional<UidList> existing;
  if (read) existing = std::move(*read);
  else if (read.error().sys_errno != EINVAL) return read.error();  // a damaged list is made anew
  bool changed = !existing;
  UidList list;
  if (existing) {
    list = std::move(*existing);
  } else {
    list.uidvalidity = next_uidvalidity(root);
    list.guid = new_mailbox_guid();
  }
  if (present) {
    size_t before = list.entries.size();
    std::erase_if(list.entries, [&](const UidListEntry& e) { return e.uid < drop_below && !present->contains(e.base); });
    changed |= list.entries.size() != before;
  }
  std::unordered_set<std::string> known;
  known.reserve(list.entries.size() * 2);
  for (const auto& e : list.entries) known.insert(e.base);
  for (const auto& b : bases) {
    if (known.contains(b)) continue;
    list.entries.push_back({list.nextuid++, "", b});
    known.insert(b);
    changed = true;
  }
  if (changed)
    if (auto s = lock.write(list); !s) return s.error();
  return list;
}

Result<std::string> keyword_letters(const std::string& dir, const std::vector<std::string>& keywords,
                                    std::vector<std::string>& known, UidListLock* lock) {
  auto find = [&](const std::string& kw) -> int {
    for (size_t i = 0; i < known.size(); ++i)
      if (iequals(known[i], kw)) return int(i);
    return -1;
  };
  bool missing = false;
  for (const auto& kw : keywords) missing |= find(kw) < 0;
  if (missing) {
    std::optional<UidListLock> own;
    if (!lock) {
      auto l = UidListLock::acquire(dir);
      if (!l) return l.error();
      own.emplace(std::move(*l));
    }
    std::string path = dir + "/dovecot-keywords";
    if (auto text = read_file(path)) known = parse_dovecot_keywords(*text);
    bool added = false;
    for (const auto& kw : keywords) {
      if (find(kw) >= 0) continue;
      auto slot = std::find(known.begin(), known.end(), std::string());
      if (slot != known.end()) {
        *slot = kw;
      } else {
        if (known.size() >= kMaxMaildirKeywords)
          return Error{"too many keywords in this folder (Maildir keeps at most 26)", ENOSPC};
        known.push_back(kw);
      }
      added = true;
    }
    if (added)
      if (auto s = write_file_atomic(path, format_dovecot_keywords(known), 0600); !s) return s.error();
  }
  std::string letters;
  for (const auto& kw : keywords) letters.push_back(char('a' + find(kw)));
  std::sort(letters.begin(), letters.end());
  letters.erase(std::unique(letters.begin(), letters.end()), letters.end());
  return letters;
}

Result<AddResult> add_to_maildir(const std::string& dir, const std::string& root,
                                 const std::vector<NewMessage>& messages) {
  struct stat st{};
  if (::stat((dir + "/cur").c_str(), &st) != 0) return sys_error("open " + dir + "/cur");
  auto lock = UidListLock::acquire(dir);
  if (!lock) return lock.error();
  std::vector<std::string> known;
  if (auto text = read_file(dir + "/dovecot-keywords")) known = parse_dovecot_keywords(*text);

  std::vector<std::string> bases;
  std::vector<std::string> made;  // files to remove if a later step fails
  auto undo = [&](Error e) {
    for (const auto& f : made) ::unlink(f.c_str());
    return e;
  };
  for (const auto& m : messages) {
    auto letters = keyword_letters(dir, m.keywords, known, &*lock);
    if (!letters) return undo(letters.error());
    MaildirName name;
    name.flags = m.flags;
    name.keywords = *letters;
    bool stored = false;
    if (!m.link_from.empty()) {
      struct stat src{};
      if (::stat(m.link_from.c_str(), &src) != 0) return undo(sys_error("stat " + m.link_from));
      auto vsize_name = base_name_size(m.link_from.substr(m.link_from.find_last_of('/') + 1), 'W');
      uint64_t vsize = 0;
      if (vsize_name) {
        vsize = *vsize_name;
      } else {
        auto text = read_file(m.link_from);
        if (!text) return undo(text.error());
        vsize = network_size(*text);
      }
      for (int attempt = 0; attempt < 5 && !stored; ++attempt) {
        name.base = unique_base(uint64_t(src.st_size), vsize);
        std::string target = dir + "/cur/" + make_maildir_name(name);
        if (::link(m.link_from.c_str(), target.c_str()) == 0) {
          made.push_back(target);
          stored = true;
        } else if (errno != EEXIST) {
          break;  // another file system or no hard links: copy the bytes instead
        }
      }
      if (!stored) {
        auto text = read_file(m.link_from);
        if (!text) return undo(text.error());
        name.base = unique_base(text->size(), network_size(*text));
        int64_t date = m.internal_date.value_or(int64_t(src.st_mtime));
        if (auto s = store_content(dir, name.base, make_maildir_name(name), *text, date); !s) return undo(s.error());
        made.push_back(dir + "/cur/" + make_maildir_name(name));
        stored = true;
      }
    } else {
      name.base = unique_base(m.content.size(), network_size(m.content));
      int64_t date = m.internal_date.value_or(int64_t(::time(nullptr)));
      if (auto s = store_content(dir, name.base, make_maildir_name(name), m.content, date); !s)
        return undo(s.error());
      made.push_back(dir + "/cur/" + make_maildir_name(name));
    }
    bases.push_back(name.base);
  }
  if (auto s = fsync_dir(dir + "/cur"); !s) return undo(s.error());
  auto list = assign_uids(*lock, dir, root, bases, nullptr);
  if (!list) return undo(list.error());
  AddResult out;
  out.uidvalidity = list->uidvalidity;
  std::unordered_map<std::string, uint32_t> uid_of;
  for (const auto& e : list->entries) uid_of[e.base] = e.uid;
  for (const auto& b : bases) out.uids.push_back(uid_of[b]);
  return out;
}

}  // namespace postern::mailstore
