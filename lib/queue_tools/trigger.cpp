// Trigger client for FIFO and UNIX-socket endpoints. Runs in postdrop
// (setgid postdrop), postqueue, postsuper; never blocks on a dead service.
#include "lib/queue_tools/trigger.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "lib/base/file_io.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"

namespace postern::queue_tools {

Status send_trigger(const std::string& path, std::string_view requests) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return sys_error("trigger " + path);
  if (S_ISFIFO(st.st_mode)) {
    // O_NONBLOCK: with no reader open() fails with ENXIO instead of hanging.
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error("open " + path);
    return write_all(fd.get(), requests);
  }
  if (S_ISSOCK(st.st_mode)) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof(addr.sun_path)) return Error{"trigger " + path + ": path too long"};
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd) return sys_error("socket");
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
      return sys_error("connect " + path);
    // A few bytes always fit into a fresh socket buffer; the service reads
    // them and sees EOF when we close.
    ssize_t n = ::send(fd.get(), requests.data(), requests.size(), MSG_NOSIGNAL);
    if (n < 0 || static_cast<size_t>(n) != requests.size()) return sys_error("send " + path);
    return {};
  }
  return Error{"trigger " + path + ": not a FIFO or socket"};
}

}  // namespace postern::queue_tools
