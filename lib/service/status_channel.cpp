// Status reports to master. Runs in every daemon.
#include "lib/service/status_channel.hpp"

#include <unistd.h>

#include <cerrno>

#include "lib/service/master_proto.hpp"

namespace postern::service {

StatusChannel::StatusChannel(bool connected, int generation)
    : connected_(connected), generation_(generation) {}

void StatusChannel::report(bool available) {
  if (!connected_ || last_ == int(available)) return;
  StatusRecord rec{int32_t(::getpid()), int32_t(generation_), available ? 1 : 0};
  ssize_t n;
  do {
    n = ::write(kStatusFd, &rec, sizeof rec);
  } while (n < 0 && errno == EINTR);
  // A failed write means master is gone; the EOF watcher handles shutdown.
  if (n == ssize_t(sizeof rec)) last_ = int(available);
}

}  // namespace postern::service
