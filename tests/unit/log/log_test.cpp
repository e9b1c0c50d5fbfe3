// Log lines keep Postfix's layout, which log parsers (pflogsumm, fail2ban) read.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "lib/base/file_io.hpp"
#include "lib/log/log.hpp"

using namespace postern;

TEST_CASE("severity prefixes are Postfix's", "[log]") {
  CHECK(log::format_body(log::Level::info, "connect from x") == "connect from x");
  CHECK(log::format_body(log::Level::warning, "w") == "warning: w");
  CHECK(log::format_body(log::Level::error, "e") == "error: e");
  CHECK(log::format_body(log::Level::fatal, "f") == "fatal: f");
  CHECK(log::format_body(log::Level::panic, "p") == "panic: p");
}

TEST_CASE("maillog_file lines have the syslog layout", "[log]") {
  char tmpl[] = "/tmp/postern-log-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  std::string file = std::string(tmpl) + "/maillog";
  std::vector<std::string> captured;
  log::configure({.tag = "postfix/smtpd", .file = file});
  log::set_capture([&](log::Level, std::string_view text) { captured.emplace_back(text); });
  log::info("connect from %s[%s]", "localhost", "127.0.0.1");
  log::warning("%d%% full", 95);
  log::set_capture(nullptr);
  log::configure({.tag = "test"});

  auto text = read_file(file);
  REQUIRE(text.ok());
  std::regex line(R"(^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ postfix/smtpd\[(\d+)\]: (.*)$)");
  auto nl = text->find('\n');
  std::string first = text->substr(0, nl);
  std::smatch m;
  REQUIRE(std::regex_match(first, m, line));
  CHECK(m[1] == std::to_string(::getpid()));
  CHECK(m[2] == "connect from localhost[127.0.0.1]");
  CHECK(text->find("postfix/smtpd[" + std::to_string(::getpid()) + "]: warning: 95% full\n") != std::string::npos);
  CHECK(captured == std::vector<std::string>{"connect from localhost[127.0.0.1]", "95% full"});
  std::system(("rm -rf " + std::string(tmpl)).c_str());
}

TEST_CASE("long messages are not truncated", "[log]") {
  std::string big(5000, 'x');
  std::string got;
  log::configure({.tag = "t"});
  log::set_capture([&](log::Level, std::string_view text) { got = text; });
  log::info("%s", big.c_str());
  log::set_capture(nullptr);
  CHECK(got == big);
}

TEST_CASE("write_as logs under another program of the suite, same pid", "[log]") {
  char tmpl[] = "/tmp/postern-log-XXXXXX";
  REQUIRE(::mkdtemp(tmpl));
  std::string file = std::string(tmpl) + "/maillog";
  log::configure({.tag = "postfix-submission/smtpd", .file = file});
  log::write_as("cleanup", log::Level::info, "4jXk: message-id=<a@b>");
  log::info("after");
  log::configure({.tag = "test"});
  auto text = read_file(file);
  REQUIRE(text.ok());
  const std::string pid = std::to_string(::getpid());
  // syslog_name's prefix stays; the program part changes for that line only.
  CHECK(text->find(" postfix-submission/cleanup[" + pid + "]: 4jXk: message-id=<a@b>\n") != std::string::npos);
  CHECK(text->find(" postfix-submission/smtpd[" + pid + "]: after\n") != std::string::npos);
  std::system(("rm -rf " + std::string(tmpl)).c_str());
}
