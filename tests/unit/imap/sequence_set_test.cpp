// Sequence sets, their resolution against "*", number-set formatting, and
// flag lists.
#include <catch2/catch.hpp>

#include "lib/imap/flags.hpp"
#include "lib/imap/sequence_set.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;

namespace {
std::string resolved(std::string_view text, uint32_t star) {
  auto set = SequenceSet::parse(text);
  REQUIRE(set);
  std::string out;
  for (const auto& r : set->resolve(star)) out += std::to_string(r.first) + "-" + std::to_string(r.last) + " ";
  return out;
}
}  // namespace

TEST_CASE("valid sequence sets", "[imap][seqset]") {
  auto set = SequenceSet::parse("1:3,7,10:*,*");
  REQUIRE(set);
  CHECK(set->to_string() == "1:3,7,10:*,*");
  CHECK(set->max_written() == 10);
  CHECK(resolved("1:3,7,10:*", 12) == "1-3 7-7 10-12 ");
  CHECK(resolved("*:4", 2) == "2-4 ");  // RFC 3501: "*" may be below the other end
  CHECK(resolved("5,1:2,3", 10) == "1-3 5-5 ");
  CHECK(resolved("*", 0) == "");        // empty mailbox
  CHECK(resolved("1:*", 0) == "1-1 ");
  CHECK(resolved("4294967295,1", 9) == "1-1 4294967295-4294967295 ");
  CHECK(set->contains(2, 12));
  CHECK_FALSE(set->contains(5, 12));
  CHECK(set->contains(12, 12));
  CHECK_FALSE(set->contains(0, 12));
}

TEST_CASE("invalid sequence sets", "[imap][seqset]") {
  struct Row {
    const char* text;
    const char* error;
  };
  const Row rows[] = {
      {"0", "Invalid sequence set: 0 is not a valid message number or UID"},
      {"1:0", "Invalid sequence set: range '1:0': 0 is not a valid message number or UID"},
      {"1:", "Invalid sequence set: range '1:': empty number"},
      {":1", "Invalid sequence set: range ':1': empty number"},
      {"", "Invalid sequence set: empty"},
      {"1,", "Invalid sequence set: empty number"},
      {"1,,2", "Invalid sequence set: empty number"},
      {"a", "Invalid sequence set: 'a' is not a number"},
      {"1:2:3", "Invalid sequence set: range '1:2:3': '2:3' is not a number"},
      {"4294967296", "Invalid sequence set: 4294967296 is too large"},
      {"-1", "Invalid sequence set: '-1' is not a number"},
      {"1 2", "Invalid sequence set: '1 2' is not a number"},
      {"$", "Invalid sequence set: '$' (SEARCHRES) is not enabled"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    auto set = SequenceSet::parse(row.text);
    REQUIRE_FALSE(set);
    CHECK(set.error().text == row.error);
  }
  auto saved = SequenceSet::parse("$", true);
  REQUIRE(saved);
  CHECK(saved->saved());
}

TEST_CASE("number sets for UIDPLUS and ESEARCH", "[imap][seqset]") {
  std::vector<uint32_t> v{1, 2, 3, 5, 9, 8, 10, 11};
  CHECK(format_sequence_set(v) == "1:3,5,9,8,10:11");
  CHECK(format_sequence_set(std::vector<uint32_t>{}) == "");
  CHECK(format_sequence_set(std::vector<uint32_t>{4294967295u, 1}) == "4294967295,1");
  CHECK(format_sorted_set({9, 1, 2, 2, 3, 7}) == "1:3,7,9");
}

TEST_CASE("flag lists", "[imap][flags]") {
  auto args = postern::imap::test::args_of("(\\Seen \\deleted $Forwarded $forwarded Junk)");
  auto flags = parse_flag_list(args[0]);
  REQUIRE(flags);
  CHECK(flags->system == (flag::seen | flag::deleted));
  CHECK(flags->keywords == std::vector<std::string>{"$Forwarded", "Junk"});
  CHECK(format_flag_list(flags->system, flags->keywords) == "(\\Deleted \\Seen $Forwarded Junk)");
  CHECK(format_flag_list(0, {}) == "()");
  CHECK(format_flag_list(flag::recent | flag::answered, {}) == "(\\Answered \\Recent)");

  struct Row {
    const char* args;
    const char* error;
  };
  const Row bad[] = {
      {"(\\Recent)", "\\Recent cannot be set by a client"},
      {"(\\Bogus)", "Invalid system flag \\Bogus"},
      {"(\\*)", "Invalid system flag \\*"},
      {"(\"quoted\")", "Invalid flag: quoted string (flags are atoms)"},
      {"((\\Seen))", "Invalid flag: list (flags are atoms)"},
      {"(a]b)", "Invalid keyword 'a]b'"},
      {"\\Seen", "Expected a flag list in parentheses, got atom \\Seen"},
  };
  for (const auto& row : bad) {
    INFO(row.args);
    auto parsed = parse_flag_list(postern::imap::test::args_of(row.args)[0]);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().text == row.error);
  }
  CHECK(parse_flag_list(postern::imap::test::args_of("()")[0]));
  auto bare = parse_store_flags(postern::imap::test::args_of("\\Seen \\Flagged"));
  REQUIRE(bare);
  CHECK(bare->system == (flag::seen | flag::flagged));
}
