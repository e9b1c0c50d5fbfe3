// IMAP quoted strings and literals.
#include "lib/mime/imap_string.hpp"

#include <catch2/catch.hpp>

using namespace postern::mime;

TEST_CASE("quoted when safe, literal otherwise", "[mime]") {
  CHECK(imap_string("abc") == "\"abc\"");
  CHECK(imap_string("") == "\"\"");
  CHECK(imap_string("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(imap_string("caf\xc3\xa9") == "{5}\r\ncaf\xc3\xa9");
  CHECK(imap_string("a\r\nb") == "{4}\r\na\r\nb");
  CHECK(imap_string("a\nb") == "{3}\r\na\nb");
  CHECK(imap_string(std::string("a\0b", 3)) == "{3}\r\na b");
  CHECK(imap_string(std::string(2000, 'x')).substr(0, 8) == "{2000}\r\n");
  CHECK(imap_nstring(std::nullopt) == "NIL");
  CHECK(imap_nstring(std::string_view("NIL")) == "\"NIL\"");
}
