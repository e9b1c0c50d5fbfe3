// A dnsmasq for tests that need a real DNS server: started in the foreground
// as a child on a free loopback UDP port, serving only the records it is
// given under .test, and killed by the destructor. scripts/packages/dns.txt
// installs dnsmasq; running() is false only where it is missing.
#pragma once

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "lib/base/unique_fd.hpp"
#include "lib/dns/resolver.hpp"

namespace postern::test {

// A loopback UDP port that was free a moment ago (also: a port where
// nothing answers, for timeout tests).
inline int free_udp_port() {
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM, 0));
  sockaddr_in in{};
  in.sin_family = AF_INET;
  in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd.get(), reinterpret_cast<sockaddr*>(&in), sizeof in);
  socklen_t len = sizeof in;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&in), &len);
  return ntohs(in.sin_port);
}

class Dnsmasq {
 public:
  // `records` are dnsmasq options (--mx-host=..., --host-record=...); the
  // constructor returns once `probe_name` has an A record, or after 5 s.
  // The port was free a moment ago; when another process took it meanwhile
  // (tests run in parallel) dnsmasq exits at once, and it starts again on
  // another port. An answer from that other process does not count: ours
  // must still be running a moment after the answer.
  Dnsmasq(const std::vector<std::string>& records, const std::string& probe_name) {
    if (::access("/usr/sbin/dnsmasq", X_OK) != 0) return;
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = free_udp_port();
      start(records);
      if (pid_ < 0) return;  // no fork
      dns::ResolverConfig quick = config();
      quick.timeout_seconds = 0.2;
      quick.tries = 1;
      dns::BlockingResolver probe(quick);
      for (int i = 0; i < 50 && !exited() && !probe.a(probe_name).found(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      exited();
    }
  }
  ~Dnsmasq() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Dnsmasq(const Dnsmasq&) = delete;
  Dnsmasq& operator=(const Dnsmasq&) = delete;

  bool running() const { return pid_ > 0; }
  std::string server() const { return "127.0.0.1:" + std::to_string(port_); }
  dns::ResolverConfig config() const {
    dns::ResolverConfig c;
    c.servers = {server()};
    c.timeout_seconds = 1;
    c.tries = 2;
    return c;
  }

 private:
  // True (and no process any more) when the child has exited.
  bool exited() {
    if (pid_ <= 0 || ::waitpid(pid_, nullptr, WNOHANG) != pid_) return false;
    pid_ = -1;
    return true;
  }

  void start(const std::vector<std::string>& records) {
    std::vector<std::string> args = {"dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv",
                                     "--no-hosts", "--bind-interfaces", "--listen-address=127.0.0.1",
                                     "--port=" + std::to_string(port_), "--local=/test/", "--pid-file="};
    args.insert(args.end(), records.begin(), records.end());
    if (::geteuid() == 0) args.push_back("--user=root");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv("/usr/sbin/dnsmasq", argv.data());
      ::_exit(127);
    }
  }

  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace postern::test
