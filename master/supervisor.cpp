// Master's supervision loop. Runs in master (root on a real system).
#include "master/supervisor.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "lib/base/build_paths.hpp"
#include "lib/config/config_error.hpp"
#include "lib/log/log.hpp"
#include "lib/service/master_proto.hpp"
#include "master/dovecot_services.hpp"
#include "master/spawn.hpp"

namespace postern::master {

struct Supervisor::Service {
  ServiceSpec spec;
  OpenedListeners listeners;
  std::vector<net::Watcher> listen_watchers;
  int total = 0;      // live processes of this generation
  int available = 0;  // of those, ready for more clients
  bool throttled = false;
  bool used = false;
  net::Watcher throttle_timer;
  net::Watcher wakeup_timer;
};

struct Supervisor::Child {
  pid_t pid = -1;
  std::string path;
  Service* service = nullptr;  // nullptr once retired by a reload
  bool available = true;
  bool reported = false;  // sent at least one status record: start-up worked
  UniqueFd status;
  net::Watcher status_watcher;
  std::string pending;  // partial status record bytes
};

Supervisor::Supervisor(config::Config config, config::MasterCf master_cf)
    : config_(std::move(config)), master_cf_(std::move(master_cf)) {}

Supervisor::~Supervisor() = default;

Status Supervisor::start() {
  ServicePlan plan = plan_services(config_, master_cf_);
  for (const auto& note : plan.notes) log::info("%s", note.c_str());
  return install_services(plan, {});
}

Status Supervisor::install_services(const ServicePlan& plan,
                                    std::map<std::string, std::unique_ptr<Service>> reusable) {
  std::map<std::string, std::unique_ptr<Service>> fresh;
  for (const auto& spec : plan.run) {
    auto service = std::make_unique<Service>();
    service->spec = spec;
    auto identity = listener_identity(config_, spec);
    if (!identity) return Error{"service " + spec.key + ": " + identity.error().message};
    auto old = reusable.find(spec.key);
    if (old != reusable.end() && old->second->listeners.identity == *identity) {
      service->listeners = std::move(old->second->listeners);  // kept open across reload
    } else {
      auto opened = open_listeners(config_, spec);
      if (!opened) return Error{"service " + spec.key + ": " + opened.error().message};
      service->listeners = std::move(opened.value());
    }
    Service* raw = service.get();
    for (auto& fd : service->listeners.fds) {
      service->listen_watchers.push_back(net::Watcher::readable(loop_, fd.get(), [this, raw] {
        if (!raw->throttled && raw->available == 0 && (raw->spec.maxproc == 0 || raw->total < raw->spec.maxproc))
          spawn(*raw);
      }));
    }
    service->throttle_timer = net::Watcher::timer(loop_, [this, raw] {
      raw->throttled = false;
      update_listening(*raw);
    });
    if (spec.entry.wakeup_seconds > 0) {
      service->wakeup_timer = net::Watcher::timer(loop_, [this, raw] {
        wakeup(*raw);
        raw->wakeup_timer.arm(raw->spec.entry.wakeup_seconds);
      });
      service->wakeup_timer.arm(spec.entry.wakeup_seconds);
    }
    fresh[spec.key] = std::move(service);
  }
  services_ = std::move(fresh);
  for (auto& [key, service] : services_) update_listening(*service);
  return {};
}

// Master watches a listener only while the service has no process ready to
// take the next client; a ready process accepts it itself.
void Supervisor::update_listening(Service& service) {
  bool want = !stopping_ && !service.throttled && service.available == 0 &&
              (service.spec.maxproc == 0 || service.total < service.spec.maxproc);
  for (auto& w : service.listen_watchers) {
    if (want)
      w.enable();
    else
      w.disable();
  }
}

void Supervisor::spawn(Service& service) {
  std::vector<int> fds;
  for (auto& fd : service.listeners.fds) fds.push_back(fd.get());
  auto spawned = spawn_child(service.spec, fds, config_.config_dir(), generation_);
  if (!spawned) {
    log::warning("%s: %s", service.spec.path.c_str(), spawned.error().message.c_str());
    throttle(service);
    return;
  }
  auto child = std::make_unique<Child>();
  child->pid = spawned->pid;
  child->path = service.spec.path;
  child->service = &service;
  child->status = std::move(spawned->status);
  Child* raw = child.get();
  child->status_watcher = net::Watcher::readable(loop_, child->status.get(), [this, raw] { on_status(*raw); });
  child->status_watcher.enable();
  children_[child->pid] = std::move(child);
  service.total++;
  service.available++;
  service.used = true;
  update_listening(service);
}

void Supervisor::on_status(Child& child) {
  char buf[256];
  ssize_t n = ::read(child.status.get(), buf, sizeof buf);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
  if (n <= 0) {  // the child is exiting; SIGCHLD does the accounting
    child.status_watcher.disable();
    return;
  }
  child.pending.append(buf, size_t(n));
  while (child.pending.size() >= sizeof(service::StatusRecord)) {
    service::StatusRecord rec{};
    std::memcpy(&rec, child.pending.data(), sizeof rec);
    child.pending.erase(0, sizeof rec);
    child.reported = true;
    bool available = rec.available != 0;
    if (child.service && available != child.available) {
      child.service->available += available ? 1 : -1;
      child.available = available;
      update_listening(*child.service);
    }
    child.available = available;
  }
}

void Supervisor::reap_children() {
  int status = 0;
  pid_t pid;
  while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) on_child_exit(pid, status);
}

