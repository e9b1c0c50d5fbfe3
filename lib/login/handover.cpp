// The login process -> mail process hand-over. See handover.hpp.
#include "lib/login/handover.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "lib/base/file_io.hpp"
#include "lib/login/client_io.hpp"
#include "lib/login/fd_passing.hpp"

namespace postern::login {
namespace {

constexpr size_t kHeader = 5;                    // kind + length
constexpr uint32_t kMaxPreamble = 4 * 1024 * 1024;  // far above any command line we accept

bool send_header(int mail_fd, char kind, size_t length, int pass) {
  char header[kHeader];
  header[0] = kind;
  uint32_t n = htonl(uint32_t(length));
  std::memcpy(header + 1, &n, sizeof n);
  const ssize_t sent = send_with_fd(mail_fd, std::string_view(header, sizeof header), pass);
  return sent == ssize_t(sizeof header);  // a stream socket takes 5 bytes whole
}

}  // namespace

void hand_over_client(ClientIo& io, int mail_fd, std::string preamble, int relay_idle_seconds) {
  preamble += io.take_buffered();
  if (preamble.size() > kMaxPreamble) return;
  const bool relay = io.secured();
  if (!send_header(mail_fd, relay ? 'R' : 'C', preamble.size(), relay ? -1 : io.fd())) return;
  if (!write_all(mail_fd, preamble)) return;
  if (relay) io.relay(mail_fd, relay_idle_seconds);
}

Result<HandedClient> receive_client(UniqueFd fd) {
  char header[kHeader];
  UniqueFd passed;
  const ssize_t n = receive_with_fd(fd.get(), header, sizeof header, MSG_WAITALL, passed);
  if (n != ssize_t(sizeof header)) return Error{"no hand-over from the login process", n < 0 ? errno : 0};
  uint32_t length;
  std::memcpy(&length, header + 1, sizeof length);
  length = ntohl(length);
  const bool relay = header[0] == 'R';
  if ((header[0] != 'C' && !relay) || length > kMaxPreamble || relay == bool(passed))
    return Error{"malformed hand-over from the login process"};
  HandedClient out;
  out.relayed = relay;
  out.pending.resize(length);
  for (size_t got = 0; got < length;) {
    ssize_t r = ::read(fd.get(), out.pending.data() + got, length - got);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return Error{"the login process went away during the hand-over", r < 0 ? errno : 0};
    got += size_t(r);
  }
  out.fd = relay ? std::move(fd) : std::move(passed);
  return out;
}

}  // namespace postern::login
