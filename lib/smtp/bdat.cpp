// BDAT chunk accounting. Runs in smtpd and lmtpd (as mail_owner).
#include "lib/smtp/bdat.hpp"

#include <algorithm>

namespace postern::smtp {

void BdatReceiver::reset() { *this = BdatReceiver(limit_); }

bool BdatReceiver::begin_chunk(std::uint64_t size, bool last) {
  remaining_ = size;
  last_ = last;
  // Compare without overflow: size may be anything the client wrote.
  if (limit_ && (size > limit_ || size_ > limit_ - size)) size_exceeded_ = true;
  size_ = size > UINT64_MAX - size_ ? UINT64_MAX : size_ + size;
  return !size_exceeded_;
}

void BdatReceiver::scan(std::string_view bytes) {
  for (char c : bytes) {
    if (c == '\n') {
      if (!pending_cr_) bare_lf_ = true;
      longest_ = std::max(longest_, line_length_);
      line_length_ = 0;
      pending_cr_ = false;
      continue;
    }
    if (pending_cr_) {
      bare_cr_ = true;
      ++line_length_;
    }
    pending_cr_ = c == '\r';
    if (!pending_cr_) ++line_length_;
  }
}

std::size_t BdatReceiver::feed(std::string_view input, std::string& out) {
  auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
  std::string_view chunk = input.substr(0, n);
  scan(chunk);
  if (!size_exceeded_) out.append(chunk);
  remaining_ -= n;
  if (message_complete()) longest_ = std::max(longest_, line_length_);
  return n;
}

}  // namespace postern::smtp
