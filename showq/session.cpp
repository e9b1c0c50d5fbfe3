// showq's per-client exchange (showq daemon, mail_owner). The client is an
// untrusted local user: its bytes are only compared with "list" and "json",
// never used in a path or a format string.
#include "showq/session.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "lib/log/log.hpp"
#include "lib/queue_tools/showq_protocol.hpp"

namespace postern::showq {
namespace {

using Clock = std::chrono::steady_clock;

// True when fd is ready for `events` before `until`.
bool wait_for(int fd, short events, Clock::time_point until) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

// The request line without its newline; nullopt on EOF, error, timeout, or
// kShowqMaxRequest bytes without a newline.
std::optional<std::string> read_request(int fd) {
  const auto until = Clock::now() + kRequestDeadline;
  std::string line;
  char buf[queue_tools::kShowqMaxRequest];
  while (line.size() < queue_tools::kShowqMaxRequest) {
    if (!wait_for(fd, POLLIN, until)) return std::nullopt;
    // Never read past the limit, so a long line cannot grow the buffer.
    ssize_t n = ::read(fd, buf, queue_tools::kShowqMaxRequest - line.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return std::nullopt;
    line.append(buf, static_cast<size_t>(n));
    if (auto nl = line.find('\n'); nl != std::string::npos) {
      if (nl + 1 != line.size()) return std::nullopt;  // bytes after the request
      line.pop_back();
      return line;
    }
  }
  return std::nullopt;
}

// Sends all of `text` before the reply deadline; a client that stops
// reading or goes away loses its answer (no SIGPIPE).
void send_reply(int fd, std::string_view text) {
  const auto until = Clock::now() + kReplyDeadline;
  while (!text.empty()) {
    if (!wait_for(fd, POLLOUT, until)) {
      log::warning("client did not take the queue report in time");
      return;
    }
    ssize_t n = ::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Discards what the client already sent beyond its request (bounded, no
// waiting): closing with unread input would reset the connection and the
// client could lose our error line.
void discard_pending_input(int fd) {
  char buf[4096];
  for (size_t total = 0; total < 65536;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    total += static_cast<size_t>(n);
  }
}

}  // namespace

void serve_client(int fd, const queue::QueueLayout& layout) {
  if (int flags = ::fcntl(fd, F_GETFL); flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
    log::warning("fcntl O_NONBLOCK: %m");
    return;
  }
  auto line = read_request(fd);
  auto request = line ? queue_tools::parse_showq_request(*line) : std::nullopt;
  if (!request) {
    log::warning("bad request from client: expected \"list\" or \"json\"");
    discard_pending_input(fd);
    send_reply(fd, std::string(queue_tools::kShowqErrorPrefix) + "bad request\n");
    return;
  }
  send_reply(fd, queue_tools::showq_report(layout, *request));
}

}  // namespace postern::showq
