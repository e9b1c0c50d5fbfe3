// From_ line, delivery headers and CRLF -> LF conversion with From_ quoting
// (see delivery_format.hpp). Pure; runs in local.
#include "lib/mailbox/delivery_format.hpp"

#include <cstring>

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
  if (bytes.empty()) return;
  if (!quote_from_) {
    out.append(bytes);
    at_line_start_ = bytes.back() == '\n';
    return;
  }
  static constexpr std::string_view kFrom = "From ";
  std::size_t i = 0;
  while (i < bytes.size()) {
    if (at_line_start_) {
      // "From " is decided on the first five bytes of a line, which may
      // arrive in separate chunks; they wait in line_head_ until then.
      const char c = bytes[i++];
      line_head_ += c;
      if (kFrom.substr(0, line_head_.size()) == line_head_ && c != '\n') {
        if (line_head_.size() < kFrom.size()) continue;
        out += '>';
      }
      out += line_head_;
      line_head_.clear();
      at_line_start_ = c == '\n';
      continue;
    }
    // The rest of the line goes in one piece.
    const void* lf = std::memchr(bytes.data() + i, '\n', bytes.size() - i);
    const std::size_t end = lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - bytes.data()) + 1 : bytes.size();
    out.append(bytes.substr(i, end - i));
    i = end;
    at_line_start_ = lf != nullptr;
  }
}

void LineConverter::feed(std::string_view chunk, std::string& out) {
  std::size_t i = 0;
  if (pending_cr_) {
    pending_cr_ = false;
    if (!chunk.empty() && chunk[0] == '\n') {
      emit("\n", out);
      i = 1;
    } else {
      emit("\r", out);  // a bare CR is kept as it came
    }
  }
  // Runs between CRs are copied whole; a CR before LF is dropped, a bare CR
  // kept, and a CR at the chunk's end waits for the next chunk.
  while (i < chunk.size()) {
    const void* cr = std::memchr(chunk.data() + i, '\r', chunk.size() - i);
    if (cr == nullptr) return emit(chunk.substr(i), out);
    const auto at = static_cast<std::size_t>(static_cast<const char*>(cr) - chunk.data());
    if (at + 1 == chunk.size()) {
      emit(chunk.substr(i, at - i), out);
      pending_cr_ = true;
      return;
    }
    const bool crlf = chunk[at + 1] == '\n';
    emit(chunk.substr(i, at - i + (crlf ? 0 : 1)), out);
    i = at + 1;
  }
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
