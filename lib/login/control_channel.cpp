// Control channel between a POP3 or IMAP connection's processes. See control_channel.hpp.
#include "lib/login/control_channel.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "lib/auth/password_scheme.hpp"
#include "lib/base/strings.hpp"
#include "lib/login/fd_passing.hpp"

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
  // Lines are small: one sendmsg carries the whole line and the descriptor.
  const ssize_t n = send_with_fd(fd_.get(), line, pass);
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
    ssize_t n = receive_with_fd(fd_.get(), buf, sizeof buf, 0, received_fd_);
    if (n <= 0) return std::nullopt;
    buffer_.append(buf, size_t(n));
  }
}

}  // namespace postern::login