void Supervisor::on_child_exit(pid_t pid, int wait_status) {
  auto it = children_.find(pid);
  if (it == children_.end()) return;
  std::unique_ptr<Child> child = std::move(it->second);
  children_.erase(it);
  bool abnormal = false;
  if (WIFSIGNALED(wait_status)) {
    abnormal = true;
    log::warning("process %s pid %d killed by signal %d", child->path.c_str(), int(pid), WTERMSIG(wait_status));
  } else if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) != 0) {
    abnormal = true;
    log::warning("process %s pid %d exit status %d", child->path.c_str(), int(pid), WEXITSTATUS(wait_status));
  }
  Service* service = child->service;
  if (!service) return;  // retired by a reload: nothing to account
  service->total--;
  if (child->available) service->available--;
  if (abnormal && !child->reported && !stopping_) {
    log::warning("%s: bad command startup -- throttling", child->path.c_str());
    throttle(*service);
  }
  update_listening(*service);
}

void Supervisor::throttle(Service& service) {
  service.throttled = true;
  service.throttle_timer.arm(double(config_.get_time_seconds("service_throttle_time")));
  update_listening(service);
}

// Timer-driven services (pickup, qmgr) get a one-byte trigger on their
// endpoint; the readable endpoint makes master start a process if needed.
void Supervisor::wakeup(Service& service) {
  if (service.spec.entry.wakeup_if_used && !service.used) return;
  const auto& entry = service.spec.entry;
  std::string path = local_endpoint_path(config_, entry);
  if (entry.type == "fifo") {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd) (void)!::write(fd.get(), "W", 1);
  } else if (entry.type == "unix") {
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
    if (fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0)
      (void)!::write(fd.get(), "W", 1);
  }
}

void Supervisor::reload() {
  config::Config config;
  config::MasterCf master_cf;
  try {
    config = config::Config::load(config_.config_dir());
    master_cf = config::MasterCf::load(config_.config_dir() + "/master.cf");
  } catch (const config::ConfigError& e) {
    log::error("%s -- configuration not reloaded", e.what());
    return;
  }
  if (std::string error = dovecot_conf_error(config); !error.empty()) {
    log::error("%s -- configuration not reloaded", error.c_str());
    return;
  }
  log::info("reload -- version %s, configuration %s", build::version, config_.config_dir().c_str());
  ServicePlan plan = plan_services(config, master_cf);
  for (const auto& note : plan.notes) log::info("%s", note.c_str());

  // Every current process finishes its clients and exits (EOF on its status
  // channel); new processes of the new generation read the new configuration.
  for (auto& [pid, child] : children_) {
    child->service = nullptr;
    child->status_watcher = net::Watcher();
    child->status.reset();
  }
  ++generation_;
  config_ = std::move(config);
  master_cf_ = std::move(master_cf);
  auto old = std::move(services_);
  if (auto st = install_services(plan, std::move(old)); !st) {
    log::error("%s -- service not started", st.error().message.c_str());
  }
}

void Supervisor::shutdown(int signo, bool abort) {
  stopping_ = true;
  log::info("terminating on signal %d", signo);
  for (auto& [key, service] : services_) update_listening(*service);
  for (auto& [pid, child] : children_) ::kill(pid, abort ? SIGKILL : SIGTERM);
  loop_.stop();
}

int Supervisor::run() {
  signal_watchers_.push_back(net::Watcher::signal(loop_, SIGCHLD, [this] { reap_children(); }));
  signal_watchers_.push_back(net::Watcher::signal(loop_, SIGHUP, [this] { reload(); }));
  signal_watchers_.push_back(net::Watcher::signal(loop_, SIGTERM, [this] { shutdown(SIGTERM, false); }));
  signal_watchers_.push_back(net::Watcher::signal(loop_, SIGINT, [this] { shutdown(SIGINT, false); }));
  signal_watchers_.push_back(net::Watcher::signal(loop_, SIGQUIT, [this] { shutdown(SIGQUIT, true); }));
  ::signal(SIGPIPE, SIG_IGN);
  loop_.run();

  // Give the children a bounded time to go, then make sure they are gone:
  // nothing Postern started outlives master.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!children_.empty() && std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      children_.erase(pid);
    } else if (pid < 0 && errno == ECHILD) {
      children_.clear();
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  for (auto& [pid, child] : children_) {
    log::warning("process %s pid %d did not stop; killing it", child->path.c_str(), int(pid));
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  return 0;
}

}  // namespace postern::master
