// DATA content decoder. Runs in smtpd and lmtpd (as mail_owner) on untrusted
// input; bounded state, no buffering beyond the caller's output string.
#include "lib/smtp/data_decoder.hpp"

#include "lib/smtp/line_breaks.hpp"

namespace postern::smtp {

void DataDecoder::reset() { *this = DataDecoder(options_); }

void DataDecoder::emit(std::string_view bytes, std::string& out) {
  // Output is the first message_size_limit bytes however the input was split.
  if (!size_exceeded_ && options_.message_size_limit && size_ + bytes.size() > options_.message_size_limit) {
    size_exceeded_ = true;
    out.append(bytes.substr(0, options_.message_size_limit - size_));
  } else if (!size_exceeded_) {
    out.append(bytes);
  }
  size_ += bytes.size();
}

void DataDecoder::end_line(bool crlf, std::string& out) {
  if (line_length_ > longest_) longest_ = line_length_;
  if (line_length_ > options_.max_line_length) ++long_lines_;
  line_length_ = 0;
  if (crlf) {
    emit("\r\n", out);
    state_ = State::bol_crlf;
  } else {
    bare_lf_ = true;
    emit(options_.normalize_bare_lf ? "\r\n" : "\n", out);
    state_ = State::bol_lf;
  }
}

// One byte inside a line (also the first byte of a line that is not a dot).
void DataDecoder::text_byte(char c, std::string& out) {
  if (c == '\r') {
    state_ = State::text_cr;
  } else if (c == '\n') {
    end_line(false, out);
  } else {
    ++line_length_;
    emit(std::string_view(&c, 1), out);
    state_ = State::text;
  }
}

DataDecoder::Step DataDecoder::feed(std::string_view input, std::string& out) {
  Step step;
  size_t i = 0;
  LineBreaks breaks(input);
  // The common case, a long run of ordinary bytes in a line, is copied at once.
  while (i < input.size() && state_ != State::done) {
    if (state_ == State::text) {
      const size_t stop = breaks.next(i);
      if (stop > i) {
        line_length_ += stop - i;
        emit(input.substr(i, stop - i), out);
        i = stop;
        continue;
      }
    }
    char c = input[i++];
    switch (state_) {
      case State::bol_crlf:
      case State::bol_lf:
        if (c == '.') {
          state_ = state_ == State::bol_crlf ? State::dot_crlf : State::dot_lf;
          ++line_length_;
        } else {
          text_byte(c, out);
        }
        break;
      case State::dot_crlf:
      case State::dot_lf:
        if (c == '\r') {
          state_ = state_ == State::dot_crlf ? State::dot_cr_crlf : State::dot_cr_lf;
        } else {
          // RFC 5321 4.5.2: drop the first dot of the line, keep the rest.
          text_byte(c, out);
        }
        break;
      case State::dot_cr_crlf:
        if (c == '\n') {
          state_ = State::done;
          break;
        }
        [[fallthrough]];
      case State::dot_cr_lf:  // "<LF>.<CR>": the dot is text, as after any line start
      case State::text_cr:
        if (c == '\n') {
          // Ends the line; "<LF>.<CR><LF>" is a line holding a dot, not the end (smuggling).
          end_line(true, out);
        } else {
          // "<CR>x": the <CR> was bare.
          bare_cr_ = true;
          ++line_length_;
          emit("\r", out);
          text_byte(c, out);
        }
        break;
      case State::text:
        text_byte(c, out);
        break;
      case State::done:
        break;
    }
  }
  step.consumed = i;
  step.done = state_ == State::done;
  return step;
}

}  // namespace postern::smtp
