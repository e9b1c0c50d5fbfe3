// Server connections of the smtp/lmtp agent (see peer.hpp). Runs in
// smtp/lmtp (mail_owner).
#include "smtp/peer.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "lib/base/sys_error.hpp"
#include "lib/log/log.hpp"

namespace postern::smtp {

namespace {
constexpr std::size_t kMaxReplyLine = 4096;  // RFC 5321 says 512; be lenient, but bounded

// Binds `fd` to `source` (port 0), as Postfix's smtp_connect_addr does. A
// failure is logged; it fails the connection only when enforced.
Status bind_source(int fd, int family, const std::string& source, bool enforce) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET) {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&ss);
    in4->sin_family = AF_INET;
    ::inet_pton(AF_INET, source.c_str(), &in4->sin_addr);  // checked when the parameter was read
    len = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    ::inet_pton(AF_INET6, source.c_str(), &in6->sin6_addr);
    len = sizeof(sockaddr_in6);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) return {};
  const int err = errno;
  log::warning("smtp_connect_addr: bind %s: %s", source.c_str(), std::strerror(err));
  if (enforce) return Error{std::string(Peer::kBindFailure) + " (cannot bind " + source + ")", err};
  return {};
}

Result<UniqueFd> connect_with_deadline(int family, const sockaddr* addr, socklen_t len, int timeout_seconds,
                                       const std::string& source = "", bool enforce_source = false) {
  UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return Error{std::strerror(errno), errno};
  if (!source.empty()) {
    if (auto bound = bind_source(fd.get(), family, source, enforce_source); !bound) return bound.error();
  }
  if (::connect(fd.get(), addr, len) != 0) {
    if (errno != EINPROGRESS) return Error{std::strerror(errno), errno};
    pollfd p{fd.get(), POLLOUT, 0};
    int n = ::poll(&p, 1, timeout_seconds * 1000);
    if (n == 0) return Error{"Connection timed out", ETIMEDOUT};
    int err = 0;
    socklen_t errlen = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &errlen);
    if (n < 0) err = errno;
    if (err != 0) return Error{std::strerror(err), err};
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}
}  // namespace

Result<Peer> Peer::connect_inet(const std::string& address, int port, int timeout_seconds, const SourceAddress& source) {
  sockaddr_in in4{};
  sockaddr_in6 in6{};
  if (::inet_pton(AF_INET, address.c_str(), &in4.sin_addr) == 1) {
    in4.sin_family = AF_INET;
    in4.sin_port = htons(static_cast<uint16_t>(port));
    auto fd = connect_with_deadline(AF_INET, reinterpret_cast<sockaddr*>(&in4), sizeof in4, timeout_seconds,
                                    source.ipv4, source.enforce);
    if (!fd) return fd.error();
    return Peer(std::move(*fd));
  }
  if (::inet_pton(AF_INET6, address.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(static_cast<uint16_t>(port));
    auto fd = connect_with_deadline(AF_INET6, reinterpret_cast<sockaddr*>(&in6), sizeof in6, timeout_seconds,
                                    source.ipv6, source.enforce);
    if (!fd) return fd.error();
    return Peer(std::move(*fd));
  }
  return Error{"bad address " + address, EINVAL};
}

Result<Peer> Peer::connect_unix(const std::string& path, int timeout_seconds) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) return Error{"socket path too long", ENAMETOOLONG};
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  auto fd = connect_with_deadline(AF_UNIX, reinterpret_cast<sockaddr*>(&sun), sizeof sun, timeout_seconds);
  if (!fd) return fd.error();
  return Peer(std::move(*fd));
}

void Peer::set_timeout(int seconds) {
  timeval tv{};
  tv.tv_sec = seconds;
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

Result<std::string> Peer::read_line() {
  for (;;) {
    auto nl = input_.find('\n');
    if (nl != std::string::npos) {
      std::string line = input_.substr(0, nl);
      input_.erase(0, nl + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (input_.size() > kMaxReplyLine) return Error{"reply line too long", EPROTO};
    char buf[4096];
    long got = tls_ ? tls_->read(buf, sizeof buf) : ::read(fd_.get(), buf, sizeof buf);
    if (got == 0) return Error{"lost connection", EPIPE};
    if (got < 0) {
      if (!tls_ && errno == EINTR) continue;
      if (tls_ || errno == EAGAIN || errno == EWOULDBLOCK) return Error{"conversation timed out", ETIMEDOUT};
      return Error{"lost connection", errno};
    }
    input_.append(buf, static_cast<std::size_t>(got));
  }
}

Result<ServerReply> Peer::read_reply() {
  ReplyAssembler assembler;
  for (;;) {
    auto line = read_line();
    if (!line) return line.error();
    switch (assembler.feed(*line)) {
      case ReplyAssembler::Step::more: break;
      case ReplyAssembler::Step::done: return assembler.take();
      case ReplyAssembler::Step::error: return Error{"protocol error: " + assembler.error(), EPROTO};
    }
  }
}

Status Peer::write(std::string_view data) {
  if (tls_) return tls_->write(data);
  while (!data.empty()) {
    ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Error{"conversation timed out", ETIMEDOUT};
      return Error{"lost connection", errno};
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status Peer::start_tls(const tls::TlsClientContext& ctx, const std::string& server_name,
                       const std::string& verify_name) {
  // Anything the server sent before our handshake is discarded (it could be
  // injected plaintext, as in CVE-2011-0411 the other way round).
  input_.clear();
  auto stream = tls::TlsClientStream::connect(ctx, fd_.get(), server_name, verify_name);
  if (!stream) return stream.error();
  tls_.emplace(std::move(*stream));
  return {};
}

}  // namespace postern::smtp
