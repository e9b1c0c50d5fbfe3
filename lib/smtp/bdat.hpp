// BDAT (RFC 3030 CHUNKING) accounting: how many bytes of the current chunk are
// still to come, the running message size against message_size_limit, and the
// line-ending checks smtpd_forbid_bare_newline needs (BDAT content is raw, so
// a bare <LF> there is still reported). Used by smtpd and lmtpd (as mail_owner).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace postern::smtp {

class BdatReceiver {
 public:
  explicit BdatReceiver(std::uint64_t message_size_limit = 0) : limit_(message_size_limit) {}

  // A "BDAT <size> [LAST]" command was accepted. Returns false when this chunk
  // takes the message past message_size_limit: the chunk must still be read
  // (and is discarded), then smtpd answers "552 5.3.4 Chunk exceeds message size limit".
  bool begin_chunk(std::uint64_t size, bool last);

  // Takes up to remaining() bytes of input, appending them to `out` unless the
  // size limit was exceeded. Returns the bytes consumed; the rest of input is
  // the next command.
  std::size_t feed(std::string_view input, std::string& out);

  std::uint64_t remaining() const { return remaining_; }
  bool chunk_complete() const { return remaining_ == 0; }
  bool message_complete() const { return last_ && remaining_ == 0; }
  bool size_exceeded() const { return size_exceeded_; }
  std::uint64_t size() const { return size_; }
  bool bare_lf() const { return bare_lf_; }
  // A <CR> at the very end of the message counts once message_complete().
  bool bare_cr() const { return bare_cr_ || (message_complete() && pending_cr_); }
  std::size_t longest_line() const { return longest_; }

  void reset();

 private:
  void scan(std::string_view bytes);

  std::uint64_t limit_;
  std::uint64_t remaining_ = 0;
  std::uint64_t size_ = 0;
  bool last_ = false;
  bool size_exceeded_ = false;
  bool pending_cr_ = false;
  bool bare_lf_ = false;
  bool bare_cr_ = false;
  std::size_t line_length_ = 0;
  std::size_t longest_ = 0;
};

}  // namespace postern::smtp
