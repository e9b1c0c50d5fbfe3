// Queue ID generation and parsing. Runs in cleanup/pickup (as mail_owner) and
// in the queue tools.
#include "lib/queue/queue_id.hpp"

#include <sys/time.h>
#include <unistd.h>

namespace postern::queue {
namespace {

// Digits first, then upper case, then lower case: ASCII order equals numeric
// order, so string comparison of fixed-width fields is numeric comparison.
constexpr std::string_view kAlphabet52 = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz";
constexpr std::string_view kAlphabet51 = kAlphabet52.substr(0, 51);  // without 'z'
constexpr char kSeparator = 'z';

void append_fixed(std::string& out, std::uint64_t value, std::string_view alphabet, int width) {
  std::string digits(width, alphabet[0]);
  for (int i = width - 1; i >= 0; --i) {
    digits[i] = alphabet[value % alphabet.size()];
    value /= alphabet.size();
  }
  out += digits;
}

bool decode_fixed(std::string_view s, std::string_view alphabet, std::uint64_t* value) {
  std::uint64_t v = 0;
  for (char c : s) {
    size_t d = alphabet.find(c);
    if (d == std::string_view::npos) return false;
    v = v * alphabet.size() + d;
  }
  *value = v;
  return true;
}

}  // namespace

QueueIdGenerator::QueueIdGenerator() : pid_(static_cast<std::uint32_t>(::getpid())) {}

std::string QueueIdGenerator::next() {
  struct timeval tv {};
  ::gettimeofday(&tv, nullptr);
  return next(tv.tv_sec, static_cast<std::uint32_t>(tv.tv_usec));
}

std::string QueueIdGenerator::next(std::int64_t seconds, std::uint32_t microseconds) {
  std::string id;
  id.reserve(kQueueIdLength);
  append_fixed(id, static_cast<std::uint64_t>(seconds < 0 ? 0 : seconds), kAlphabet52, 6);
  append_fixed(id, microseconds % 1000000, kAlphabet52, 4);
  id += kSeparator;
  append_fixed(id, pid_, kAlphabet51, 4);
  append_fixed(id, counter_++, kAlphabet51, 3);
  return id;
}

bool valid_queue_id(std::string_view id) {
  std::uint64_t v;
  return id.size() == kQueueIdLength && decode_fixed(id.substr(0, 10), kAlphabet52, &v) &&
         id[10] == kSeparator && decode_fixed(id.substr(11), kAlphabet51, &v);
}

bool queue_id_time(std::string_view id, std::int64_t* seconds, std::uint32_t* microseconds) {
  if (!valid_queue_id(id)) return false;
  std::uint64_t s, us;
  decode_fixed(id.substr(0, 6), kAlphabet52, &s);
  decode_fixed(id.substr(6, 4), kAlphabet52, &us);
  if (us >= 1000000) return false;
  *seconds = static_cast<std::int64_t>(s);
  *microseconds = static_cast<std::uint32_t>(us);
  return true;
}

}  // namespace postern::queue
