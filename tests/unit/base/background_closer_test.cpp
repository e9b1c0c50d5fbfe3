// Descriptors closed on a worker thread (lib/base/background_closer.cpp):
// each one handed over gets closed, and none is left open at destruction.
#include "lib/base/background_closer.hpp"

#include <poll.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <vector>

using postern::BackgroundCloser;
using postern::UniqueFd;

namespace {

struct Pipe {
  UniqueFd read_end, write_end;
  Pipe() {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    read_end.reset(p[0]);
    write_end.reset(p[1]);
  }
  // The write end is closed once a read sees end-of-file.
  bool writer_closed(int timeout_ms) const {
    struct pollfd pfd{read_end.get(), POLLIN, 0};
    if (::poll(&pfd, 1, timeout_ms) != 1) return false;
    char c;
    return ::read(read_end.get(), &c, 1) == 0;
  }
};

}  // namespace

TEST_CASE("a descriptor handed to the closer gets closed", "[base]") {
  BackgroundCloser closer;
  Pipe p;
  closer.close_later(std::move(p.write_end));
  CHECK_FALSE(p.write_end);  // it changed hands
  CHECK(p.writer_closed(5000));
}

TEST_CASE("the closer closes everything still waiting when it ends", "[base]") {
  std::vector<Pipe> pipes(50);
  {
    BackgroundCloser closer;
    for (auto& p : pipes) closer.close_later(std::move(p.write_end));
    closer.close_later(UniqueFd());  // nothing to close: ignored
  }
  for (auto& p : pipes) CHECK(p.writer_closed(0));
}
