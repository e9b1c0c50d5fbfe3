// Postern's per-folder index ("postern-index"): what a folder looked like
// the last time a session scanned it — UIDs, sizes, internal dates, file
// names (Maildir) or offsets (mbox), flags kept by us (mbox), the \Recent
// boundary — plus the stamps (mtime, inode, size) of the files and folders
// it was built from. When the stamps still match, a folder opens from the
// index with a few stat() calls and no directory scan.
//
// Text, versioned ("POSTERN-INDEX 1"), ending in a line with the record
// count and a CRC-32 of everything before it; replaced whole with temp file
// + rename, so a reader sees the old or the new index, and a torn or
// damaged one fails the check and is rebuilt from the folder. Internal to
// lib/mailstore.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

struct Stamp {
  int64_t mtime_ns = 0;  // 0: missing; -1: "do not trust" (changed too recently)
  uint64_t ino = 0;
  uint64_t size = 0;
  bool operator==(const Stamp&) const = default;
};

// stat() of a path as a Stamp (all zero when missing).
Stamp stamp_of(const std::string& path);
// The stamp to store: one whose mtime is within 2 s of `now_ns` is marked
// untrusted, because a change in the same clock tick would not move it.
Stamp settled(Stamp s, int64_t now_ns);
int64_t now_ns();

struct IndexRecord {
  uint32_t uid = 0;
  uint64_t modseq = 1;
  uint64_t size = 0;     // CRLF octets
  int64_t date = 0;      // internal date, seconds
  std::string data;      // format-specific, no spaces ("-" when none)
  std::string file;      // format-specific, rest of the line (no newline)
};

struct FolderIndex {
  uint32_t uidvalidity = 0;
  uint32_t nextuid = 1;
  uint32_t first_recent_uid = 1;  // UIDs from here on are \Recent for the next session
  uint64_t highest_modseq = 1;
  std::vector<std::pair<std::string, Stamp>> stamps;
  std::vector<std::string> keywords;  // mbox: keyword names, numbered for records
  std::vector<IndexRecord> records;   // ascending uid

  const Stamp* stamp(std::string_view name) const;
  void set_stamp(const std::string& name, const Stamp& s);
};

std::optional<FolderIndex> parse_folder_index(std::string_view text);
std::string format_folder_index(const FolderIndex& index);

// nullopt when missing or damaged (the caller rebuilds).
std::optional<FolderIndex> read_folder_index(const std::string& path);
// The "H" line alone, read from the start of the file: enough to learn
// whether another session has already claimed \Recent, without reading
// (or checking) every record. nullopt when missing or not an index.
struct FolderIndexHeader {
  uint32_t uidvalidity = 0;
  uint32_t first_recent_uid = 1;
};
std::optional<FolderIndexHeader> read_folder_index_header(const std::string& path);
// Temp file + rename; no fsync (the index can always be rebuilt).
Status write_folder_index(const std::string& path, const FolderIndex& index);
// Writes `data` to a temp file next to `path` and renames it over `path`
// (no fsync: for files that are caches).
Status replace_file(const std::string& path, std::string_view data);

uint32_t crc32(std::string_view data, uint32_t crc = 0);

}  // namespace postern::mailstore
