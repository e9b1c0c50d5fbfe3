// The queue file: what one message's file holds, and the strict parser that
// reads it back. The byte layout is in docs/queue-format.md. Written by
// cleanup (as mail_owner); read by qmgr, delivery agents, postqueue, postcat.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "lib/base/result.hpp"

namespace postern::queue {

inline constexpr std::string_view kMagic = "PSTNQF";   // file starts with magic + version byte
inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kHeaderSize = 7;          // magic + version
inline constexpr std::size_t kRecordHeaderSize = 5;    // type byte + 32-bit big-endian length
inline constexpr std::uint32_t kMaxEnvelopeRecord = 1u << 20;  // sanity bound on non-content records

// Record types.
enum RecordType : char {
  rec_time = 'T',       // arrival "seconds.microseconds"
  rec_sender = 'S',     // envelope sender; empty for <>
  rec_attribute = 'A',  // "name=value"
  rec_recipient = 'R',  // done byte, notify byte, 32-bit address length, address, original recipient
  rec_content = 'M',    // the message (header + body) as one raw block
  rec_end = 'E',        // empty; nothing may follow
};

inline constexpr char kPending = 'N';  // recipient done byte: not delivered yet
inline constexpr char kDone = 'D';     // delivered, bounced or otherwise finished

struct Recipient {
  std::string address;
  std::string orcpt;        // ORCPT "type;address" as received, or empty
  unsigned notify = 0;      // smtp::NotifyFlags bits; 0 = not given
  bool done = false;
  std::uint64_t done_offset = 0;  // file offset of the done byte (set by the parser)
};

struct Attributes {
  std::string client_name;
  std::string client_address;
  std::string protocol;        // SMTP, ESMTP, ESMTPS, ESMTPSA, LMTP, local ...
  std::string helo_name;
  std::string sasl_username;
  std::string envid;           // DSN ENVID, decoded
  std::string ret;             // "FULL", "HDRS" or empty
  std::string body;            // "7BIT", "8BITMIME", "BINARYMIME" or empty
  bool smtputf8 = false;
  // Anything else cleanup wants to keep, name=value; names unique, no '='.
  std::vector<std::pair<std::string, std::string>> extra;
};

// Attribute.extra name of a content filter ("transport:nexthop", from
// content_filter or an access FILTER action): qmgr sends every recipient there.
inline constexpr std::string_view kFilterAttribute = "filter";

struct Envelope {
  std::int64_t arrival_seconds = 0;
  std::uint32_t arrival_microseconds = 0;
  std::string sender;
  std::vector<Recipient> recipients;
  Attributes attributes;
};

struct QueueFile {
  Envelope envelope;
  std::uint64_t content_offset = 0;  // where the message starts in the file
  std::uint64_t content_size = 0;    // message_size: bytes of header + body
};

// Encodes the header and every record before the content, ending with the
// content record's header (type and length). `content_size` goes in that
// length. Used by the writer.
std::string encode_envelope(const Envelope& envelope, std::uint64_t content_size);

// Reads `size` bytes at `offset`; may return fewer only at end of file.
using ReadAt = std::function<Result<std::string>(std::uint64_t offset, std::size_t size)>;

// Parses a queue file of `file_size` bytes. Strict: a wrong magic or version,
// an unknown record type, a record running past the end, a missing or
// repeated time/sender/content/end record, or bytes after the end record all
// give an Error ("corrupt queue file: ..."). Content bytes are not read.
Result<QueueFile> parse_queue_file(const ReadAt& read_at, std::uint64_t file_size);
// Same, for a file already in memory (tests, fuzzing, postcat).
Result<QueueFile> parse_queue_file(std::string_view bytes);

}  // namespace postern::queue
