// The append-only per-message cache file. Runs in imapd's mail process as
// the mailbox owner.
#include "lib/mailstore/message_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/mailstore/folder_index.hpp"

namespace postern::mailstore {
namespace {

constexpr size_t kFixed = 1 + 4 + 2 + 4;  // 'R', uid, field length, value length
constexpr size_t kMaxValue = 16 << 20;

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(char((v >> (8 * i)) & 0xFF));
}
void put_u16(std::string& out, uint16_t v) {
  out.push_back(char(v & 0xFF));
  out.push_back(char(v >> 8));
}
uint32_t get_u32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
uint16_t get_u16(const char* p) {
  return uint16_t(static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8));
}

std::string record(uint32_t uid, std::string_view field, std::string_view value) {
  std::string r;
  r.reserve(kFixed + field.size() + value.size() + 4);
  r.push_back('R');
  put_u32(r, uid);
  put_u16(r, uint16_t(field.size()));
  put_u32(r, uint32_t(value.size()));
  r += field;
  r += value;
  put_u32(r, crc32(r));
  return r;
}

}  // namespace

std::string MessageCache::header() const { return "POSTERN-CACHE 1 " + std::to_string(uidvalidity_) + "\n"; }

void MessageCache::set_uidvalidity(uint32_t v) {
  if (v == uidvalidity_) return;
  uidvalidity_ = v;
  values_.clear();
  pending_.clear();
  loaded_ = false;
  read_offset_ = 0;
}

void MessageCache::load() {
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) {
    loaded_ = true;
    read_offset_ = 0;
    return;
  }
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return;
  if (uint64_t(st.st_ino) != ino_ || uint64_t(st.st_size) < read_offset_) {  // replaced: start over
    ino_ = uint64_t(st.st_ino);
    values_.clear();
    read_offset_ = 0;
    live_bytes_ = 0;
  }
  if (loaded_ && uint64_t(st.st_size) == read_offset_) return;
  std::string text(size_t(st.st_size) - read_offset_, '\0');
  ssize_t n = ::pread(fd.get(), text.data(), text.size(), off_t(read_offset_));
  if (n < 0) return;
  text.resize(size_t(n));
  size_t pos = 0;
  if (read_offset_ == 0) {
    std::string h = header();
    if (!text.starts_with(h)) {
      loaded_ = true;
      read_offset_ = uint64_t(st.st_size);  // another UIDVALIDITY or not ours: ignore it
      live_bytes_ = 0;
      return;
    }
    pos = h.size();
  }
  while (pos + kFixed + 4 <= text.size()) {
    const char* p = text.data() + pos;
    if (*p != 'R') {
      ++pos;
      continue;
    }
    uint32_t uid = get_u32(p + 1);
    size_t flen = get_u16(p + 5);
    size_t vlen = get_u32(p + 7);
    if (vlen > kMaxValue || pos + kFixed + flen + vlen + 4 > text.size()) {
      ++pos;
      continue;
    }
    size_t body = kFixed + flen + vlen;
    if (crc32(std::string_view(p, body)) != get_u32(p + body)) {
      ++pos;  // damaged: look for the next record
      continue;
    }
    values_[uid][std::string(p + kFixed, flen)] = std::string(p + kFixed + flen, vlen);
    live_bytes_ += body + 4;
    pos += body + 4;
  }
  // A torn record at the end may still be completed by its writer: keep it
  // for the next load.
  read_offset_ += pos;
  loaded_ = true;
}

std::optional<std::string> MessageCache::get(uint32_t uid, std::string_view field) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt == 1 || !loaded_) load();
    auto it = values_.find(uid);
    if (it != values_.end()) {
      auto f = it->second.find(field);
      if (f != it->second.end()) return f->second;
    }
    if (!loaded_) break;
  }
  return std::nullopt;
}

void MessageCache::put(uint32_t uid, std::string_view field, std::string value) {
  if (field.size() > 0xFFFF || value.size() > kMaxValue) return;
  pending_ += record(uid, field, value);
  values_[uid][std::string(field)] = std::move(value);
}

Status MessageCache::flush() {
  if (pending_.empty()) return {};
  UniqueFd fd(::open(path_.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
  bool fresh = false;
  if (fd) {
    // A file for another UIDVALIDITY is replaced, never appended to.
    char buf[64] = {};
    UniqueFd rd(::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    ssize_t n = rd ? ::pread(rd.get(), buf, sizeof buf - 1, 0) : -1;
    std::string h = header();
    if (n < ssize_t(h.size()) || std::memcmp(buf, h.data(), h.size()) != 0) fresh = true;
  } else {
    fresh = true;
  }
  if (fresh) {
    // Everything we know, not only what is pending.
    std::string all = header();
    for (const auto& [uid, fields] : values_)
      for (const auto& [name, value] : fields) all += record(uid, name, value);
    pending_.clear();
    auto s = replace_file(path_, all);
    read_offset_ = all.size();
    live_bytes_ = all.size();
    ino_ = stamp_of(path_).ino;
    loaded_ = true;
    return s;
  }
  auto s = write_all(fd.get(), pending_);
  pending_.clear();
  return s;
}

Status MessageCache::compact_if_wasteful(const std::vector<uint32_t>& live) {
  if (auto s = flush(); !s) return s;
  load();
  struct stat st{};
  if (::stat(path_.c_str(), &st) != 0) return {};
  uint64_t kept = 0;
  for (auto it = values_.begin(); it != values_.end();) {
    if (!std::binary_search(live.begin(), live.end(), it->first)) {
      it = values_.erase(it);
      continue;
    }
    for (const auto& [name, value] : it->second) kept += kFixed + name.size() + value.size() + 4;
    ++it;
  }
  if (uint64_t(st.st_size) < 1 << 20 || kept * 2 > uint64_t(st.st_size)) return {};
  std::string all = header();
  for (const auto& [uid, fields] : values_)
    for (const auto& [name, value] : fields) all += record(uid, name, value);
  auto s = replace_file(path_, all);
  read_offset_ = all.size();
  live_bytes_ = all.size();
  ino_ = stamp_of(path_).ino;
  return s;
}

}  // namespace postern::mailstore
