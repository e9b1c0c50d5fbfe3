// Bounded command-line reader. Used by smtpd and lmtpd (as mail_owner).
#include "lib/smtp/line_reader.hpp"

namespace postern::smtp {

void LineReader::reset() {
  partial_.clear();
  length_ = 0;
  pending_cr_ = false;
  bare_cr_ = false;
}

void LineReader::store(char c) {
  // The limit counts the line without its ending: <CR><LF> is two of the 512.
  size_t limit = max_ >= 2 ? max_ - 2 : 0;
  if (partial_.size() < limit) partial_ += c;
  ++length_;
}

LineReader::Step LineReader::feed(std::string_view input) {
  Step step;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i];
    if (c == '\n') {
      Line line;
      line.bare_lf = !pending_cr_;
      line.bare_cr = bare_cr_;
      line.too_long = length_ > (max_ >= 2 ? max_ - 2 : 0);
      line.text = std::move(partial_);
      reset();
      step.consumed = i + 1;
      step.line = std::move(line);
      return step;
    }
    if (pending_cr_) {
      bare_cr_ = true;
      store('\r');
    }
    pending_cr_ = c == '\r';
    if (!pending_cr_) store(c);
  }
  step.consumed = input.size();
  return step;
}

}  // namespace postern::smtp
