// sendmail's options, message reading and -t address extraction.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "sendmail/message.hpp"
#include "sendmail/options.hpp"

using namespace postern::sendmail;

namespace {

ParseResult parse(std::vector<std::string> args, const std::string& program = "sendmail") {
  args.insert(args.begin(), program);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_options(program, static_cast<int>(args.size()), argv.data());
}

std::string read_through_pipe(const std::string& input, bool ignore_dots, std::uint64_t limit = 0,
                              bool* failed = nullptr) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  REQUIRE(::write(fds[1], input.data(), input.size()) == ssize_t(input.size()));
  ::close(fds[1]);
  auto r = read_message(fds[0], ignore_dots, limit);
  ::close(fds[0]);
  if (failed) *failed = !r.ok();
  return r.ok() ? *r : r.error().message;
}

}  // namespace

TEST_CASE("sendmail options as people use them", "[sendmail][options]") {
  auto r = parse(
      {"-t", "-i", "-f", "<a@x>", "-F", "Alice", "-N", "success,delay", "-R", "hdrs", "-c", "/etc/p", "b@y"});
  REQUIRE(r.error.empty());
  CHECK(r.options.mode == Mode::deliver);
  CHECK(r.options.extract_recipients);
  CHECK(r.options.ignore_dots);
  CHECK(*r.options.sender == "a@x");
  CHECK(r.options.full_name == "Alice");
  CHECK(r.options.notify == (2 | 8));
  CHECK(r.options.ret == "HDRS");
  CHECK(r.options.config_dir == "/etc/p");
  CHECK(r.options.recipients == std::vector<std::string>{"b@y"});

  CHECK(parse({"-oi", "x@y"}).options.ignore_dots);
  CHECK(*parse({"-r", "<>", "x@y"}).options.sender == "");
  CHECK(parse({"-C", "/etc/alt/main.cf"}).options.config_dir == "/etc/alt");
  CHECK(parse({"-bs"}).options.mode == Mode::smtp_stdin);
  CHECK(parse({"-bp"}).options.mode == Mode::list_queue);
  CHECK(parse({"-bi"}).options.mode == Mode::new_aliases);
  CHECK(parse({"-q"}).options.mode == Mode::flush_queue);
  CHECK(parse({"-qRexample.com"}).options.flush_site == "example.com");
  CHECK(parse({"-q15m"}).options.mode == Mode::daemon_noop);
  CHECK(parse({"-bd"}).options.mode == Mode::daemon_noop);
  CHECK(parse({}, "mailq").options.mode == Mode::list_queue);
  CHECK(parse({}, "newaliases").options.mode == Mode::new_aliases);
  CHECK(parse({"-oem", "-odi", "-U", "-x", "x@y"}).error.empty());  // ignored Sendmail options
  CHECK_FALSE(parse({"-N", "never,success"}).error.empty());
  CHECK_FALSE(parse({"-bz"}).error.empty());
  CHECK_FALSE(parse({"-K"}).error.empty());
}

TEST_CASE("message input: dots, line endings, size limit", "[sendmail][message]") {
  CHECK(read_through_pipe("a\nb\n.\nafter\n", false) == "a\r\nb\r\n");
  CHECK(read_through_pipe("a\r\n.\r\nafter\r\n", false) == "a\r\n");
  CHECK(read_through_pipe("a\n.\nafter\n", true) == "a\r\n.\r\nafter\r\n");
  CHECK(read_through_pipe("no newline at end", false) == "no newline at end\r\n");
  CHECK(read_through_pipe("..stuffed\n", false) == "..stuffed\r\n");  // not SMTP: no unstuffing
  bool failed = false;
  read_through_pipe(std::string(5000, 'x') + "\n", true, 1000, &failed);
  CHECK(failed);
}

TEST_CASE("address lists", "[sendmail][addresses]") {
  CHECK(parse_address_list("a@x") == std::vector<std::string>{"a@x"});
  CHECK(parse_address_list(" Bob <b@x>, c@y (Carol) ") == std::vector<std::string>{"b@x", "c@y"});
  CHECK(parse_address_list("\"Smith, J\" <j@x>") == std::vector<std::string>{"j@x"});
  CHECK(parse_address_list("team: a@x, b@y;, c@z") == std::vector<std::string>{"a@x", "b@y", "c@z"});
  CHECK(parse_address_list("undisclosed-recipients:;").empty());
  CHECK(parse_address_list("<@relay:u@x>") == std::vector<std::string>{"u@x"});
  CHECK(parse_address_list("\"quoted local\"@x") == std::vector<std::string>{"\"quoted local\"@x"});
}

TEST_CASE("-t takes To, Cc, Bcc, or the Resent- fields when present", "[sendmail][addresses]") {
  std::string m =
      "From: a@x\r\nTo: b@x,\r\n  c@x\r\nCc: d@x\r\nBcc: e@x\r\nSubject: To: nobody@x\r\n\r\nTo: body@x\r\n";
  CHECK(header_recipients(m) == std::vector<std::string>{"b@x", "c@x", "d@x", "e@x"});
  std::string resent = "To: b@x\r\nResent-To: r@x\r\nResent-Bcc: s@x\r\n\r\n";
  CHECK(header_recipients(resent) == std::vector<std::string>{"r@x", "s@x"});
  CHECK(header_recipients("To: b@x, b@x\r\n\r\n") == std::vector<std::string>{"b@x"});
  CHECK(header_recipients("Subject: none\r\n\r\n").empty());
}
