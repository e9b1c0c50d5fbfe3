// The line channel between a POP3 or IMAP connection's root process (which talks to
// the auth service and forks the mail process) and its unprivileged login
// process (which talks to the client): tab-separated lines, bounded, and a
// descriptor passed with SCM_RIGHTS. Used in pop3d and imapd session processes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "lib/base/unique_fd.hpp"

namespace postern::login {

class ControlChannel {
 public:
  explicit ControlChannel(UniqueFd fd) : fd_(std::move(fd)) {}
  // Sends one line (fields joined by tabs); `pass` (if valid) rides along.
  bool send(const std::vector<std::string>& fields, int pass = -1);
  // The next line's fields; nullopt at EOF, on error or an over-long line.
  std::optional<std::vector<std::string>> receive();
  // A descriptor that arrived with a line, if any (ownership moves out).
  UniqueFd take_fd() { return std::move(received_fd_); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::string buffer_;
  UniqueFd received_fd_;
};

}  // namespace postern::login
