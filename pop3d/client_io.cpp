// Blocking client I/O for a pop3d session process. See client_io.hpp.
#include "pop3d/client_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/base/file_io.hpp"

namespace postern::pop3d {

void ClientIo::set_timeout(int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

long ClientIo::read_some(char* buf, size_t size) {
  if (tls_) return tls_->read(buf, size);
  while (true) {
    ssize_t n = ::read(fd_, buf, size);
    if (n < 0 && errno == EINTR) continue;
    return n;
  }
}

ClientIo::ReadStatus ClientIo::read_line(std::string& line, size_t max) {
  bool too_long = false;
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      if (too_long || nl > max + 1) {
        buffer_.erase(0, nl + 1);
        return ReadStatus::too_long;
      }
      line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return ReadStatus::line;
    }
    if (buffer_.size() > max + 1) {
      // Keep memory bounded: drop what we have and remember to drop the rest.
      too_long = true;
      buffer_.clear();
    }
    char buf[4096];
    long n = read_some(buf, sizeof buf);
    if (n <= 0) return ReadStatus::closed;
    buffer_.append(buf, size_t(n));
  }
}

bool ClientIo::write(const std::string& text) {
  if (tls_) return tls_->write(text).ok();
  return write_all(fd_, text).ok();
}

bool ClientIo::start_tls(const tls::TlsContext& ctx, std::string& error) {
  buffer_.clear();
  auto s = tls::TlsStream::accept(ctx, fd_);
  if (!s) {
    error = s.error().message;
    return false;
  }
  tls_ = std::make_unique<tls::TlsStream>(std::move(*s));
  return true;
}

void ClientIo::relay(int other) {
  if (!buffer_.empty() && !write_all(other, buffer_)) return;
  buffer_.clear();
  char buf[16384];
  while (true) {
    // TLS may hold decrypted bytes that poll() cannot see.
    bool pending = tls_ && tls_->pending() > 0;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {other, POLLIN, 0}};
    if (!pending) {
      int n = ::poll(fds, 2, 600 * 1000);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
    }
    if (pending || (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
      long n = read_some(buf, sizeof buf);
      if (n <= 0 || !write_all(other, std::string_view(buf, size_t(n)))) return;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = ::read(other, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || !write(std::string(buf, size_t(n)))) return;
    }
  }
}

}  // namespace postern::pop3d
