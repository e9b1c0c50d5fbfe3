// The attribute protocol between Postern's own processes: a request or reply
// is a series of "name=value\n" records ended by an empty line. Values are
// %XX-escaped (control bytes, '%', DEL), names are [a-z0-9_]+, and lines and
// record counts are bounded. Any process; no privilege needed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::ipc {

inline constexpr std::size_t kMaxAttrLine = 64 * 1024;
inline constexpr std::size_t kMaxAttrs = 1024;

// An ordered list of attributes; a name may repeat (per-recipient lists).
class AttrList {
 public:
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  void add(std::string name, long long value) { add(std::move(name), std::to_string(value)); }
  // The first value named `name`.
  std::optional<std::string> get(std::string_view name) const;
  // Every value named `name`, in order.
  std::vector<std::string> all(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

std::string escape_value(std::string_view value);
// nullopt on a bad escape.
std::optional<std::string> unescape_value(std::string_view value);

// The wire form, terminator included.
std::string encode(const AttrList& attrs);

// Reads whole attribute lists from a blocking descriptor, bounded in line
// length and count; a deadline applies per list (seconds, 0: none).
class AttrReader {
 public:
  explicit AttrReader(int fd, int timeout_seconds = 0) : fd_(fd), timeout_(timeout_seconds) {}
  // Error on EOF, timeout, an over-long line, too many attributes, a bad
  // name or a bad escape ("protocol error: ...").
  Result<AttrList> read();
  // Parses lists from bytes already received (tests, fuzzing).
  static Result<AttrList> parse(std::string_view wire);

 private:
  Result<std::string> read_line();
  int fd_;
  int timeout_;
  std::string buffer_;
};

Status write_attrs(int fd, const AttrList& attrs);

// Required attribute helpers: an Error naming the attribute when missing or
// mistyped, so a decoder never silently takes a default.
Result<std::string> require(const AttrList& attrs, std::string_view name);
Result<long long> require_int(const AttrList& attrs, std::string_view name);

}  // namespace postern::ipc
