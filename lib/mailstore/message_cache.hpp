// The persistent per-message cache of strings ("postern-cache"): imapd keeps
// each message's ENVELOPE and BODYSTRUCTURE text here, so FETCHing them over
// a large folder reads no message file.
//
// Append-only: a header line "POSTERN-CACHE 1 <uidvalidity>\n", then
// records 'R' <uid u32> <field length u16> <value length u32> <field>
// <value> <CRC-32 of the record so far u32> (little-endian). Several
// sessions may append at once (each flush is one write(2) with O_APPEND); a
// torn or damaged record fails its CRC and the reader resynchronises on the
// next valid one. A file for another UIDVALIDITY is discarded. compact()
// rewrites it (temp + rename) without the records of expunged messages.
// Internal to lib/mailstore.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::mailstore {

class MessageCache {
 public:
  MessageCache(std::string path, uint32_t uidvalidity) : path_(std::move(path)), uidvalidity_(uidvalidity) {}

  std::optional<std::string> get(uint32_t uid, std::string_view field);
  void put(uint32_t uid, std::string_view field, std::string value);
  // Appends what put() collected.
  Status flush();
  // Rewrites the file with only the records of `live` UIDs (ascending) when
  // more than half of it is garbage. Call with the folder lock held.
  Status compact_if_wasteful(const std::vector<uint32_t>& live);
  void set_uidvalidity(uint32_t v);

 private:
  void load();  // reads what the file gained since the last load
  std::string header() const;

  std::string path_;
  uint32_t uidvalidity_;
  bool loaded_ = false;
  uint64_t read_offset_ = 0;  // how much of the file load() has consumed
  uint64_t live_bytes_ = 0;
  uint64_t ino_ = 0;           // the file load() read from
  std::map<uint32_t, std::map<std::string, std::string, std::less<>>> values_;
  std::string pending_;        // records not yet appended
};

}  // namespace postern::mailstore
