// Spool: holds a message body until cleanup commits it, in memory up to a
// bound and then in an unnamed file (O_TMPFILE) in the queue's incoming/
// folder, so a crash mid-message leaves nothing on disk and a full disk shows
// up as a write error. Part of lib/cleanup (smtpd, pickup; mail_owner).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::cleanup {

class Spool {
 public:
  Spool(std::string directory, std::size_t memory_limit)
      : directory_(std::move(directory)), memory_limit_(memory_limit) {}

  // Appends bytes. After the first failure every call fails with the same error.
  Status append(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The last byte written, or 0 if none.
  char last_byte() const { return last_; }
  const Status& status() const { return status_; }

  // Hands the content to `sink` in order, in chunks.
  Status read_back(const std::function<Status(std::string_view)>& sink) const;

 private:
  Status spill();

  std::string directory_;
  std::size_t memory_limit_;
  std::string memory_;
  UniqueFd fd_;
  std::uint64_t size_ = 0;
  char last_ = 0;
  Status status_;
};

}  // namespace postern::cleanup
