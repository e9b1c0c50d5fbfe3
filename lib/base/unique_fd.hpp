// UniqueFd: sole owner of a file descriptor; closes it when destroyed.
#pragma once

#include <utility>

namespace postern {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership; the caller must close the returned descriptor.
  int release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (if any) and takes ownership of fd.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// Marks fd close-on-exec (on = true) or inheritable (on = false).
bool set_cloexec(int fd, bool on);
// Puts fd in non-blocking (on = true) or blocking mode.
bool set_nonblocking(int fd, bool on);

}  // namespace postern
