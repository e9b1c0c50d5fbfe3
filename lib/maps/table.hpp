// The one interface behind every lookup table ("type:name"), the registry that
// opens a table by name, and TableList for Postfix-style table lists.
// Used in every process that consults aliases, access, virtual or transport maps.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::maps {

// Tri-state, like Postfix's DICT_ERR_NONE/DICT_ERR_RETRY: a temporary failure
// (a database that cannot be read right now) must never be taken for "not
// found", or mail would bounce instead of being retried.
struct LookupResult {
  enum class Status { found, not_found, temp_fail };
  Status status = Status::not_found;
  std::string value;  // found: the value; temp_fail: why, for the log

  static LookupResult found(std::string v) { return {Status::found, std::move(v)}; }
  static LookupResult not_found() { return {Status::not_found, {}}; }
  static LookupResult temp_fail(std::string why) { return {Status::temp_fail, std::move(why)}; }
  bool is_found() const { return status == Status::found; }
  bool is_not_found() const { return status == Status::not_found; }
  bool is_temp_fail() const { return status == Status::temp_fail; }
};

// Writing of Berkeley DB keys and values: Postfix on Linux appends a NUL to
// both (-N), "-n" leaves it off. Readers always try both forms.
enum class NulMode { with_nul, without_nul };

struct OpenFlags {
  // Lowercase keys of fixed-string tables (hash, btree, texthash, inline,
  // unix) when building and when looking up; postmap -f turns it off.
  // Pattern tables (regexp, pcre, cidr) ignore it: their flags decide.
  bool fold_case = true;
  NulMode nul = NulMode::with_nul;
  // How often a file-backed table checks whether its file was rebuilt
  // (stat of dev/inode/mtime/size); zero checks on every lookup.
  std::chrono::milliseconds recheck_interval{1000};
  // Directory that relative names in inline rules resolve against; unused
  // by most types, kept for Postfix's "parsed as if in /etc/postfix".
  std::string config_dir;
};

// A file:line diagnostic from parsing a table source, worded like Postfix
// ("regexp map /etc/postfix/x, line 3: ...").
struct Diagnostic {
  std::string file;
  int line = 0;  // 0: the file as a whole
  std::string message;
  std::string text() const;
};

class Table {
 public:
  virtual ~Table() = default;
  Table() = default;
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  // Not thread-safe: a table belongs to one thread (daemons are single-threaded).
  // Non-const because file tables re-open themselves after a rebuild.
  virtual LookupResult lookup(std::string_view key) = 0;

  // Every entry, in storage order (postmap -s). Pattern tables cannot be
  // listed and return an error, as in Postfix.
  virtual Status for_each(const std::function<void(std::string_view key, std::string_view value)>& fn);

  // "hash:/etc/aliases": for log lines.
  const std::string& spec() const { return spec_; }

  // Warnings found while parsing the source (malformed lines are skipped,
  // as Postfix does for pattern tables); open_table logs them.
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 protected:
  std::string spec_;
  std::vector<Diagnostic> diagnostics_;
};

// Opens "type:name". Types: hash, btree, texthash, inline, static, regexp,
// pcre, cidr, unix, fail. An unknown type, a missing file or a bad inline
// spec is an Error naming the table. Warnings from parsing are logged
// (postern::log::warning) and kept in diagnostics().
Result<std::unique_ptr<Table>> open_table(std::string_view spec, const OpenFlags& flags = {});

// The table types open_table knows, for "postconf -m".
std::vector<std::string> table_types();

// Splits a Postfix table list ("hash:/a, regexp:/b  inline:{a=b, c=d}") on
// commas and white space, keeping {...} groups whole. The caller has done
// $name expansion already.
std::vector<std::string> split_table_list(std::string_view list);

// Several tables searched in order, as Postfix's maps_find(): the first
// table that finds the key answers; a temporary failure stops the search.
class TableList {
 public:
  TableList() = default;
  static Result<TableList> open(std::string_view list, const OpenFlags& flags = {});

  LookupResult lookup(std::string_view key);
  bool empty() const { return tables_.empty(); }
  const std::vector<std::unique_ptr<Table>>& tables() const { return tables_; }
  void add(std::unique_ptr<Table> table) { tables_.push_back(std::move(table)); }

 private:
  std::vector<std::unique_ptr<Table>> tables_;
};

}  // namespace postern::maps
