// RFC 5322 3.3 date-time, with the obsolete forms of 4.3 and the asctime()
// layout some old software writes. Pure.
#include "lib/mime/date.hpp"

#include <string>
#include <vector>

#include "lib/base/strings.hpp"

namespace postern::mime {

namespace {

struct Word {
  std::string_view text;
  bool number = false;
};

// Splits on white space, ',' and comments; keeps ':' inside time words.
std::vector<Word> words_of(std::string_view s) {
  std::vector<Word> out;
  size_t i = 0;
  while (i < s.size() && out.size() < 16) {
    char c = s[i];
    if (c == '(') {
      int depth = 0;
      while (i < s.size()) {
        char d = s[i++];
        if (d == '\\' && i < s.size())
          ++i;
        else if (d == '(')
          ++depth;
        else if (d == ')' && --depth == 0)
          break;
      }
      continue;
    }
    if (is_space(c) || c == ',') {
      ++i;
      continue;
    }
    size_t start = i;
    // A zone sign after a time starts a new word ("12:00:00+0200").
    bool time_word = false;
    ++i;
    while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '(' && s[i] != '+' &&
           !(s[i] == '-' && time_word)) {
      time_word |= s[i] == ':';
      ++i;
    }
    Word w{s.substr(start, i - start)};
    w.number = true;
    for (char d : w.text)
      if (d < '0' || d > '9') w.number = false;
    out.push_back(w);
  }
  return out;
}

int month_of(std::string_view w) {
  static constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                                 "jul", "aug", "sep", "oct", "nov", "dec"};
  if (w.size() < 3) return 0;
  for (int i = 0; i < 12; ++i)
    if (istarts_with(w, kMonths[i])) return i + 1;
  return 0;
}

bool is_weekday(std::string_view w) {
  static constexpr std::string_view kDays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  if (w.size() < 3) return false;
  for (auto d : kDays)
    if (istarts_with(w, d)) return true;
  return false;
}

std::optional<int> number(std::string_view w) {
  if (w.empty() || w.size() > 9) return std::nullopt;
  int v = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

bool parse_time(std::string_view w, DateTime& dt) {
  size_t c1 = w.find(':');
  if (c1 == std::string_view::npos) return false;
  size_t c2 = w.find(':', c1 + 1);
  auto h = number(w.substr(0, c1));
  auto m = number(w.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1));
  std::optional<int> s = 0;
  if (c2 != std::string_view::npos) s = number(w.substr(c2 + 1));
  if (!h || !m || !s || *h > 23 || *m > 59 || *s > 60) return false;
  dt.hour = *h;
  dt.minute = *m;
  dt.second = *s;
  return true;
}

// "+hhmm", "-hhmm", or an obsolete name; unknown names mean -0000 (RFC 5322 4.3).
bool parse_zone(std::string_view w, DateTime& dt) {
  if (w[0] == '+' || w[0] == '-') {
    auto v = w.size() == 5 ? number(w.substr(1)) : std::nullopt;
    if (!v || *v % 100 > 59) return false;
    int minutes = (*v / 100) * 60 + *v % 100;
    dt.zone_minutes = w[0] == '-' ? -minutes : minutes;
    return true;
  }
  struct Named {
    std::string_view name;
    int hours;
  };
  static constexpr Named kZones[] = {{"ut", 0},   {"utc", 0},  {"gmt", 0},  {"z", 0},
                                     {"est", -5}, {"edt", -4}, {"cst", -6}, {"cdt", -5},
                                     {"mst", -7}, {"mdt", -6}, {"pst", -8}, {"pdt", -7}};
  for (const auto& z : kZones) {
    if (iequals(w, z.name)) {
      dt.zone_minutes = z.hours * 60;
      return true;
    }
  }
  dt.zone_minutes = 0;
  return true;
}

int full_year(std::string_view w, int y) {
  if (w.size() == 2) return y < 50 ? 2000 + y : 1900 + y;  // RFC 5322 4.3
  if (w.size() == 3) return 1900 + y;
  return y;
}

}  // namespace

int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<DateTime> parse_rfc5322_datetime(std::string_view value) {
  auto words = words_of(value);
  size_t i = 0;
  if (i < words.size() && is_weekday(words[i].text) && !words[i].number) ++i;
  DateTime dt;
  std::string_view year_word;
  if (i + 2 < words.size() && words[i].number && month_of(words[i + 1].text)) {
    // day month year time [zone]
    dt.day = *number(words[i].text);
    dt.month = month_of(words[i + 1].text);
    year_word = words[i + 2].text;
    i += 3;
    if (i >= words.size() || !parse_time(words[i].text, dt)) return std::nullopt;
    ++i;
  } else if (i + 3 < words.size() && month_of(words[i].text) && words[i + 1].number) {
    // asctime: month day time year [zone]
    dt.month = month_of(words[i].text);
    dt.day = *number(words[i + 1].text);
    if (!parse_time(words[i + 2].text, dt)) return std::nullopt;
    year_word = words[i + 3].text;
    i += 4;
  } else {
    return std::nullopt;
  }
  auto year = number(year_word);
  if (!year || year_word.size() < 2 || year_word.size() > 4) return std::nullopt;
  dt.year = full_year(year_word, *year);
  if (dt.day < 1 || dt.day > 31) return std::nullopt;
  if (i < words.size() && !parse_zone(words[i].text, dt)) return std::nullopt;
  dt.epoch = days_from_civil(dt.year, dt.month, dt.day) * 86400 + dt.hour * 3600 + dt.minute * 60 +
             dt.second - int64_t(dt.zone_minutes) * 60;
  return dt;
}

std::optional<int64_t> parse_rfc5322_date(std::string_view value) {
  auto dt = parse_rfc5322_datetime(value);
  if (!dt) return std::nullopt;
  return dt->epoch;
}

}  // namespace postern::mime
