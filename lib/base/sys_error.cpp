// errno → Error. Used in every process.
#include "lib/base/sys_error.hpp"

#include <cerrno>
#include <cstring>

namespace postern {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns a pointer that may or may not be buf.
  const char* text = ::strerror_r(err, buf, sizeof buf);
  return text;
}

Error sys_error(std::string_view what, int err) {
  std::string message(what);
  message += ": ";
  message += errno_text(err);
  return Error{std::move(message), err};
}

Error sys_error(std::string_view what) { return sys_error(what, errno); }

}  // namespace postern
