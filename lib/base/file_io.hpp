// Whole-file reads and atomic whole-file writes (temp file + fsync + rename),
// so a reader never sees half a file. Used by commands and daemons alike.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern {

Result<std::string> read_file(const std::string& path);

// Writes `data` to path.tmp.<pid>, fsyncs it, renames it over `path` and
// fsyncs the folder. `mode` applies to a new file; an existing file's mode
// and owner are kept.
Status write_file_atomic(const std::string& path, std::string_view data, unsigned mode = 0644);

// Writes all of `data` to fd, retrying on EINTR and short writes.
Status write_all(int fd, std::string_view data);
// The same at `offset` (pwrite), leaving the file offset alone.
Status pwrite_all(int fd, std::string_view data, std::uint64_t offset);
// Exactly `length` bytes from `offset`; a file that ends first (it shrank
// under us) is an Error with errno EAGAIN, so callers may look again.
Result<std::string> pread_exact(int fd, std::uint64_t offset, std::uint64_t length);

}  // namespace postern
