// EventLoop: owns one libevent event_base. Every event-driven process (master,
// smtpd, imapd, ...) runs exactly one, in its main thread.
#pragma once

#include <memory>

struct event_base;

namespace postern::net {

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  event_base* base() const { return base_.get(); }
  // Runs until stop() or until no event is pending. Returns false on a libevent error.
  bool run();
  // Makes run() return after the current callback.
  void stop();

 private:
  struct Free {
    void operator()(event_base* base) const;
  };
  std::unique_ptr<event_base, Free> base_;
};

}  // namespace postern::net
