// stat()-based change detection for file-backed tables.
#include "lib/maps/file_stamp.hpp"

#include <sys/stat.h>

namespace postern::maps {

std::optional<FileStamp> FileStamp::of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileStamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = static_cast<unsigned long long>(st.st_size);
  s.mtime_ns = static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return s;
}

bool ChangeWatch::changed() {
  auto now = std::chrono::steady_clock::now();
  if (interval_.count() > 0 && now - last_ < interval_) return false;
  last_ = now;
  auto current = FileStamp::of(path_);
  // A file that vanished is not a change we can act on: keep the old table.
  if (!current) return false;
  return current != stamp_;
}

}  // namespace postern::maps
