// lib/dns against a real DNS server: a dnsmasq this test starts on a free
// loopback port, serving records for names under .test. Both faces.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "lib/dns/resolver.hpp"
#include "lib/net/event_loop.hpp"

using namespace postern::dns;

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

// dnsmasq in the foreground as a child; killed by the destructor.
class Dnsmasq {
 public:
  Dnsmasq() : port_(free_udp_port()) {
    if (::access("/usr/sbin/dnsmasq", X_OK) != 0) return;
    std::vector<std::string> args = {
        "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
        "--bind-interfaces", "--listen-address=127.0.0.1", "--port=" + std::to_string(port_), "--local=/test/",
        "--pid-file=", "--mx-host=multi.test,mx-b.multi.test,20", "--mx-host=multi.test,mx-a.multi.test,10",
        "--dns-rr=null.test,15,000000", "--host-record=mx-a.multi.test,192.0.2.1",
        "--host-record=host.test,192.0.2.7,2001:db8::7", "--host-record=v4only.test,192.0.2.8",
        "--txt-record=txt.test,v=spf1 -all", "--ptr-record=9.2.0.192.in-addr.arpa,ptr-name.test"};
    if (::geteuid() == 0) args.push_back("--user=root");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/usr/sbin/dnsmasq", argv.data());
      ::_exit(127);
    }
    // Ready when it answers (bounded wait).
    ResolverConfig config;
    config.servers = {server()};
    config.timeout_seconds = 0.2;
    config.tries = 1;
    BlockingResolver probe(config);
    for (int i = 0; i < 50 && probe.a("v4only.test").status == DnsStatus::TempFail; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  bool running() const { return pid_ > 0; }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  pid_t pid_ = -1;
};

ResolverConfig config_for(const Dnsmasq& dns) {
  ResolverConfig c;
  c.servers = {dns.server()};
  c.timeout_seconds = 1;
  c.tries = 2;
  return c;
}

}  // namespace

TEST_CASE("blocking resolver against dnsmasq", "[dns]") {
  Dnsmasq dns;
  REQUIRE(dns.running());  // scripts/packages/dns.txt installs dnsmasq
  BlockingResolver r(config_for(dns));

  SECTION("MX records with preferences") {
    auto mx = r.mx("multi.test");
    REQUIRE(mx.found());
    REQUIRE(mx.records.size() == 2);
    std::sort(mx.records.begin(), mx.records.end(),
              [](const MxRecord& a, const MxRecord& b) { return a.preference < b.preference; });
    CHECK(mx.records[0].host == "mx-a.multi.test");
    CHECK(mx.records[0].preference == 10);
    CHECK(mx.records[1].host == "mx-b.multi.test");
    CHECK_FALSE(is_null_mx(mx));
  }
  SECTION("null MX") {
    auto mx = r.mx("null.test");
    REQUIRE(mx.found());
    CHECK(is_null_mx(mx));
  }
  SECTION("no MX but an address: no data, not 'not found'") {
    auto mx = r.mx("v4only.test");
    CHECK(mx.status == DnsStatus::NoData);
    CHECK_FALSE(mx.error.empty());
  }
  SECTION("a name that does not exist") {
    auto mx = r.mx("nosuch.test");
    CHECK(mx.status == DnsStatus::NotFound);
    CHECK(mx.error.find("nosuch.test") != std::string::npos);
  }
  SECTION("A and AAAA") {
    auto a = r.a("host.test");
    REQUIRE(a.found());
    CHECK(a.records == std::vector<std::string>{"192.0.2.7"});
    auto aaaa = r.aaaa("host.test");
    REQUIRE(aaaa.found());
    CHECK(aaaa.records == std::vector<std::string>{"2001:db8::7"});
    CHECK(r.aaaa("v4only.test").status == DnsStatus::NoData);
  }
  SECTION("TXT and PTR") {
    auto txt = r.txt("txt.test");
    REQUIRE(txt.found());
    CHECK(txt.records == std::vector<std::string>{"v=spf1 -all"});
    auto ptr = r.ptr("192.0.2.9");
    REQUIRE(ptr.found());
    CHECK(ptr.records.front() == "ptr-name.test");
    CHECK(r.ptr("not-an-address").status == DnsStatus::NotFound);
  }
}

