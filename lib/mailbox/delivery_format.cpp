// From_ line, delivery headers and CRLF -> LF conversion with From_ quoting
// (see delivery_format.hpp). Pure; runs in local.
#include "lib/mailbox/delivery_format.hpp"

#include <time.h>

namespace postern::mailbox {

std::string from_line(std::string_view sender, std::time_t when) {
  struct tm tm{};
  ::localtime_r(&when, &tm);
  char date[64];
  // asctime's layout, "Www Mmm dd hh:mm:ss yyyy", as mutt and procmail expect.
  ::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
  std::string line = "From ";
  line += sender.empty() ? std::string_view("MAILER-DAEMON") : sender;
  line += "  ";
  line += date;
  line += '\n';
  return line;
}

std::string delivery_headers(const DeliveryHeaders& headers) {
  std::string out = "Return-Path: <" + headers.sender + ">\n";
  if (!headers.original_recipient.empty()) out += "X-Original-To: " + headers.original_recipient + "\n";
  out += "Delivered-To: " + headers.delivered_to + "\n";
  return out;
}

void LineConverter::emit(std::string_view bytes, std::string& out) {
  // Lines go through here one byte run at a time; "From " is decided on the
  // first five bytes of each line, which may arrive in separate chunks.
  for (char c : bytes) {
    if (at_line_start_ && quote_from_) {
      line_head_ += c;
      static constexpr std::string_view kFrom = "From ";
      if (kFrom.substr(0, line_head_.size()) == line_head_ && c != '\n') {
        if (line_head_.size() < kFrom.size()) continue;
        out += '>';
      }
      out += line_head_;
      at_line_start_ = false;
      if (c == '\n') at_line_start_ = true;
      line_head_.clear();
      continue;
    }
    out += c;
    at_line_start_ = c == '\n';
  }
}

void LineConverter::feed(std::string_view chunk, std::string& out) {
  std::size_t start = 0;
  if (pending_cr_) {
    pending_cr_ = false;
    if (!chunk.empty() && chunk[0] == '\n') {
      emit("\n", out);
      start = 1;
    } else {
      emit("\r", out);  // a bare CR is kept as it came
    }
  }
  std::string run;
  for (std::size_t i = start; i < chunk.size(); ++i) {
    char c = chunk[i];
    if (c == '\r') {
      if (i + 1 == chunk.size()) {
        pending_cr_ = true;
        break;
      }
      if (chunk[i + 1] == '\n') continue;  // the LF follows on its own
    }
    run += c;
  }
  emit(run, out);
}

void LineConverter::finish(std::string& out) {
  if (pending_cr_) {
    pending_cr_ = false;
    emit("\r", out);
  }
  if (!line_head_.empty()) {
    out += line_head_;  // a short last line that looked like the start of "From "
    line_head_.clear();
    at_line_start_ = false;
  }
  if (!at_line_start_) emit("\n", out);
}

}  // namespace postern::mailbox
