// The descriptor and argument contract between master and the daemons it
// forks. This header is the only place that knows it; master/ writes it and
// lib/service reads it.
//
//   fd 3          status channel: a stream socket. The child writes
//                 StatusRecord values; master never writes. When master
//                 closes its end (reload, stop), the child sees EOF, stops
//                 accepting, finishes the clients it has and exits.
//   fd 4 .. 4+n-1 the service's listening sockets (n = -s), non-blocking.
//
//   argv: <command> -n <service> -t <type> -c <config_dir> -s <n>
//         -g <generation> [-u] [-z] [-o name=value]... [-S] [-- args...]
//     -u  drop privileges to mail_owner when started as root (unpriv = y)
//     -z  chroot to queue_directory when started as root (chroot = y)
//     -S  stand-alone: serve one client on standard input, no master
#pragma once

#include <cstdint>

namespace postern::service {

inline constexpr int kStatusFd = 3;
inline constexpr int kFirstListenFd = 4;

struct StatusRecord {
  int32_t pid;
  int32_t generation;
  int32_t available;  // 1: ready for more clients; 0: busy
};

}  // namespace postern::service
