// master.cf parser: columns, defaults, -o forms and errors.
#include <catch2/catch.hpp>

#include "lib/config/config_error.hpp"
#include "lib/config/master_cf.hpp"

using postern::config::ConfigError;
using postern::config::MasterCf;
using postern::config::MasterEntry;

TEST_CASE("master.cf: every column and the '-' defaults", "[master_cf]") {
  MasterCf cf = MasterCf::parse(
      "# comment\n"
      "smtp      inet  n       -       y       -       -       smtpd\n"
      "pickup    unix  n       -       y       60      1       pickup\n"
      "tlsmgr    unix  -       -       y       1000?   1       tlsmgr\n"
      "local     unix  -       n       n       -       0       local -v\n"
      "postlog   unix-dgram n  -       n       -       1       postlogd\n",
      "/x/master.cf");
  REQUIRE(cf.entries().size() == 5);
  const MasterEntry& smtp = cf.entries()[0];
  CHECK(smtp.service == "smtp");
  CHECK(smtp.type == "inet");
  CHECK_FALSE(smtp.private_service);
  CHECK(smtp.unprivileged);
  CHECK(smtp.chroot);
  CHECK(smtp.wakeup_seconds == 0);
  CHECK_FALSE(smtp.wakeup_if_used);
  CHECK_FALSE(smtp.maxproc.has_value());
  CHECK(smtp.command == "smtpd");
  CHECK(smtp.args.empty());
  CHECK(smtp.line == 2);
  CHECK(smtp.raw_columns == std::vector<std::string>{"smtp", "inet", "n", "-", "y", "-", "-"});

  const MasterEntry* pickup = cf.find("pickup", "unix");
  REQUIRE(pickup);
  CHECK(pickup->wakeup_seconds == 60);
  CHECK(pickup->maxproc == 1);

  const MasterEntry* tlsmgr = cf.find("tlsmgr", "unix");
  REQUIRE(tlsmgr);
  CHECK(tlsmgr->private_service);
  CHECK(tlsmgr->wakeup_seconds == 1000);
  CHECK(tlsmgr->wakeup_if_used);

  const MasterEntry* local = cf.find("local", "unix");
  REQUIRE(local);
  CHECK_FALSE(local->unprivileged);
  CHECK_FALSE(local->chroot);
  CHECK(local->maxproc == 0);
  CHECK(local->args == std::vector<std::string>{"-v"});
  CHECK(cf.find("postlog", "unix-dgram"));
  CHECK_FALSE(cf.find("smtp", "unix"));
}

TEST_CASE("master.cf: -o forms and continuation lines", "[master_cf]") {
  MasterCf cf = MasterCf::parse(
      "submission inet n - y - - smtpd\n"
      "  -o syslog_name=postfix/submission\n"
      "# a comment between continuation lines\n"
      "  -o smtpd_tls_security_level=encrypt -o\n"
      "  smtpd_sasl_auth_enable=yes\n"
      "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
      "  -o {smtpd_tls_wrappermode=yes}\n"
      "  -o empty=\n"
      "relay unix - - y - - smtp -o syslog_name=postfix/$service_name flags=x\n",
      "/x/master.cf");
  const MasterEntry* sub = cf.find("submission", "inet");
  REQUIRE(sub);
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  CHECK(sub->overrides == Pairs{{"syslog_name", "postfix/submission"},
                                {"smtpd_tls_security_level", "encrypt"},
                                {"smtpd_sasl_auth_enable", "yes"},
                                {"smtpd_client_restrictions", "permit_sasl_authenticated, reject"},
                                {"smtpd_tls_wrappermode", "yes"},
                                {"empty", ""}});
  CHECK(sub->args.empty());
  CHECK(sub->print_args[7] == "{smtpd_client_restrictions=permit_sasl_authenticated, reject}");
  CHECK(sub->print_args[9] == "smtpd_tls_wrappermode=yes");
  const MasterEntry* relay = cf.find("relay", "unix");
  REQUIRE(relay);
  CHECK(relay->overrides == Pairs{{"syslog_name", "postfix/$service_name"}});
  CHECK(relay->args == std::vector<std::string>{"flags=x"});
  CHECK(relay->print_args ==
        std::vector<std::string>{"-o", "syslog_name=postfix/$service_name", "flags=x"});
}

TEST_CASE("master.cf: errors name file and line", "[master_cf]") {
  struct Bad {
    const char* name;
    const char* text;
    int line;
    const char* message;
  };
  const std::vector<Bad> cases = {
      {"too few fields", "# c\nsmtp inet n - y - -\n", 2, "bad field count"},
      {"bad type", "smtp inetx n - y - - smtpd\n", 1, "invalid type field \"inetx\""},
      {"bad private", "smtp inet q - y - - smtpd\n", 1, "invalid private field \"q\""},
      {"bad unpriv", "smtp inet n yes y - - smtpd\n", 1, "invalid unprivileged field \"yes\""},
      {"bad chroot", "smtp inet n - Y - - smtpd\n", 1, "invalid chroot field \"Y\""},
      {"bad wakeup", "smtp inet n - y x - smtpd\n", 1, "invalid wakeup field \"x\""},
      {"bad wakeup ?", "smtp inet n - y ? - smtpd\n", 1, "invalid wakeup field \"?\""},
      {"negative wakeup", "smtp inet n - y -5 - smtpd\n", 1, "invalid wakeup field \"-5\""},
      {"bad maxproc", "smtp inet n - y - 1x smtpd\n", 1, "invalid process_limit field \"1x\""},
      {"huge maxproc", "smtp inet n - y - 99999999999 smtpd\n", 1,
       "invalid process_limit field \"99999999999\""},
      {"duplicate", "smtp inet n - y - - smtpd\n\nsmtp  inet n - y - - smtpd\n", 3,
       "duplicate service name/type \"smtp/inet\" (first defined at line 1)"},
      {"-o without value", "smtp inet n - y - - smtpd -o\n", 1, "missing argument after -o"},
      {"-o without =", "smtp inet n - y - - smtpd -o foo\n", 1,
       "missing '=' after attribute name: \"foo\""},
      {"-o unclosed brace", "smtp inet n - y - - smtpd\n  -o { a = b\n", 1, "missing '}' in \"{ a = b\""},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      try {
        (void)MasterCf::parse(c.text, "/x/master.cf");
        FAIL("no error");
      } catch (const ConfigError& e) {
        CHECK(e.line() == c.line);
        CHECK(std::string(e.what()) ==
              "/x/master.cf, line " + std::to_string(c.line) + ": " + c.message);
      }
    }
  }
}

TEST_CASE("master.cf: the same service with two types is fine", "[master_cf]") {
  MasterCf cf = MasterCf::parse("smtp inet n - y - - smtpd\nsmtp unix - - y - - smtp\n", "m");
  CHECK(cf.entries().size() == 2);
}

TEST_CASE("master.cf: garbage never crashes", "[master_cf]") {
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary += static_cast<char>((i * 37 + 11) & 0xff);
  try {
    (void)MasterCf::parse(binary, "m");
  } catch (const ConfigError&) {
  }
  std::string nul("smtp inet n - y - - smtpd\0 -o x\n", 33);
  CHECK(MasterCf::parse(nul, "m").entries().size() == 1);
  CHECK_NOTHROW(MasterCf::parse("smtp inet n - y - - " + std::string(1 << 20, 'x') + "\n", "m"));
}
