// RFC 3501 sequence-set ("1:3,7,10:*") for message numbers and UIDs, the
// RFC 5182 "$" (saved search result), and formatting of number sets for
// UIDPLUS response codes (COPYUID, APPENDUID) and ESEARCH. Pure.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lib/imap/parse_result.hpp"

namespace postern::imap {

inline constexpr uint32_t kStar = 0;  // "*" in a range as written (0 is no valid number)

struct SeqRange {
  uint32_t first = 0;  // as written: may be kStar, may be larger than last
  uint32_t last = 0;
};

class SequenceSet {
 public:
  // Strict RFC 3501 syntax: nz-numbers, "*", ranges "a:b", comma-separated,
  // no spaces. allow_saved: "$" alone is accepted (SEARCHRES).
  static Parsed<SequenceSet> parse(std::string_view text, bool allow_saved = false);

  bool saved() const { return saved_; }           // "$"
  const std::vector<SeqRange>& ranges() const { return ranges_; }

  // Ranges with "*" replaced by `star` (the highest sequence number or UID;
  // 0 for an empty mailbox), each ordered low..high, sorted and merged.
  // "*" on an empty mailbox yields nothing. Never expands number by number.
  std::vector<SeqRange> resolve(uint32_t star) const;
  bool contains(uint32_t n, uint32_t star) const;
  // The largest number written (ignoring "*"): a message number above EXISTS
  // is a client error in non-UID commands.
  uint32_t max_written() const;

  std::string to_string() const;  // canonical text as written ("$" for saved)

 private:
  std::vector<SeqRange> ranges_;
  bool saved_ = false;
};

// Numbers in the given order, consecutive ascending runs compressed:
// {1,2,3,5,9,8} -> "1:3,5,9,8". Order is kept because COPYUID pairs the
// source and destination sets position by position. Empty input gives "".
std::string format_sequence_set(std::span<const uint32_t> numbers);
// Sorted and de-duplicated first (ESEARCH ALL, SEARCH results as a set).
std::string format_sorted_set(std::vector<uint32_t> numbers);

}  // namespace postern::imap
