// The smtp agent's server list (smtp/destinations.cpp) against a dnsmasq this
// test starts on a free loopback port: inet_protocols and
// smtp_address_preference order the addresses among equal MX preferences.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "smtp/destinations.hpp"

using namespace postern;
using namespace postern::smtp;

namespace {

int free_udp_port() {
  int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&in), sizeof in);
  socklen_t len = sizeof in;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&in), &len);
  ::close(fd);
  return ntohs(in.sin_port);
}

// dnsmasq in the foreground as a child, serving pref.test: two MX hosts at
// preference 10 and a backup at 20, each with an IPv4 and an IPv6 address.
class Dnsmasq {
 public:
  Dnsmasq() : port_(free_udp_port()) {
    if (::access("/usr/sbin/dnsmasq", X_OK) != 0) return;
    std::vector<std::string> args = {
        "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
        "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + std::to_string(port_), "--local=/test/",
        "--pid-file=", "--mx-host=pref.test,mx1.pref.test,10", "--mx-host=pref.test,mx2.pref.test,10",
        "--mx-host=pref.test,backup.pref.test,20", "--host-record=mx1.pref.test,192.0.2.1,2001:db8::1",
        "--host-record=mx2.pref.test,192.0.2.2,2001:db8::2", "--host-record=backup.pref.test,192.0.2.3,2001:db8::3"};
    if (::geteuid() == 0) args.push_back("--user=root");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/usr/sbin/dnsmasq", argv.data());
      ::_exit(127);
    }
    dns::BlockingResolver probe(config());
    for (int i = 0; i < 50 && probe.a("mx1.pref.test").status == dns::DnsStatus::TempFail; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool running() const { return pid_ > 0; }
  dns::ResolverConfig config() const {
    dns::ResolverConfig c;
    c.servers = {"127.0.0.1:" + std::to_string(port_)};
    c.timeout_seconds = 1;
    c.tries = 2;
    return c;
  }

 private:
  int port_;
  pid_t pid_ = -1;
};

std::vector<std::string> addresses(const DestinationPlan& plan) {
  std::vector<std::string> out;
  for (const auto& c : plan.candidates) out.push_back(c.address);
  return out;
}

bool v6(const std::string& a) { return a.find(':') != std::string::npos; }

}  // namespace

TEST_CASE("address preference and inet_protocols order the servers", "[smtp_agent]") {
  Dnsmasq dns;
  REQUIRE(dns.running());  // scripts/packages/dns.txt installs dnsmasq
  dns::BlockingResolver resolver(dns.config());
  std::mt19937 random(7);
  auto hop = parse_next_hop("pref.test", 25);
  REQUIRE(hop);

  SECTION("ipv6 first among equal preferences, the backup MX last") {
    auto plan = plan_destinations(*hop, resolver, random, {true, true, "ipv6"});
    REQUIRE(plan.status == DestinationPlan::Status::ok);
    auto a = addresses(plan);
    REQUIRE(a.size() == 6);
    CHECK((v6(a[0]) && v6(a[1]) && !v6(a[2]) && !v6(a[3])));
    CHECK(a[4] == "2001:db8::3");
    CHECK(a[5] == "192.0.2.3");
  }
  SECTION("ipv4 first") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, true, "ipv4"}));
    REQUIRE(a.size() == 6);
    CHECK((!v6(a[0]) && !v6(a[1]) && v6(a[2]) && v6(a[3])));
    CHECK(a[4] == "192.0.2.3");
    CHECK(a[5] == "2001:db8::3");
  }
  SECTION("any: both families of the first preference before the backup") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, true, "any"}));
    REQUIRE(a.size() == 6);
    std::vector<std::string> first(a.begin(), a.begin() + 4);
    std::sort(first.begin(), first.end());
    CHECK(first == std::vector<std::string>{"192.0.2.1", "192.0.2.2", "2001:db8::1", "2001:db8::2"});
  }
  SECTION("inet_protocols = ipv4 looks up no AAAA") {
    auto a = addresses(plan_destinations(*hop, resolver, random, {true, false, "ipv6"}));
    REQUIRE(a.size() == 3);
    for (const auto& address : a) CHECK(!v6(address));
    CHECK(a[2] == "192.0.2.3");
  }
}
