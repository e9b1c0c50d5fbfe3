// Handing the client socket from the login to the mail process. See
// client_handoff.hpp. The message is one byte on the login-mail
// socketpair: 'H' with the client socket attached, or 'R' (relay), after
// which the socketpair carries the client's bytes.
#include "lib/login/client_handoff.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "lib/base/sys_error.hpp"

namespace postern::login {
namespace {

constexpr char kHandOver = 'H';
constexpr char kRelay = 'R';

bool send_byte(int fd, char what, int pass) {
  iovec iov{&what, 1};
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
  ssize_t n;
  do n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  return n == 1;
}

}  // namespace

Handoff offer_client(ClientIo& io, int mail_fd) {
  // Bytes already read from the client (pipelined behind the login) would
  // be lost with the socket alone, and TLS cannot leave this process; a
  // client that is merely readable is fine (the kernel keeps its bytes),
  // but wait_input() does not tell the two apart, so both relay.
  const bool direct = !io.secured() && io.wait_input(-1, 0) == 0;
  if (!send_byte(mail_fd, direct ? kHandOver : kRelay, direct ? io.fd() : -1)) return Handoff::failed;
  return direct ? Handoff::handed_over : Handoff::relay;
}

Result<UniqueFd> accept_client(int login_fd) {
  char what = 0;
  iovec iov{&what, 1};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  // One byte only: in relay mode the client's bytes follow on this socket.
  do n = ::recvmsg(login_fd, &msg, MSG_CMSG_CLOEXEC);
  while (n < 0 && errno == EINTR);
  UniqueFd client;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n > 0 && c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof(int));
      client.reset(fd);
    }
  }
  if (n < 0) return sys_error("receive the client from the login process");
  if (n == 0) return Error{"the login process went away before handing over the client"};
  if (what == kRelay && !client) return UniqueFd();
  if (what == kHandOver && client) return client;
  return Error{"unexpected hand-over message from the login process"};
}

}  // namespace postern::login
