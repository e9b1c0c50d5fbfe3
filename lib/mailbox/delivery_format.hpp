// What a delivered message looks like on disk: the mbox From_ line, the
// Return-Path / Delivered-To headers that local prepends, and the streaming
// conversion of queue content (CRLF lines) into local LF lines with mbox
// ">From " quoting. Pure; used by local and its tests.
#pragma once

#include <ctime>
#include <functional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"

namespace postern::mailbox {

// "From sender  Sun Nov 22 13:10:23 2026\n" (Postfix's form: two spaces,
// asctime of local time). The null sender is written as MAILER-DAEMON.
std::string from_line(std::string_view sender, std::time_t when);

struct DeliveryHeaders {
  std::string sender;              // envelope sender, "" for <>
  std::string delivered_to;        // the final local recipient
  std::string original_recipient;  // X-Original-To; empty: not written
};

// "Return-Path: <sender>\nX-Original-To: ...\nDelivered-To: ...\n".
std::string delivery_headers(const DeliveryHeaders& headers);

// Turns message bytes into LF lines, chunk by chunk: CRLF -> LF (a CR at a
// chunk's end waits for the next), and with quote_from ">From " for "From "
// at the start of a line. finish() ends an unterminated last line with LF.
class LineConverter {
 public:
  explicit LineConverter(bool quote_from) : quote_from_(quote_from) {}
  void feed(std::string_view chunk, std::string& out);
  void finish(std::string& out);

 private:
  bool quote_from_;
  bool at_line_start_ = true;
  bool pending_cr_ = false;
  std::string line_head_;      // first bytes of a line, until we know whether it is "From "
  void emit(std::string_view bytes, std::string& out);
};

// Pulls the message: each call returns the next chunk, "" at the end.
using ContentSource = std::function<Result<std::string>()>;

}  // namespace postern::mailbox
