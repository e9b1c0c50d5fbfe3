// showq client (postqueue, the invoking user): one request, the report until
// EOF, everything under one deadline so a stuck service cannot hang mailq.
#include "lib/queue_tools/showq_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::queue_tools {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `events` on fd until `until`; an Error on timeout or poll failure.
Status wait_for(int fd, short events, Clock::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return Error{"timed out"};
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return {};
    if (n < 0 && errno != EINTR) return sys_error("poll");
  }
}

}  // namespace

Result<ShowqReply> query_showq(const std::string& endpoint, ShowqRequest request,
                               std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (endpoint.size() >= sizeof(addr.sun_path)) return Error{endpoint + ": path too long"};
  std::memcpy(addr.sun_path, endpoint.c_str(), endpoint.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  // A UNIX stream connect either completes or fails at once (EAGAIN: backlog full).
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    return sys_error("connect " + endpoint);
  std::string_view line = showq_request_line(request);
  while (!line.empty()) {
    if (auto w = wait_for(fd.get(), POLLOUT, until); !w) return w.error();
    ssize_t n = ::send(fd.get(), line.data(), line.size(), MSG_NOSIGNAL);
    if (n < 0 && errno != EINTR && errno != EAGAIN) return sys_error("send " + endpoint);
    if (n > 0) line.remove_prefix(static_cast<size_t>(n));
  }
  ShowqReply reply;
  char buf[8192];
  for (;;) {
    if (auto w = wait_for(fd.get(), POLLIN, until); !w) return w.error();
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return sys_error("read " + endpoint);
    }
    reply.text.append(buf, static_cast<size_t>(n));
  }
  if (reply.text.starts_with(kShowqErrorPrefix)) {
    reply.refused = true;
    reply.text.erase(0, kShowqErrorPrefix.size());
    while (!reply.text.empty() && reply.text.back() == '\n') reply.text.pop_back();
  }
  return reply;
}

}  // namespace postern::queue_tools
