// IMAP dates: "date" (SEARCH: 1-Feb-1994), "date-time" (APPEND and
// INTERNALDATE: "17-Jul-1996 02:44:25 -0700"), and their output. Pure
// arithmetic: no time zone database, no libc locale.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31, checked against the month
  // Days since 1970-01-01 (negative before). Dates compare through this.
  int64_t days() const;
  static Date from_days(int64_t days);
  friend bool operator==(const Date&, const Date&) = default;
};

// "1-Feb-1994" or "01-Feb-1994" (month name in any case). nullopt when
// malformed or not a calendar date (31-Feb-2000).
std::optional<Date> parse_date(std::string_view text);

// date-time without the quotes: "17-Jul-1996 02:44:25 -0700" (day may be
// " 7" or "07"). Seconds since the epoch, UTC.
std::optional<int64_t> parse_date_time(std::string_view text);

// The calendar date of `unix_seconds` seen `zone_minutes` east of UTC.
Date date_of(int64_t unix_seconds, int zone_minutes = 0);

// "17-Jul-1996 02:44:25 -0700" (no quotes; day padded with a space as
// RFC 3501 date-day-fixed wants): `unix_seconds` shown at `zone_minutes`.
std::string format_date_time(int64_t unix_seconds, int zone_minutes = 0);
// "1-Feb-1994"
std::string format_date(const Date& date);

}  // namespace postern::imap
