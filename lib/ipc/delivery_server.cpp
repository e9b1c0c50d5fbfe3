// The agent side of one qmgr connection (see delivery_server.hpp).
#include "lib/ipc/delivery_server.hpp"

#include "lib/log/log.hpp"

namespace postern::ipc {

namespace {
constexpr int kRequestTimeout = 300;  // seconds for qmgr to send its request
}  // namespace

void serve_delivery(int fd, const std::function<DeliveryReply(const DeliveryRequest&)>& deliver) {
  if (auto ok = send_hello(fd); !ok) return;
  AttrReader reader(fd, kRequestTimeout);
  auto attrs = reader.read();
  if (!attrs) {
    log::warning("reading request: %s", attrs.error().message.c_str());
    return;
  }
  auto request = decode_request(*attrs);
  if (!request) {
    log::warning("bad request: %s", request.error().message.c_str());
    return;
  }
  DeliveryReply reply = deliver(*request);
  if (auto ok = write_attrs(fd, encode_reply(reply)); !ok) {
    log::warning("%s: sending reply: %s", request->queue_id.c_str(), ok.error().message.c_str());
  }
}

}  // namespace postern::ipc
