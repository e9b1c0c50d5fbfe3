// DbFile: sole owner of one Berkeley DB handle (hash or btree), the on-disk
// format Postfix's hash: and btree: tables use. No DB_ENV: each handle has
// its own cache, like Postfix's dict_db. Used by readers in daemons and by
// the postmap/postalias builder.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

struct __db;  // Berkeley DB's DB, kept out of every other header

namespace postern::maps {

enum class DbKind { hash, btree };

class DbFile {
 public:
  DbFile() = default;
  ~DbFile();
  DbFile(DbFile&& other) noexcept;
  DbFile& operator=(DbFile&& other) noexcept;
  DbFile(const DbFile&) = delete;
  DbFile& operator=(const DbFile&) = delete;

  // Opens an existing file read-only.
  static Result<DbFile> open_read(const std::string& path, DbKind kind);
  // Opens an existing file for update.
  static Result<DbFile> open_write(const std::string& path, DbKind kind);
  // Creates a new file that must not exist yet; `cache_bytes` sizes the
  // cache (Postfix uses 16 MB for postmap builds).
  static Result<DbFile> create(const std::string& path, DbKind kind, unsigned mode,
                               unsigned cache_bytes);

  bool valid() const { return db_ != nullptr; }
  const std::string& path() const { return path_; }

  // The stored bytes for `key` exactly as given; nullopt if absent; an
  // Error when the database fails.
  Result<std::optional<std::string>> get(std::string_view key);
  // Stores key -> value; with overwrite false an existing key is kept and
  // the result is false.
  Result<bool> put(std::string_view key, std::string_view value, bool overwrite);
  // Removes key; false if it was not there.
  Result<bool> remove(std::string_view key);
  // Every record in storage order, raw bytes (NULs included).
  Status for_each(const std::function<void(std::string_view, std::string_view)>& fn);
  // Flushes the cache to the file.
  Status sync();
  // Flushes and closes; errors are reported here rather than lost in a destructor.
  Status close();

 private:
  static Result<DbFile> open_impl(const std::string& path, DbKind kind, unsigned flags,
                                  unsigned mode, unsigned cache_bytes);
  Error db_error(std::string_view what, int rc) const;

  __db* db_ = nullptr;
  std::string path_;
};

}  // namespace postern::maps
