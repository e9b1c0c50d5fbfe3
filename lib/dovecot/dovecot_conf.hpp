// Dovecot-syntax configuration (dovecot.conf): one reader shared by auth,
// pop3d, imapd, lmtpd and master. Parsed at start-up and reload, in whichever
// process needs it, before or without privileges (the file is world-readable).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::dovecot {

// A problem in dovecot.conf, naming file and line like Postfix's ConfigError.
class ConfError : public std::runtime_error {
 public:
  ConfError(const std::string& file, int line, const std::string& message)
      : std::runtime_error(line > 0 ? file + ", line " + std::to_string(line) + ": " + message
                                    : file + ": " + message) {}
};

struct Setting {
  std::string key;
  std::string value;  // quotes removed; "<path" kept as written (read by file_value())
  std::string file;
  int line = 0;
};

// A block: the root, or `type [name] { ... }` (passdb, userdb, service,
// inet_listener, unix_listener, protocol pop3, namespace inbox, ...).
struct Section {
  std::string type;
  std::string name;
  std::string file;
  int line = 0;
  std::vector<Setting> settings;  // in file order; a later one overrides an earlier
  std::vector<Section> sections;

  // The last setting of `key` in this block (not its children); nullptr if unset.
  const Setting* find(std::string_view key) const;
  std::string get(std::string_view key, std::string_view fallback = "") const;
  // Every child block of that type (and name, when given).
  std::vector<const Section*> children(std::string_view type) const;
  const Section* child(std::string_view type, std::string_view name) const;
};

class DovecotConf {
 public:
  // Reads `path` and its !include/!include_try files. Throws ConfError.
  static DovecotConf load(const std::string& path);
  // From text; `path` names it in messages and anchors relative !include.
  static DovecotConf parse(std::string_view text, const std::string& path);

  const Section& root() const { return root_; }
  const std::string& path() const { return path_; }
  // Warnings found while reading (unknown settings), "file, line N: ...".
  const std::vector<std::string>& warnings() const { return warnings_; }

  // Effective global value: a `protocol <name> { }` block for `protocol`
  // (when given) wins over the top level, which wins over the built-in default.
  std::string get(std::string_view key, std::string_view protocol = "") const;
  bool get_bool(std::string_view key, std::string_view protocol = "") const;
  // Seconds from "2 secs", "1 min", "5s", "3"; a bad value is a ConfError.
  long long get_seconds(std::string_view key, std::string_view protocol = "") const;
  bool is_set(std::string_view key, std::string_view protocol = "") const;

  // Like `doveconf -n`: the settings that differ from the defaults, with blocks.
  std::string dump_non_default() const;
  // Like `doveconf`: every known setting with its effective value.
  std::string dump_all() const;

 private:
  std::string path_;
  Section root_;
  std::vector<std::string> warnings_;
  friend class Parser;
};

// A value written as "<path" (ssl_cert = </etc/ssl/cert.pem) is the file's
// contents; anything else is the value itself. Returns nullopt when the file
// cannot be read (the caller names the setting).
std::optional<std::string> file_value(const std::string& value);
// The path of a "<path" value, or "" when the value is literal.
std::string file_value_path(const std::string& value);

// The built-in default of a known top-level setting, or nullopt if unknown.
std::optional<std::string_view> default_value(std::string_view key);
// Known block types (passdb, service, ...): settings inside them are not checked
// against the top-level table.
bool is_known_section(std::string_view type);
// Every known top-level setting with its default, in table order.
std::vector<std::pair<std::string_view, std::string_view>> known_settings();

}  // namespace postern::dovecot
