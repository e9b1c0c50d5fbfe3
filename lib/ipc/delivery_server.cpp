// The agent side of one qmgr connection (see delivery_server.hpp).
#include "lib/ipc/delivery_server.hpp"

#include <errno.h>
#include <poll.h>

#include "lib/log/log.hpp"

namespace postern::ipc {

namespace {
// Seconds qmgr may take to send a request, the first or the next one; qmgr
// closes a connection it has no more work for, so this bounds only a qmgr
// that hangs.
constexpr int kRequestTimeout = 300;

// qmgr closed its end (it was killed or restarted): a request it queued
// behind the previous one is still readable, but nobody would take the
// reply and its next run sends the recipient again, so delivering now would
// only duplicate. (A first request is served even from a client that has
// already shut down its writing side.)
bool requester_gone(int fd) {
  struct pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}
}  // namespace

long long serve_delivery(int fd, const std::function<DeliveryReply(const DeliveryRequest&)>& deliver,
                         long long max_requests) {
  if (max_requests < 1) max_requests = 1;
  if (auto ok = send_hello(fd, max_requests); !ok) return 0;
  AttrReader reader(fd, kRequestTimeout);
  long long answered = 0;
  while (answered < max_requests) {
    auto attrs = reader.read();
    if (!attrs) {
      // qmgr closing the connection between requests is the normal end.
      if (answered == 0 || attrs.error().sys_errno != EPIPE)
        log::warning("reading request: %s", attrs.error().message.c_str());
      break;
    }
    auto request = decode_request(*attrs);
    if (!request) {
      log::warning("bad request: %s", request.error().message.c_str());
      break;
    }
    if (answered > 0 && requester_gone(fd)) {
      log::info("%s: qmgr went away before the delivery started; left for its next run", request->queue_id.c_str());
      break;
    }
    DeliveryReply reply = deliver(*request);
    ++answered;
    if (auto ok = write_attrs(fd, encode_reply(reply)); !ok) {
      log::warning("%s: sending reply: %s", request->queue_id.c_str(), ok.error().message.c_str());
      break;
    }
  }
  return answered;
}

}  // namespace postern::ipc
