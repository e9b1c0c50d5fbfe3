// The entry point of one POP3 connection's processes (root, login, mail),
// run by the shared lib/login code. Runs in the forked connection process
// (root when master is root).
#pragma once

#include "pop3d/pop3_settings.hpp"

namespace postern::pop3d {

// Serves the client on `fd`; returns the connection process's exit status.
int run_connection(const Pop3Settings& settings, int fd);

}  // namespace postern::pop3d
