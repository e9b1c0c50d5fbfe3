// Watcher: one libevent event (descriptor, signal or timer) with a
// std::function callback. Destroying the watcher removes the event. A
// callback that throws is a broken invariant: the process logs it and exits
// (exceptions never unwind through libevent).
#pragma once

#include <functional>
#include <memory>

#include "lib/net/event_loop.hpp"

namespace postern::net {

class Watcher {
 public:
  Watcher();
  ~Watcher();
  Watcher(Watcher&&) noexcept;
  Watcher& operator=(Watcher&&) noexcept;

  // Persistent readiness watch on fd; `what` receives EV_READ/EV_WRITE/EV_TIMEOUT bits.
  static Watcher readable(EventLoop& loop, int fd, std::function<void()> callback);
  static Watcher writable(EventLoop& loop, int fd, std::function<void()> callback);
  // Persistent signal watch (libevent installs the handler).
  static Watcher signal(EventLoop& loop, int signo, std::function<void()> callback);
  // A timer; arm() it with a delay. One-shot unless re-armed.
  static Watcher timer(EventLoop& loop, std::function<void()> callback);

  // For descriptor watchers: start watching, with an optional timeout (seconds; < 0 none).
  void enable(double timeout_seconds = -1);
  void disable();
  // For timers: fire once after `seconds`.
  void arm(double seconds) { enable(seconds); }
  bool pending() const;
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  static Watcher make(EventLoop& loop, int fd, short events, std::function<void()> callback);
};

}  // namespace postern::net
