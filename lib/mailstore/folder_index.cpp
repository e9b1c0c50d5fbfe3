// The per-folder index file: parse, format, stamps. Runs in imapd's mail
// process as the mailbox owner.
#include "lib/mailstore/folder_index.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::mailstore {
namespace {

constexpr std::string_view kMagic = "POSTERN-INDEX 1\n";

std::array<uint32_t, 256> make_crc_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

// Splits off the next space-separated field of `line`.
std::string_view field(std::string_view& line) {
  size_t sp = line.find(' ');
  std::string_view f = line.substr(0, sp);
  line = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);
  return f;
}

template <class T>
bool number(std::string_view s, T& out) {
  auto n = parse_long(s);
  if (!n) return false;
  out = T(*n);
  return true;
}

// The "H" line after its kind: uidvalidity, nextuid, first \Recent UID,
// highest modseq.
bool parse_header(std::string_view line, FolderIndex& index) {
  return number(field(line), index.uidvalidity) && number(field(line), index.nextuid) &&
         number(field(line), index.first_recent_uid) && number(field(line), index.highest_modseq);
}

}  // namespace

uint32_t crc32(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> table = make_crc_table();
  crc = ~crc;
  for (unsigned char c : data) crc = table[(crc ^ c) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Stamp stamp_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) return {};
  return Stamp{int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, uint64_t(st.st_ino),
               uint64_t(st.st_size)};
}

Stamp settled(Stamp s, int64_t now) {
  if (s.mtime_ns > 0 && now - s.mtime_ns < 2'000'000'000LL) s.mtime_ns = -1;
  return s;
}

const Stamp* FolderIndex::stamp(std::string_view name) const {
  for (const auto& [n, s] : stamps)
    if (n == name) return &s;
  return nullptr;
}

void FolderIndex::set_stamp(const std::string& name, const Stamp& s) {
  for (auto& [n, old] : stamps)
    if (n == name) {
      old = s;
      return;
    }
  stamps.emplace_back(name, s);
}

std::string format_folder_index(const FolderIndex& index) {
  std::string out(kMagic);
  out.reserve(64 + index.records.size() * 96);
  char buf[160];
  std::snprintf(buf, sizeof buf, "H %u %u %u %llu\n", index.uidvalidity, index.nextuid, index.first_recent_uid,
                static_cast<unsigned long long>(index.highest_modseq));
  out += buf;
  for (const auto& [name, s] : index.stamps) {
    std::snprintf(buf, sizeof buf, " %lld %llu %llu\n", static_cast<long long>(s.mtime_ns),
                  static_cast<unsigned long long>(s.ino), static_cast<unsigned long long>(s.size));
    out += "S " + name + buf;
  }
  if (!index.keywords.empty()) out += "K " + join(index.keywords, " ") + "\n";
  for (const auto& r : index.records) {
    std::snprintf(buf, sizeof buf, "M %u %llu %llu %lld ", r.uid, static_cast<unsigned long long>(r.modseq),
                  static_cast<unsigned long long>(r.size), static_cast<long long>(r.date));
    out += buf;
    out += r.data.empty() ? "-" : r.data;
    out += ' ';
    out += r.file;
    out += '\n';
  }
  std::snprintf(buf, sizeof buf, "E %zu %08x\n", index.records.size(), crc32(out));
  out += buf;
  return out;
}

std::optional<FolderIndex> parse_folder_index(std::string_view text) {
  if (!text.starts_with(kMagic) || text.size() < kMagic.size() + 2 || text.back() != '\n') return std::nullopt;
  // The last line is "E <count> <crc>" over everything before it.
  size_t last = text.rfind('\n', text.size() - 2);
  if (last == std::string_view::npos) return std::nullopt;
  std::string_view body = text.substr(0, last + 1);
  std::string_view tail = text.substr(last + 1, text.size() - last - 2);
  if (field(tail) != "E") return std::nullopt;
  size_t count = 0;
  if (!number(field(tail), count)) return std::nullopt;
  char crc_text[16];
  std::snprintf(crc_text, sizeof crc_text, "%08x", crc32(body));
  if (tail != crc_text) return std::nullopt;

  FolderIndex index;
  bool have_header = false;
  size_t pos = kMagic.size();
  while (pos < body.size()) {
    size_t eol = body.find('\n', pos);
    std::string_view line = body.substr(pos, eol - pos);
    pos = eol + 1;
    std::string_view kind = field(line);
    if (kind == "H") {
      if (!parse_header(line, index)) return std::nullopt;
      have_header = true;
    } else if (kind == "S") {
      std::string name(field(line));
      Stamp s;
      if (!number(field(line), s.mtime_ns) || !number(field(line), s.ino) || !number(field(line), s.size))
        return std::nullopt;
      index.stamps.emplace_back(std::move(name), s);
    } else if (kind == "K") {
      while (!line.empty()) index.keywords.emplace_back(field(line));
    } else if (kind == "M") {
      IndexRecord r;
      if (!number(field(line), r.uid) || !number(field(line), r.modseq) || !number(field(line), r.size) ||
          !number(field(line), r.date))
        return std::nullopt;
      r.data = std::string(field(line));
      r.file = std::string(line);
      if (r.uid == 0 || (!index.records.empty() && r.uid <= index.records.back().uid)) return std::nullopt;
      index.records.push_back(std::move(r));
    } else {
      return std::nullopt;
    }
  }
  if (!have_header || index.records.size() != count) return std::nullopt;
  return index;
}

std::optional<FolderIndex> read_folder_index(const std::string& path) {
  auto text = read_file(path);
  if (!text) return std::nullopt;
  return parse_folder_index(*text);
}

std::optional<FolderIndexHeader> read_folder_index_header(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return std::nullopt;
  char buf[128];
  ssize_t n = ::pread(fd.get(), buf, sizeof buf, 0);
  if (n <= 0) return std::nullopt;
  std::string_view text(buf, static_cast<size_t>(n));
  if (!text.starts_with(kMagic)) return std::nullopt;
  text.remove_prefix(kMagic.size());
  size_t eol = text.find('\n');
  if (eol == std::string_view::npos) return std::nullopt;  // cut off: not a header we can trust
  std::string_view line = text.substr(0, eol);
  FolderIndex header;
  if (field(line) != "H" || !parse_header(line, header)) return std::nullopt;
  return FolderIndexHeader{header.uidvalidity, header.first_recent_uid};
}

Status replace_file(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return sys_error("create " + tmp);
    if (auto s = write_all(fd.get(), data); !s) {
      ::unlink(tmp.c_str());
      return s;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = sys_error("rename " + tmp);
    ::unlink(tmp.c_str());
    return e;
  }
  return {};
}

Status write_folder_index(const std::string& path, const FolderIndex& index) {
  return replace_file(path, format_folder_index(index));
}

}  // namespace postern::mailstore
