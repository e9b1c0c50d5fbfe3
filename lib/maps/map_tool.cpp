// postmap/postalias/newaliases operations over lib/maps tables.
#include "lib/maps/map_tool.hpp"

#include <sys/stat.h>
#include <ctime>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/db_builder.hpp"
#include "lib/maps/source_text.hpp"

namespace postern::maps {

namespace {

struct FileSpec {
  std::string type, file;
};

FileSpec parse_spec(const ToolOptions& o, const std::string& spec) {
  std::string s = with_type(spec, o.default_type);
  size_t colon = s.find(':');
  return {to_lower(s.substr(0, colon)), s.substr(colon + 1)};
}

bool is_db_type(const std::string& type) { return type == "hash" || type == "btree"; }

OpenFlags open_flags(const ToolOptions& o) {
  OpenFlags f;
  f.fold_case = o.format == ToolOptions::Format::aliases || o.fold_case;
  f.nul = o.nul;
  return f;
}

std::string read_line(std::FILE* in, bool& eof) {
  std::string line;
  int c;
  while ((c = getc_unlocked(in)) != EOF && c != '\n') line.push_back(char(c));  // one reader thread
  eof = c == EOF && line.empty();
  return line;
}

// Adds the parsed entries to `b`; returns the number of syntax errors.
int add_entries(const ToolOptions& o, DbBuilder& b, const std::string& text, const std::string& label) {
  bool aliases = o.format == ToolOptions::Format::aliases;
  std::vector<Diagnostic> diags;
  size_t diags_logged = 0;
  int errors = 0;
  auto log_diags = [&] {
    for (; diags_logged < diags.size(); ++diags_logged) {
      log::warning("%s", diags[diags_logged].text().c_str());
      ++errors;
    }
  };
  // Entries stream from the source text into the database: no copy of a
  // line unless it is an alias (whose value is rewritten) or continues.
  for_each_logical_line(text, label, diags, [&](int line, std::string_view logical) {
    log_diags();
    std::optional<KeyValue> alias;
    std::optional<KeyValueView> kv;
    if (aliases) {
      alias = split_alias(logical);
      if (alias) kv = KeyValueView{alias->key, alias->value};
    } else {
      kv = split_key_value_view(logical);
    }
    if (!kv) {
      std::string what = aliases ? "need name:value pair" : "expected format: key whitespace value";
      log::warning("%s, line %d: %s", label.c_str(), line, what.c_str());
      ++errors;
      return;
    }
    if (!aliases && looks_like_alias_entry(kv->key))
      log::warning("%s, line %d: record is in \"key: value\" format; is this an alias file?", label.c_str(), line);
    if (errors > 0) return;  // keep checking syntax, but the table will not be replaced
    auto put = b.put(kv->key, kv->value, o.replace_duplicates);
    if (!put) log::fatal("%s", put.error().message.c_str());
    if (!*put && !o.ignore_duplicates && !o.replace_duplicates) {
      std::string key = o.fold_case || aliases ? to_lower(kv->key) : std::string(kv->key);
      log::warning("%s: duplicate entry: \"%s\"", b.db_path().c_str(), key.c_str());
    }
  });
  log_diags();
  return errors;
}

}  // namespace

std::string with_type(const std::string& spec, const std::string& default_type) {
  size_t colon = spec.find(':');
  // A '/' before the colon means a path such as "./a:b", not a type.
  if (colon == std::string::npos || spec.find('/') < colon) return default_type + ":" + spec;
  return spec;
}

int build_table(const ToolOptions& o, const std::string& spec) {
  FileSpec fs = parse_spec(o, spec);
  std::string label = fs.file;
  if (!is_db_type(fs.type)) log::fatal("unsupported dictionary type: %s: cannot create %s", fs.type.c_str(), fs.file.c_str());
  bool aliases = o.format == ToolOptions::Format::aliases;
  std::string text;
  BuildOptions bo;
  bo.kind = fs.type == "btree" ? DbKind::btree : DbKind::hash;
  bo.nul = o.nul;
  bo.fold_case = aliases || o.fold_case;
  if (o.incremental) {
    label = "stdin";
    bool eof = false;
    for (std::string line = read_line(stdin, eof); !eof; line = read_line(stdin, eof)) text += line + "\n";
    bo.start_from_existing = true;
  } else {
    auto src = read_file(fs.file);
    if (!src) log::fatal("open %s: %s", fs.file.c_str(), errno_text(src.error().sys_errno).c_str());
    text = std::move(src.value());
    struct stat st {};
    // Postfix gives the table the source's group/other read permissions.
    if (!o.default_mode && ::stat(fs.file.c_str(), &st) == 0) bo.mode = 0600 | (st.st_mode & 044);
  }
  std::string db_path = fs.file + ".db";
  auto b = DbBuilder::start(db_path, bo);
  if (!b) log::fatal("%s", b.error().message.c_str());
  int errors = add_entries(o, *b, text, label);
  if (errors > 0) {
    log::error("%s: %d syntax error%s; %s left unchanged", label.c_str(), errors, errors == 1 ? "" : "s",
               db_path.c_str());
    return 1;
  }
  if (aliases && !o.incremental) {
    // Sendmail's "the alias database is complete" marker, and the NIS
    // stamps Postfix's postalias writes (without a NUL, as it does).
    (void)b->put("@", "@", true);
    (void)b->put_raw("YP_LAST_MODIFIED", std::to_string(std::time(nullptr)), true);
    (void)b->put_raw("YP_MASTER_NAME", o.hostname, true);
  }
  if (auto st = b->commit(); !st) log::fatal("%s", st.error().message.c_str());
  return 0;
}

namespace {

std::vector<std::unique_ptr<Table>> open_all(const ToolOptions& o, const std::vector<std::string>& specs) {
  std::vector<std::unique_ptr<Table>> tables;
  for (const auto& s : specs) {
    auto t = open_table(with_type(s, o.default_type), open_flags(o));
    if (!t) log::fatal("%s", t.error().message.c_str());
    tables.push_back(std::move(t.value()));
  }
  return tables;
}

// The first table that knows `key`; a lookup error is fatal, as in Postfix.
std::optional<std::string> find(std::vector<std::unique_ptr<Table>>& tables, const std::string& key) {
  for (auto& t : tables) {
    LookupResult r = t->lookup(key);
    if (r.is_temp_fail()) log::fatal("table %s: query error: %s", t->spec().c_str(), r.value.c_str());
    if (r.is_found()) return r.value;
  }
  return std::nullopt;
}

const char* separator(const ToolOptions& o) { return o.format == ToolOptions::Format::aliases ? ":\t" : "\t"; }

}  // namespace

int query_key(const ToolOptions& o, const std::string& key, const std::vector<std::string>& specs) {
  auto tables = open_all(o, specs);
  auto v = find(tables, key);
  if (!v) return 1;
  std::printf("%s\n", v->c_str());
  return 0;
}

int query_stream(const ToolOptions& o, std::FILE* in, const std::vector<std::string>& specs) {
  auto tables = open_all(o, specs);
  bool any = false, eof = false;
  for (std::string key = read_line(in, eof); !eof; key = read_line(in, eof)) {
    if (auto v = find(tables, key)) {
      std::printf("%s%s%s\n", key.c_str(), separator(o), v->c_str());
      any = true;
    }
  }
  return any ? 0 : 1;
}

int dump_tables(const ToolOptions& o, const std::vector<std::string>& specs) {
  auto tables = open_all(o, specs);
  for (auto& t : tables) {
    auto st = t->for_each([&](std::string_view k, std::string_view v) {
      std::printf("%.*s%s%.*s\n", int(k.size()), k.data(), separator(o), int(v.size()), v.data());
    });
    if (!st) log::fatal("%s", st.error().message.c_str());
  }
  return 0;
}

int delete_keys(const ToolOptions& o, const std::string& key, std::FILE* in, const std::vector<std::string>& specs) {
  std::vector<std::string> keys;
  if (key == "-") {
    bool eof = false;
    for (std::string k = read_line(in, eof); !eof; k = read_line(in, eof)) keys.push_back(k);
  } else {
    keys.push_back(key);
  }
  bool any = false;
  for (const auto& spec : specs) {
    FileSpec fs = parse_spec(o, spec);
    if (!is_db_type(fs.type)) log::fatal("table %s:%s: delete is not supported", fs.type.c_str(), fs.file.c_str());
    BuildOptions bo;
    bo.kind = fs.type == "btree" ? DbKind::btree : DbKind::hash;
    bo.nul = o.nul;
    bo.fold_case = o.format == ToolOptions::Format::aliases || o.fold_case;
    bo.start_from_existing = true;
    struct stat st {};
    if (::stat((fs.file + ".db").c_str(), &st) != 0)
      log::fatal("open database %s.db: %s", fs.file.c_str(), errno_text(errno).c_str());
    auto b = DbBuilder::start(fs.file + ".db", bo);
    if (!b) log::fatal("%s", b.error().message.c_str());
    for (const auto& k : keys) {
      auto r = b->remove(k);
      if (!r) log::fatal("%s", r.error().message.c_str());
      any = any || *r;
    }
    if (auto c = b->commit(); !c) log::fatal("%s", c.error().message.c_str());
  }
  return any ? 0 : 1;
}

}  // namespace postern::maps
