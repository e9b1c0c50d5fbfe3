// RFC 5322 date-time parsing (with the obsolete forms: two-digit years,
// named zones, missing seconds, comments) for SENTBEFORE/SENTON/SENTSINCE
// and SORT. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace postern::mime {

struct DateTime {
  int year = 0;   // four digits
  int month = 0;  // 1..12
  int day = 0;    // 1..31
  int hour = 0, minute = 0, second = 0;
  int zone_minutes = 0;  // offset east of UTC as written (+0200 -> 120)
  int64_t epoch = 0;     // seconds since 1970-01-01T00:00:00Z, zone applied
};

std::optional<DateTime> parse_rfc5322_datetime(std::string_view value);
// Seconds since the epoch, zone applied; nullopt when unparseable.
std::optional<int64_t> parse_rfc5322_date(std::string_view value);
// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t days_from_civil(int year, int month, int day);

}  // namespace postern::mime
