// Berkeley DB handle wrapper. The only file that includes <db.h>.
#include "lib/maps/db_file.hpp"

#include <db.h>

#include <cstring>
#include <utility>

namespace postern::maps {

namespace {

DBT make_dbt(std::string_view s) {
  DBT d;
  std::memset(&d, 0, sizeof d);
  d.data = const_cast<char*>(s.data());  // Berkeley DB does not write through key/data on get/put
  d.size = static_cast<u_int32_t>(s.size());
  return d;
}

}  // namespace

DbFile::~DbFile() {
  if (db_) db_->close(db_, 0);
}

DbFile::DbFile(DbFile&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)) {}

DbFile& DbFile::operator=(DbFile&& other) noexcept {
  if (this != &other) {
    if (db_) db_->close(db_, 0);
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
  }
  return *this;
}

Error DbFile::db_error(std::string_view what, int rc) const {
  return Error{std::string(what) + " " + path_ + ": " + db_strerror(rc), rc > 0 ? rc : 0};
}

Result<DbFile> DbFile::open_impl(const std::string& path, DbKind kind, unsigned flags,
                                 unsigned mode, unsigned cache_bytes) {
  DbFile f;
  f.path_ = path;
  int rc = db_create(&f.db_, nullptr, 0);
  if (rc != 0) {
    f.db_ = nullptr;
    return f.db_error("db_create for", rc);
  }
  if (cache_bytes > 0) (void)f.db_->set_cachesize(f.db_, 0, cache_bytes, 0);
  DBTYPE type = kind == DbKind::hash ? DB_HASH : DB_BTREE;
  rc = f.db_->open(f.db_, nullptr, path.c_str(), nullptr, type, flags, static_cast<int>(mode));
  if (rc != 0) {
    Error e = f.db_error("open database", rc);
    // A failed open still needs close() to free the handle.
    f.db_->close(f.db_, 0);
    f.db_ = nullptr;
    return e;
  }
  return f;
}

Result<DbFile> DbFile::open_read(const std::string& path, DbKind kind) {
  return open_impl(path, kind, DB_RDONLY, 0, 0);
}

Result<DbFile> DbFile::open_write(const std::string& path, DbKind kind) {
  return open_impl(path, kind, 0, 0, 0);
}

Result<DbFile> DbFile::create(const std::string& path, DbKind kind, unsigned mode,
                              unsigned cache_bytes) {
  return open_impl(path, kind, DB_CREATE | DB_EXCL, mode, cache_bytes);
}

Result<std::optional<std::string>> DbFile::get(std::string_view key) {
  DBT k = make_dbt(key);
  DBT v;
  std::memset(&v, 0, sizeof v);
  int rc = db_->get(db_, nullptr, &k, &v, 0);
  if (rc == DB_NOTFOUND) return std::optional<std::string>{};
  if (rc != 0) return db_error("read database", rc);
  return std::optional<std::string>{std::string(static_cast<const char*>(v.data), v.size)};
}

Result<bool> DbFile::put(std::string_view key, std::string_view value, bool overwrite) {
  DBT k = make_dbt(key);
  DBT v = make_dbt(value);
  int rc = db_->put(db_, nullptr, &k, &v, overwrite ? 0 : DB_NOOVERWRITE);
  if (rc == DB_KEYEXIST) return false;
  if (rc != 0) return db_error("write database", rc);
  return true;
}

Result<bool> DbFile::remove(std::string_view key) {
  DBT k = make_dbt(key);
  int rc = db_->del(db_, nullptr, &k, 0);
  if (rc == DB_NOTFOUND) return false;
  if (rc != 0) return db_error("delete from database", rc);
  return true;
}

Status DbFile::for_each(const std::function<void(std::string_view, std::string_view)>& fn) {
  DBC* cursor = nullptr;
  int rc = db_->cursor(db_, nullptr, &cursor, 0);
  if (rc != 0) return db_error("cursor on database", rc);
  DBT k, v;
  std::memset(&k, 0, sizeof k);
  std::memset(&v, 0, sizeof v);
  while ((rc = cursor->get(cursor, &k, &v, DB_NEXT)) == 0) {
    fn(std::string_view(static_cast<const char*>(k.data), k.size),
       std::string_view(static_cast<const char*>(v.data), v.size));
  }
  cursor->close(cursor);
  if (rc != DB_NOTFOUND) return db_error("read database", rc);
  return {};
}

Status DbFile::sync() {
  int rc = db_->sync(db_, 0);
  if (rc != 0) return db_error("sync database", rc);
  return {};
}

Status DbFile::close() {
  if (!db_) return {};
  __db* db = std::exchange(db_, nullptr);
  int rc = db->close(db, 0);
  if (rc != 0) return Error{"close database " + path_ + ": " + db_strerror(rc), rc > 0 ? rc : 0};
  return {};
}

}  // namespace postern::maps
