// Blocking client I/O for a pop3d/imapd session process. See client_io.hpp.
#include "lib/login/client_io.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include "lib/base/file_io.hpp"

namespace postern::login {

void ClientIo::set_timeout(int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

long ClientIo::read_some(char* buf, size_t size) {
  long n;
  if (tls_) {
    n = tls_->read(buf, size);
  } else {
    do n = ::read(fd_, buf, size);
    while (n < 0 && errno == EINTR);
  }
  if (n > 0) in_ += size_t(n);
  return n;
}

ClientIo::ReadStatus ClientIo::read_line(std::string& line, size_t max) {
  bool too_long = false;
  size_t scanned = 0;
  while (true) {
    auto nl = buffer_.find('\n', scanned);
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
    scanned = buffer_.size();
    if (buffer_.size() > max + 1) {
      // Keep memory bounded: drop what we have and remember to drop the rest.
      too_long = true;
      buffer_.clear();
      scanned = 0;
    }
    char buf[4096];
    long n = read_some(buf, sizeof buf);
    if (n <= 0) return ReadStatus::closed;
    buffer_.append(buf, size_t(n));
  }
}

bool ClientIo::read_exact(std::string& out, size_t n) {
  size_t take = std::min(n, buffer_.size());
  out.append(buffer_, 0, take);
  buffer_.erase(0, take);
  n -= take;
  char buf[16384];
  while (n > 0) {
    long got = read_some(buf, std::min(n, sizeof buf));
    if (got <= 0) return false;
    out.append(buf, size_t(got));
    n -= size_t(got);
  }
  return true;
}

bool ClientIo::read_chunk(std::string& out) {
  if (!buffer_.empty()) {
    out += buffer_;
    buffer_.clear();
    return true;
  }
  char buf[16384];
  long n = read_some(buf, sizeof buf);
  if (n <= 0) return false;
  out.append(buf, size_t(n));
  return true;
}

bool ClientIo::skip(size_t n) {
  size_t take = std::min(n, buffer_.size());
  buffer_.erase(0, take);
  n -= take;
  char buf[16384];
  while (n > 0) {
    long got = read_some(buf, std::min(n, sizeof buf));
    if (got <= 0) return false;
    n -= size_t(got);
  }
  return true;
}

int ClientIo::wait_input(int other, int timeout_ms) {
  if (!buffer_.empty() || (tls_ && tls_->pending() > 0)) return 1;
  pollfd fds[2] = {{fd_, POLLIN, 0}, {other, POLLIN, 0}};
  while (true) {
    int n = ::poll(fds, other >= 0 ? 2 : 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return -1;
    if (n == 0) return 0;
    if (fds[0].revents) return 1;
    return 2;
  }
}

bool ClientIo::write(const std::string& text) {
  out_ += text.size();
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

void ClientIo::relay(int other, int idle_seconds) {
  if (!buffer_.empty() && !write_all(other, buffer_)) return;
  buffer_.clear();
  char buf[16384];
  while (true) {
    // TLS may hold decrypted bytes that poll() cannot see.
    bool pending = tls_ && tls_->pending() > 0;
    pollfd fds[2] = {{fd_, POLLIN, 0}, {other, POLLIN, 0}};
    if (!pending) {
      int n = ::poll(fds, 2, idle_seconds * 1000);
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

}  // namespace postern::login
