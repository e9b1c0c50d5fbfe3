// IMAP date and date-time parsing and output, by civil-calendar arithmetic
// (days from a proleptic Gregorian date), so no time zone database is needed.
#include "lib/imap/date_time.hpp"

#include <cstdio>

#include "lib/base/strings.hpp"

namespace postern::imap {

namespace {

constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

std::optional<int> digits(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

int month_number(std::string_view name) {
  for (int i = 0; i < 12; ++i)
    if (iequals(name, kMonths[i])) return i + 1;
  return 0;
}

// "d-Mon-yyyy" with `day` already cut out.
std::optional<Date> make_date(std::string_view day, std::string_view month, std::string_view year) {
  auto d = digits(day);
  auto y = digits(year);
  int m = month_number(month);
  if (!d || !y || m == 0 || year.size() != 4) return std::nullopt;
  if (*d < 1 || *d > days_in_month(*y, m)) return std::nullopt;
  return Date{*y, m, *d};
}

}  // namespace

int64_t Date::days() const {
  // Days from civil date (a well-known arithmetic formulation, March-based years).
  int64_t y = year - (month <= 2 ? 1 : 0);
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t mp = (month + 9) % 12;
  int64_t doy = (153 * mp + 2) / 5 + day - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::from_days(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  int y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
  return Date{y, m, d};
}

std::optional<Date> parse_date(std::string_view text) {
  // date-day "-" date-month "-" date-year, date-day = 1*2DIGIT
  size_t a = text.find('-');
  if (a == std::string_view::npos || a == 0 || a > 2) return std::nullopt;
  size_t b = text.find('-', a + 1);
  if (b != a + 4) return std::nullopt;
  return make_date(text.substr(0, a), text.substr(a + 1, 3), text.substr(b + 1));
}

std::optional<int64_t> parse_date_time(std::string_view text) {
  // date-day-fixed "-" date-month "-" date-year SP time SP zone
  // "dd-Mon-yyyy hh:mm:ss +zzzz" = 26 characters; the day may be " 7".
  if (text.size() != 26) return std::nullopt;
  std::string_view day = text.substr(0, 2);
  if (day[0] == ' ') day.remove_prefix(1);
  if (text[2] != '-' || text[6] != '-' || text[11] != ' ' || text[14] != ':' || text[17] != ':' ||
      text[20] != ' ')
    return std::nullopt;
  auto date = make_date(day, text.substr(3, 3), text.substr(7, 4));
  auto hh = digits(text.substr(12, 2));
  auto mm = digits(text.substr(15, 2));
  auto ss = digits(text.substr(18, 2));
  char sign = text[21];
  auto zh = digits(text.substr(22, 2));
  auto zm = digits(text.substr(24, 2));
  if (!date || !hh || !mm || !ss || !zh || !zm || (sign != '+' && sign != '-')) return std::nullopt;
  if (*hh > 23 || *mm > 59 || *ss > 60 || *zm > 59) return std::nullopt;
  int64_t zone = (*zh * 60 + *zm) * 60;
  int64_t local = date->days() * 86400 + *hh * 3600 + *mm * 60 + *ss;
  return sign == '+' ? local - zone : local + zone;
}

Date date_of(int64_t unix_seconds, int zone_minutes) {
  int64_t local = unix_seconds + static_cast<int64_t>(zone_minutes) * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  return Date::from_days(days);
}

std::string format_date_time(int64_t unix_seconds, int zone_minutes) {
  int64_t local = unix_seconds + static_cast<int64_t>(zone_minutes) * 60;
  int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  int64_t secs = local - days * 86400;
  Date d = Date::from_days(days);
  int zone = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%2d-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day, kMonths[d.month - 1], d.year,
                static_cast<int>(secs / 3600), static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60),
                zone_minutes < 0 ? '-' : '+', zone / 60, zone % 60);
  return buf;
}

std::string format_date(const Date& date) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%d-%s-%04d", date.day, kMonths[(date.month - 1) % 12], date.year);
  return buf;
}

}  // namespace postern::imap
