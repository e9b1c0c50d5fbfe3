// pop3d's channel between a connection's root and login processes is the
// shared one in lib/login; this name keeps pop3d's sources unchanged.
#pragma once

#include "lib/login/control_channel.hpp"

namespace postern::pop3d {
using login::ControlChannel;
}  // namespace postern::pop3d
