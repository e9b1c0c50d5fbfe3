// A connected pair of UNIX stream sockets for the login tests: one end
// stands for the client (or the other process), the other for the code
// under test.
#pragma once

#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "lib/base/unique_fd.hpp"

struct Pair {
  postern::UniqueFd ours, theirs;
  Pair() {
    int sp[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
    ours.reset(sp[0]);
    theirs.reset(sp[1]);
  }
};