TEST_CASE("a server that does not answer is a temporary failure", "[dns]") {
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(free_udp_port())};  // nothing listens
  c.timeout_seconds = 0.2;
  c.tries = 1;
  BlockingResolver r(c);
  auto mx = r.mx("example.test");
  CHECK(mx.status == DnsStatus::TempFail);
}

TEST_CASE("event-loop resolver answers through callbacks", "[dns]") {
  Dnsmasq dns;
  REQUIRE(dns.running());
  postern::net::EventLoop loop;
  Resolver r(loop, config_for(dns));
  int answers = 0;
  MxAnswer mx;
  TextAnswer a, missing;
  bool inside_call = true;
  r.lookup_mx("multi.test", [&](MxAnswer got) {
    CHECK_FALSE(inside_call);  // never called from inside lookup_*()
    mx = std::move(got);
    ++answers;
  });
  r.lookup_a("host.test", [&](TextAnswer got) {
    a = std::move(got);
    ++answers;
  });
  r.lookup_a("nosuch.test", [&](TextAnswer got) {
    missing = std::move(got);
    ++answers;
  });
  inside_call = false;
  REQUIRE(loop.run());
  CHECK(answers == 3);
  CHECK(mx.found());
  CHECK(mx.records.size() == 2);
  REQUIRE(a.found());
  CHECK(a.records.front() == "192.0.2.7");
  CHECK(missing.status == DnsStatus::NotFound);
}

TEST_CASE("destroying the resolver drops pending callbacks", "[dns]") {
  postern::net::EventLoop loop;
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(free_udp_port())};
  c.timeout_seconds = 5;
  bool called = false;
  {
    Resolver r(loop, c);
    r.lookup_mx("example.test", [&](MxAnswer) { called = true; });
  }
  loop.run();
  CHECK_FALSE(called);
}

TEST_CASE("host names and addresses: DNS when the hosts file does not list them", "[dns]") {
  Dnsmasq dns;
  REQUIRE(dns.running());
  postern::net::EventLoop loop;
  Resolver r(loop, config_for(dns));
  TextAnswer names, v4, v6, none;
  bool inside_call = true;
  r.lookup_host_names("192.0.2.9", [&](TextAnswer got) {
    CHECK_FALSE(inside_call);
    names = std::move(got);
  });
  r.lookup_host_addresses("host.test", false, [&](TextAnswer got) { v4 = std::move(got); });
  r.lookup_host_addresses("host.test", true, [&](TextAnswer got) { v6 = std::move(got); });
  r.lookup_host_names("192.0.2.10", [&](TextAnswer got) { none = std::move(got); });
  inside_call = false;
  REQUIRE(loop.run());
  REQUIRE(names.found());
  CHECK(names.records.front() == "ptr-name.test");
  CHECK(v4.records == std::vector<std::string>{"192.0.2.7"});
  CHECK(v6.records == std::vector<std::string>{"2001:db8::7"});
  CHECK_FALSE(none.found());  // dnsmasq does not serve 2.0.192.in-addr.arpa: refused or not found
}

TEST_CASE("host names from the hosts file need no DNS server", "[dns]") {
  // Most systems name 127.0.0.1 in /etc/hosts; the answer must then come
  // without a query (the only server here refuses everything).
  std::ifstream hosts("/etc/hosts");
  bool listed = false;
  for (std::string line; std::getline(hosts, line);)
    if (line.starts_with("127.0.0.1") && line.find_first_not_of(" \t", 9) != std::string::npos) listed = true;
  postern::net::EventLoop loop;
  ResolverConfig c;
  c.servers = {"127.0.0.1:" + std::to_string(free_udp_port())};
  c.timeout_seconds = 0.2;
  c.tries = 1;
  Resolver r(loop, c);
  TextAnswer names, addresses;
  r.lookup_host_names("127.0.0.1", [&](TextAnswer got) { names = std::move(got); });
  loop.run();
  CHECK(names.found() == listed);
  if (!listed) return;
  r.lookup_host_addresses(names.records.front(), false, [&](TextAnswer got) { addresses = std::move(got); });
  loop.run();
  REQUIRE(addresses.found());
  CHECK(std::find(addresses.records.begin(), addresses.records.end(), "127.0.0.1") != addresses.records.end());
}
