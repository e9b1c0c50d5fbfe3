// Dates and date-times: parsing, validation, calendar arithmetic, output;
// and the response helpers.
#include <catch2/catch.hpp>

#include "lib/imap/date_time.hpp"
#include "lib/imap/response.hpp"

using namespace postern::imap;

TEST_CASE("dates", "[imap][date]") {
  CHECK(parse_date("1-Feb-1994") == Date{1994, 2, 1});
  CHECK(parse_date("01-feb-1994") == Date{1994, 2, 1});
  CHECK(parse_date("29-Feb-2000") == Date{2000, 2, 29});
  CHECK(parse_date("31-DEC-1999") == Date{1999, 12, 31});
  for (const char* bad : {"29-Feb-1900", "31-Apr-2020", "0-Jan-2020", "001-Jan-2020", "1-Jan-20", "1-January-2020",
                          "1 Jan 2020", "", "-Jan-2020", "1-Jan-2020x", "1-Jan-+202", "32-Jan-2020"}) {
    INFO(bad);
    CHECK_FALSE(parse_date(bad));
  }
  CHECK(Date{1970, 1, 1}.days() == 0);
  CHECK(Date{2000, 3, 1}.days() == 11017);
  CHECK(Date{1969, 12, 31}.days() == -1);
  for (int64_t d = -800000; d < 800000; d += 997) CHECK(Date::from_days(d).days() == d);
  CHECK(format_date(Date{1994, 2, 1}) == "1-Feb-1994");
}

TEST_CASE("date-times", "[imap][date]") {
  CHECK(parse_date_time("17-Jul-1996 02:44:25 -0700") == int64_t(837596665));
  CHECK(parse_date_time(" 7-Jul-1996 02:44:25 -0700") == int64_t(836732665));
  CHECK(parse_date_time("01-Jan-1970 00:00:00 +0000") == int64_t(0));
  CHECK(parse_date_time("01-Jan-1970 01:00:00 +0100") == int64_t(0));
  for (const char* bad : {"7-Jul-1996 02:44:25 -0700", "17-Jul-1996 02:44:25", "17-Jul-1996 24:00:00 +0000",
                          "17-Jul-1996 02:60:00 +0000", "17-Jul-1996 02:44:25 *0700", "17-Jul-1996 02:44:25 -07:0",
                          "17-Jul-1996T02:44:25 -0700", "17-Jul-1996 02:44:25 -0760"}) {
    INFO(bad);
    CHECK_FALSE(parse_date_time(bad));
  }
  CHECK(format_date_time(837596665, -7 * 60) == "17-Jul-1996 02:44:25 -0700");
  CHECK(format_date_time(836732665, -7 * 60) == " 7-Jul-1996 02:44:25 -0700");
  CHECK(format_date_time(0) == " 1-Jan-1970 00:00:00 +0000");
  CHECK(format_date_time(1700000000, 330) == "15-Nov-2023 03:43:20 +0530");
  CHECK(format_date_time(-1) == "31-Dec-1969 23:59:59 +0000");
  for (int64_t t : {int64_t(0), int64_t(951782400), int64_t(1700000000), int64_t(4102444799)})
    for (int zone : {-720, -420, 0, 60, 345, 840}) CHECK(parse_date_time(format_date_time(t, zone)) == t);
  CHECK(date_of(1700000000, 0) == Date{2023, 11, 14});
  CHECK(date_of(1700000000, 600) == Date{2023, 11, 15});
  CHECK(date_of(-1, 0) == Date{1969, 12, 31});
}

TEST_CASE("response helpers", "[imap][response]") {
  CHECK(status_response("a1", "OK", "APPENDUID 38505 3955", "APPEND completed") ==
        "a1 OK [APPENDUID 38505 3955] APPEND completed\r\n");
  CHECK(status_response("*", "BAD", "", "bad\r\nx") == "* BAD bad  x\r\n");
  CHECK(appenduid_code(38505, 3955) == "APPENDUID 38505 3955");
  CHECK(copyuid_code(38505, "304,319:320", "3956:3958") == "COPYUID 38505 304,319:320 3956:3958");
  CHECK(astring("INBOX") == "INBOX");
  CHECK(astring("[Gmail]/Sent") == "[Gmail]/Sent");
  CHECK(astring("Sent Items") == "\"Sent Items\"");
  CHECK(astring("") == "\"\"");
  CHECK(astring("NIL") == "\"NIL\"");
  CHECK(astring("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(astring("a%") == "\"a%\"");
  CHECK(astring("line\nbreak") == "{10}\r\nline\nbreak");
  CHECK(astring("\xc3\xa9") == "{2}\r\n\xc3\xa9");
}
