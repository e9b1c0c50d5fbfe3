// DbBuilder: writes a new hash:/btree: file beside the old one and renames
// it into place, so readers see the old table or the new one, never half of
// either. Used by postmap, postalias and newaliases (run by an administrator).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/maps/db_file.hpp"
#include "lib/maps/table.hpp"

namespace postern::maps {

struct BuildOptions {
  DbKind kind = DbKind::hash;
  NulMode nul = NulMode::with_nul;
  bool fold_case = true;  // lowercase keys (postmap without -f; always for aliases)
  // Permissions for a new file; nullopt keeps those of an existing .db.
  unsigned mode = 0644;
  // Start from the records of the existing .db (postmap -i, -d) instead of empty.
  bool start_from_existing = false;
};

class DbBuilder {
 public:
  // Creates <db_path>.tmp.<pid> and, if asked, copies the current table in.
  // Holds an exclusive flock on the existing .db (as Postfix's postmap does)
  // until commit or destruction, so two builders do not interleave.
  static Result<DbBuilder> start(const std::string& db_path, const BuildOptions& options);
  ~DbBuilder();
  DbBuilder(DbBuilder&& other) noexcept;
  DbBuilder& operator=(DbBuilder&&) noexcept = delete;

  // Stores key -> value (key folded and NUL added per the options). With
  // replace false an existing key is kept; returns whether it was stored.
  Result<bool> put(std::string_view key, std::string_view value, bool replace);
  // Stores raw bytes exactly as given (postalias's YP_* entries have no NUL).
  Result<bool> put_raw(std::string_view key, std::string_view value, bool replace);
  // Removes key in both NUL forms; returns whether anything was there.
  Result<bool> remove(std::string_view key);
  // Flushes, fsyncs and renames over the .db; then fsyncs the folder.
  Status commit();

  const std::string& db_path() const { return db_path_; }

 private:
  DbBuilder() = default;
  std::string stored_key(std::string_view key) const;
  // Fills key_buf_ with the key as stored; returns a view of it.
  std::string_view stored_key_into_buffer(std::string_view key);

  std::string db_path_;
  std::string tmp_path_;
  BuildOptions options_;
  DbFile db_;
  UniqueFd lock_;
  bool committed_ = false;
  // Reused by put(): a large build makes no allocation per entry.
  std::string key_buf_;
  std::string value_buf_;
};

}  // namespace postern::maps
