// FileStamp: how a file-backed table notices that its file was rebuilt (a
// new inode after postmap's rename, or a new mtime/size after an in-place
// update by Postfix's postmap -i), checked at most once per interval so a
// busy daemon pays one stat() per second, not per lookup.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace postern::maps {

struct FileStamp {
  unsigned long long dev = 0, ino = 0, size = 0;
  long long mtime_ns = 0;
  static std::optional<FileStamp> of(const std::string& path);
  bool operator==(const FileStamp&) const = default;
};

class ChangeWatch {
 public:
  ChangeWatch() = default;
  ChangeWatch(std::string path, std::chrono::milliseconds interval)
      : path_(std::move(path)), interval_(interval) {}
  // Remembers the file as it is now (after opening it).
  void remember(std::optional<FileStamp> stamp) {
    stamp_ = stamp;
    last_ = std::chrono::steady_clock::now();
  }
  // True when the interval has passed and the file differs from the one
  // remembered (replaced, changed or removed).
  bool changed();

 private:
  std::string path_;
  std::chrono::milliseconds interval_{1000};
  std::chrono::steady_clock::time_point last_{};
  std::optional<FileStamp> stamp_;
};

}  // namespace postern::maps
