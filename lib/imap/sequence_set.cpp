// Sequence sets: strict parsing, resolution against "*", and formatting.
#include "lib/imap/sequence_set.hpp"

#include <algorithm>
#include <optional>

namespace postern::imap {

namespace {

// nz-number or "*"; nullopt with `why` set otherwise.
std::optional<uint32_t> seq_number(std::string_view s, std::string& why) {
  if (s == "*") return kStar;
  if (s.empty()) {
    why = "empty number";
    return std::nullopt;
  }
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') {
      why = "'" + shown(s) + "' is not a number";
      return std::nullopt;
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
    if (v > 0xffffffffu) {
      why = shown(s) + " is too large";
      return std::nullopt;
    }
  }
  if (v == 0) {
    why = "0 is not a valid message number or UID";
    return std::nullopt;
  }
  return static_cast<uint32_t>(v);
}

}  // namespace

Parsed<SequenceSet> SequenceSet::parse(std::string_view text, bool allow_saved) {
  SequenceSet set;
  if (text == "$") {
    if (!allow_saved) return syntax_error("Invalid sequence set: '$' (SEARCHRES) is not enabled");
    set.saved_ = true;
    return set;
  }
  if (text.empty()) return syntax_error("Invalid sequence set: empty");
  size_t pos = 0;
  while (true) {
    size_t comma = text.find(',', pos);
    std::string_view item = text.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    std::string why;
    size_t colon = item.find(':');
    SeqRange range;
    if (colon == std::string_view::npos) {
      auto n = seq_number(item, why);
      if (!n) return syntax_error("Invalid sequence set: " + why);
      range.first = range.last = *n;
    } else {
      auto a = seq_number(item.substr(0, colon), why);
      auto b = a ? seq_number(item.substr(colon + 1), why) : std::optional<uint32_t>{};
      if (!a || !b) return syntax_error("Invalid sequence set: range '" + shown(item) + "': " + why);
      range.first = *a;
      range.last = *b;
    }
    set.ranges_.push_back(range);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return set;
}

std::vector<SeqRange> SequenceSet::resolve(uint32_t star) const {
  std::vector<SeqRange> out;
  for (const auto& r : ranges_) {
    uint32_t a = r.first == kStar ? star : r.first;
    uint32_t b = r.last == kStar ? star : r.last;
    if (a > b) std::swap(a, b);
    if (a == 0) {
      if (b == 0) continue;  // "*" of an empty mailbox
      a = 1;
    }
    out.push_back({a, b});
  }
  std::sort(out.begin(), out.end(), [](const SeqRange& x, const SeqRange& y) { return x.first < y.first; });
  std::vector<SeqRange> merged;
  for (const auto& r : out) {
    if (!merged.empty() && (merged.back().last == 0xffffffffu || r.first <= merged.back().last + 1)) {
      merged.back().last = std::max(merged.back().last, r.last);
    } else {
      merged.push_back(r);
    }
  }
  return merged;
}

bool SequenceSet::contains(uint32_t n, uint32_t star) const {
  for (const auto& r : ranges_) {
    uint32_t a = r.first == kStar ? star : r.first;
    uint32_t b = r.last == kStar ? star : r.last;
    if (a > b) std::swap(a, b);
    if (n != 0 && n >= a && n <= b) return true;
  }
  return false;
}

uint32_t SequenceSet::max_written() const {
  uint32_t m = 0;
  for (const auto& r : ranges_) m = std::max({m, r.first, r.last});
  return m;
}

std::string SequenceSet::to_string() const {
  if (saved_) return "$";
  std::string out;
  auto number = [](uint32_t n) { return n == kStar ? std::string("*") : std::to_string(n); };
  for (const auto& r : ranges_) {
    if (!out.empty()) out += ',';
    out += number(r.first);
    if (r.last != r.first) out += ':' + number(r.last);
  }
  return out;
}

std::string format_sequence_set(std::span<const uint32_t> numbers) {
  std::string out;
  size_t i = 0;
  while (i < numbers.size()) {
    size_t j = i;
    while (j + 1 < numbers.size() && numbers[j] != 0xffffffffu && numbers[j + 1] == numbers[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (j > i) out += ':' + std::to_string(numbers[j]);
    i = j + 1;
  }
  return out;
}

std::string format_sorted_set(std::vector<uint32_t> numbers) {
  std::sort(numbers.begin(), numbers.end());
  numbers.erase(std::unique(numbers.begin(), numbers.end()), numbers.end());
  return format_sequence_set(numbers);
}

}  // namespace postern::imap
