// pop3d's client connection is the shared one in lib/login (plain or TLS,
// bounded lines, STLS, relay); this name keeps pop3d's sources unchanged.
#pragma once

#include "lib/login/client_io.hpp"

namespace postern::pop3d {
using login::ClientIo;
}  // namespace postern::pop3d
