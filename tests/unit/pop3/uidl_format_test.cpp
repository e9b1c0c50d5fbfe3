// pop3_uidl_format expansion, Dovecot's variables and modifiers.
#include <catch2/catch.hpp>

#include "lib/pop3/uidl_format.hpp"

using postern::pop3::format_uidl;
using postern::pop3::uidl_format_uses;
using postern::pop3::UidlVars;

TEST_CASE("Dovecot's default %08Xu%08Xv", "[pop3][uidl]") {
  UidlVars v;
  v.uid = 0x1a;
  v.uidvalidity = 1700000000;
  CHECK(format_uidl("%08Xu%08Xv", v) == "0000001A6553F100");
  CHECK(format_uidl("%u.%v", v) == "26.1700000000");
  CHECK(format_uidl("%xu", v) == "1a");
}

TEST_CASE("file name, md5 and guid variables", "[pop3][uidl]") {
  UidlVars v;
  v.filename = "1700000000.M1P2.host";
  v.md5 = "D41D8CD98F00B204E9800998ECF8427E";
  v.guid = "1700000000.M1P2.host";
  CHECK(format_uidl("%f", v) == "1700000000.M1P2.host");
  CHECK(format_uidl("%Lm", v) == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK(format_uidl("%g-%%", v) == "1700000000.M1P2.host-%");
}

TEST_CASE("an unknown value or variable gives no UIDL rather than a wrong one", "[pop3][uidl]") {
  UidlVars v;
  v.filename = "x";
  CHECK_FALSE(format_uidl("%08Xu%08Xv", v));  // no IMAP UID known
  CHECK_FALSE(format_uidl("%q", v));
  CHECK_FALSE(format_uidl("%", v));
  CHECK_FALSE(format_uidl("", v));
}

TEST_CASE("which variables a format uses", "[pop3][uidl]") {
  CHECK(uidl_format_uses("%08Xu%08Xv", 'u'));
  CHECK(uidl_format_uses("%08Xu%08Xv", 'v'));
  CHECK_FALSE(uidl_format_uses("%08Xu%08Xv", 'm'));
  CHECK(uidl_format_uses("%Lm", 'm'));
  CHECK_FALSE(uidl_format_uses("100%%m", 'm'));
}
