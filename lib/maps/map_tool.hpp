// The engine behind the postmap, postalias and newaliases commands: build a
// table from its source, query, list and delete, with Postfix's messages and
// exit codes. Runs in a command started by an administrator (often root).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "lib/maps/table.hpp"

namespace postern::maps {

struct ToolOptions {
  enum class Format { postmap, aliases };
  Format format = Format::postmap;
  std::string default_type = "hash";  // default_database_type
  bool fold_case = true;              // -f clears (postmap only; aliases always fold)
  NulMode nul = NulMode::with_nul;    // -N / -n
  bool replace_duplicates = false;    // -r
  bool ignore_duplicates = false;     // -w
  bool default_mode = false;          // -p: mode 0644 instead of the source's
  bool incremental = false;           // -i: add entries from stdin to the existing table
  std::string hostname = "localhost";  // postalias's YP_MASTER_NAME
};

// "file" -> "hash:file" with the default type; "type:file" unchanged.
std::string with_type(const std::string& spec, const std::string& default_type);

// Builds <file>.db from <file> (or, with incremental, adds stdin's entries
// to it). A malformed line is reported as "file, line N: ..." and leaves
// the old table untouched. Returns the exit status.
int build_table(const ToolOptions& options, const std::string& spec);

// postmap -q key: the first table that has the key answers. Exit 0 if
// found, 1 if not; a lookup error is fatal (exit 1 with a message).
int query_key(const ToolOptions& options, const std::string& key, const std::vector<std::string>& specs);
// postmap -q -: one "key<TAB>value" line per key read from `in` that was found.
int query_stream(const ToolOptions& options, std::FILE* in, const std::vector<std::string>& specs);
// postmap -s: every entry of every table.
int dump_tables(const ToolOptions& options, const std::vector<std::string>& specs);
// postmap -d key (or "-" for keys from `in`): removes one entry per table, atomically.
int delete_keys(const ToolOptions& options, const std::string& key, std::FILE* in,
                const std::vector<std::string>& specs);

}  // namespace postern::maps
