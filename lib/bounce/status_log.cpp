// Delivery status log formatting (see status_log.hpp). qmgr and agents.
#include "lib/bounce/status_log.hpp"

#include <sys/time.h>

#include <cstdio>

namespace postern::bounce {

std::string format_delay(double s) {
  if (s < 0) s = 0;
  char buf[32];
  // At most two decimals below one second (delay_logging_resolution_limit),
  // one below ten, none above; never exponent notation; no trailing zeros.
  if (s < 1) std::snprintf(buf, sizeof buf, "%.2f", s);
  else if (s < 10) std::snprintf(buf, sizeof buf, "%.1f", s);
  else std::snprintf(buf, sizeof buf, "%.0f", s);
  std::string out = buf;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out;
}

std::string format_status(const StatusLine& l) {
  const StatusTimes& t = l.times;
  std::string out = l.queue_id + ": to=<" + l.to + ">";
  if (!l.orig_to.empty() && l.orig_to != l.to) out += ", orig_to=<" + l.orig_to + ">";
  out += ", relay=" + l.relay;
  out += ", delay=" + format_delay(t.done - t.arrival);
  out += ", delays=" + format_delay(t.active - t.arrival) + "/" + format_delay(t.request - t.active) + "/" +
         format_delay(t.connected - t.request) + "/" + format_delay(t.done - t.connected);
  out += ", dsn=" + l.dsn + ", status=" + l.status + " (" + l.reason + ")";
  return out;
}

double now_seconds() {
  struct timeval tv{};
  ::gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace postern::bounce
