// Watcher: RAII over struct event with exception containment at the boundary.
#include "lib/net/watcher.hpp"

#include <event2/event.h>

#include <exception>

#include "lib/log/log.hpp"

namespace postern::net {

struct Watcher::Impl {
  std::function<void()> callback;
  event* ev = nullptr;
  ~Impl() {
    if (ev) event_free(ev);
  }
};

namespace {
void dispatch(evutil_socket_t, short, void* arg) {
  auto* impl = static_cast<std::function<void()>*>(arg);
  try {
    (*impl)();
  } catch (const std::exception& e) {
    log::fatal("unexpected exception in event callback: %s", e.what());
  } catch (...) {
    log::fatal("unexpected exception in event callback");
  }
}
}  // namespace

Watcher::Watcher() = default;
Watcher::~Watcher() = default;
Watcher::Watcher(Watcher&&) noexcept = default;
Watcher& Watcher::operator=(Watcher&&) noexcept = default;

Watcher Watcher::make(EventLoop& loop, int fd, short events, std::function<void()> callback) {
  Watcher w;
  w.impl_ = std::make_unique<Impl>();
  w.impl_->callback = std::move(callback);
  // The callback lives in the heap-allocated Impl, so moving the Watcher
  // never invalidates the pointer libevent holds.
  w.impl_->ev = event_new(loop.base(), fd, events, dispatch, &w.impl_->callback);
  if (!w.impl_->ev) log::fatal("event_new failed");
  return w;
}

Watcher Watcher::readable(EventLoop& loop, int fd, std::function<void()> callback) {
  return make(loop, fd, EV_READ | EV_PERSIST, std::move(callback));
}

Watcher Watcher::writable(EventLoop& loop, int fd, std::function<void()> callback) {
  return make(loop, fd, EV_WRITE | EV_PERSIST, std::move(callback));
}

Watcher Watcher::signal(EventLoop& loop, int signo, std::function<void()> callback) {
  Watcher w = make(loop, signo, EV_SIGNAL | EV_PERSIST, std::move(callback));
  w.enable();
  return w;
}

Watcher Watcher::timer(EventLoop& loop, std::function<void()> callback) {
  return make(loop, -1, 0, std::move(callback));
}

void Watcher::enable(double timeout_seconds) {
  if (!impl_) return;
  if (timeout_seconds >= 0) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_seconds);
    tv.tv_usec = static_cast<suseconds_t>((timeout_seconds - double(tv.tv_sec)) * 1e6);
    event_add(impl_->ev, &tv);
  } else {
    event_add(impl_->ev, nullptr);
  }
}

void Watcher::disable() {
  if (impl_) event_del(impl_->ev);
}

bool Watcher::pending() const {
  return impl_ && event_pending(impl_->ev, EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT, nullptr);
}

}  // namespace postern::net
