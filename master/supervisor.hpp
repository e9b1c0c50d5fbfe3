// Supervisor: master's event loop. Owns every listener, forks service
// processes on demand up to maxproc, reads their busy/idle reports, restarts
// what dies (throttling a service whose processes die at start-up), wakes up
// timer-driven services, reloads on SIGHUP and stops on SIGTERM.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lib/config/config.hpp"
#include "lib/config/master_cf.hpp"
#include "lib/net/event_loop.hpp"
#include "lib/net/watcher.hpp"
#include "master/listeners.hpp"
#include "master/service_spec.hpp"

namespace postern::master {

class Supervisor {
 public:
  Supervisor(config::Config config, config::MasterCf master_cf);
  ~Supervisor();

  // Opens every listener; an error (port in use, bad address) is fatal to
  // start-up and returned as such.
  Status start();
  // Runs until SIGTERM/SIGINT (orderly) or SIGQUIT (abort); returns the exit status.
  int run();

 private:
  struct Service;
  struct Child;

  Status install_services(const ServicePlan& plan, std::map<std::string, std::unique_ptr<Service>> reusable);
  void update_listening(Service& service);
  void spawn(Service& service);
  void on_status(Child& child);
  void reap_children();
  void on_child_exit(pid_t pid, int wait_status);
  void throttle(Service& service);
  void wakeup(Service& service);
  void reload();
  void shutdown(int signo, bool abort);

  config::Config config_;
  config::MasterCf master_cf_;
  net::EventLoop loop_;
  int generation_ = 1;
  bool stopping_ = false;
  std::map<std::string, std::unique_ptr<Service>> services_;
  std::map<pid_t, std::unique_ptr<Child>> children_;
  std::vector<net::Watcher> signal_watchers_;
};

}  // namespace postern::master
