// Control channel between a POP3 or IMAP connection's processes. See control_channel.hpp.
#include "lib/login/control_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "lib/auth/password_scheme.hpp"
#include "lib/base/strings.hpp"

namespace postern::login {
namespace {
constexpr size_t kMaxLine = 16384;
}

bool ControlChannel::send(const std::vector<std::string>& fields, int pass) {
  std::string line;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) line.push_back('\t');
    for (char c : fields[i]) line.push_back(c == '\t' || c == '\n' ? ' ' : c);
  }
  line.push_back('\n');
  iovec iov{line.data(), line.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  if (pass >= 0) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &pass, sizeof(int));
  }
  // Lines are small: one sendmsg carries the whole line and the descriptor.
  ssize_t n;
  do n = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  bool ok = n == ssize_t(line.size());
  auth::wipe(line);
  return ok;
}

std::optional<std::vector<std::string>> ControlChannel::receive() {
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      std::vector<std::string> fields;
      size_t start = 0;
      while (true) {
        size_t t = line.find('\t', start);
        fields.push_back(line.substr(start, t == std::string::npos ? std::string::npos : t - start));
        if (t == std::string::npos) break;
        start = t + 1;
      }
      auth::wipe(line);
      return fields;
    }
    if (buffer_.size() > kMaxLine) return std::nullopt;
    char buf[4096];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
        received_fd_.reset(fd);
      }
    }
    buffer_.append(buf, size_t(n));
  }
}

}  // namespace postern::login
