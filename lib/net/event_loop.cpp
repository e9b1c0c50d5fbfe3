// EventLoop: RAII over event_base.
#include "lib/net/event_loop.hpp"

#include <event2/event.h>

#include <stdexcept>

namespace postern::net {

void EventLoop::Free::operator()(event_base* base) const { event_base_free(base); }

EventLoop::EventLoop() : base_(event_base_new()) {
  if (!base_) throw std::runtime_error("event_base_new failed");
}

EventLoop::~EventLoop() = default;

bool EventLoop::run() { return event_base_dispatch(base_.get()) >= 0; }

void EventLoop::stop() { event_base_loopbreak(base_.get()); }

}  // namespace postern::net
