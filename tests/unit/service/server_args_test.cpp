// The argv contract between master and daemons (lib/service/master_proto.hpp).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "lib/service/server_args.hpp"

using namespace postern::service;

namespace {
postern::Result<ServerArgs> parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse_server_args(int(args.size()), argv.data());
}
}  // namespace

TEST_CASE("master's argv is parsed in full", "[server_args]") {
  auto r = parse({"/usr/libexec/postern/smtpd", "-n", "submission", "-t", "inet", "-c", "/etc/postfix", "-s", "2",
                  "-g", "7", "-u", "-z", "-o", "syslog_name=postfix/submission", "-o",
                  "smtpd_tls_security_level = encrypt", "--", "-v", "extra"});
  REQUIRE(r.ok());
  CHECK(r->program == "smtpd");
  CHECK(r->service == "submission");
  CHECK(r->type == "inet");
  CHECK(r->config_dir == "/etc/postfix");
  CHECK(r->listen_count == 2);
  CHECK(r->generation == 7);
  CHECK(r->unprivileged);
  CHECK(r->chroot);
  REQUIRE(r->overrides.size() == 2);
  CHECK(r->overrides[0] == std::pair<std::string, std::string>{"syslog_name", "postfix/submission"});
  CHECK(r->overrides[1] == std::pair<std::string, std::string>{"smtpd_tls_security_level", "encrypt"});
  CHECK(r->args == std::vector<std::string>{"-v", "extra"});
}

TEST_CASE("bad daemon arguments are errors, not crashes", "[server_args]") {
  struct Row {
    const char* name;
    std::vector<std::string> args;
    const char* message;
  };
  const Row rows[] = {
      {"missing value", {"smtpd", "-n"}, "requires a value"},
      {"bad count", {"smtpd", "-s", "many"}, "bad number"},
      {"negative count", {"smtpd", "-s", "-1"}, "bad number"},
      {"-o without =", {"smtpd", "-o", "novalue"}, "name=value"},
      {"-o with empty name", {"smtpd", "-o", "=x"}, "name=value"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto r = parse(row.args);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.find(row.message) != std::string::npos);
  }
}

TEST_CASE("defaults without master: the program name is the service", "[server_args]") {
  auto r = parse({"pickup", "-S"});
  REQUIRE(r.ok());
  CHECK(r->service == "pickup");
  CHECK(r->stand_alone);
  CHECK(r->listen_count == 0);
}
