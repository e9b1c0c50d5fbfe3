// master.cf in Postfix syntax: eight columns (service, type, private,
// unpriv, chroot, wakeup, maxproc, command + args), '#' comments,
// continuation lines starting with white space, "-o name=value" overrides
// (also "-o { name = value with spaces }").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postern::config {

struct MasterEntry {
  std::string service;       // "smtp", "127.0.0.1:2525", "submission", "pickup"
  std::string type;          // inet, unix, unix-dgram, fifo, pass
  bool private_service = true;  // '-' = y
  bool unprivileged = true;     // '-' = y
  bool chroot = false;          // '-' = n (Postfix 3.0 and later)
  int wakeup_seconds = 0;       // '-' = 0 (none)
  bool wakeup_if_used = false;  // "60?": wake up only if the service was used
  std::optional<int> maxproc;   // '-' = nullopt: default_process_limit; 0 = no limit
  std::string command;          // "smtpd"
  std::vector<std::string> args;  // everything after the command, as written, except -o pairs
  std::vector<std::pair<std::string, std::string>> overrides;  // from -o
  int line = 0;
  // The first seven columns exactly as written ("-", "n", "60?"), for postconf -M.
  std::vector<std::string> raw_columns;
  // Every word after the command in file order, each -o pair normalized the way
  // `postconf -M` prints it: "-o" then "name=value", or "{name=value}" when the
  // value holds white space.
  std::vector<std::string> print_args;
};

class MasterCf {
 public:
  // Throws ConfigError (file, line): wrong column count, bad type, bad y/n,
  // bad number, a service name/type pair defined twice.
  static MasterCf parse(std::string_view text, const std::string& path);
  static MasterCf load(const std::string& path);

  const std::string& path() const { return path_; }
  const std::vector<MasterEntry>& entries() const { return entries_; }
  const MasterEntry* find(std::string_view service, std::string_view type) const;

 private:
  std::string path_;
  std::vector<MasterEntry> entries_;
};

}  // namespace postern::config
