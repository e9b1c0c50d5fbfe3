#include "lib/base/host_name.hpp"

#include <unistd.h>

namespace postern {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

}  // namespace postern
