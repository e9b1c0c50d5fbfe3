// Bytes with a descriptor attached (SCM_RIGHTS) over a UNIX stream socket:
// the control channel and the client hand-over between a connection's
// processes. Runs in pop3d/imapd root, login and mail processes.
#pragma once

#include <sys/types.h>

#include <string_view>

#include "lib/base/unique_fd.hpp"

namespace postern::login {

// One sendmsg() of `bytes`, with `fd` attached when it is >= 0; retried on
// EINTR. Returns what sendmsg returned (bytes sent, or -1 and errno).
ssize_t send_with_fd(int sock, std::string_view bytes, int fd);

// One recvmsg() into `buf` (flags as recvmsg's; MSG_CMSG_CLOEXEC is added),
// retried on EINTR. A descriptor that came with the bytes goes into
// `received`. Returns what recvmsg returned.
ssize_t receive_with_fd(int sock, char* buf, size_t size, int flags, UniqueFd& received);

}  // namespace postern::login
