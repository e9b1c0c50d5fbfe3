// Owner and mode of a UNIX socket master creates, as dovecot.conf asks in
// `service auth { unix_listener <path> { mode = 0660 user = postfix
// group = postfix } }` (the tutorials' socket for Postfix's chrooted smtpd).
// Read and resolved in master (root) at start and reload, applied when the
// socket is created (master/listeners.cpp), so it never exists with other
// permissions; a change makes reload create the socket afresh.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::master {

struct SocketPermissions {
  std::optional<mode_t> mode;  // permission bits only (at most 0777)
  std::optional<uid_t> uid;    // unset: mail_owner
  std::optional<gid_t> gid;    // unset: mail_owner's group
  // "mode=0660 uid=107 gid=113" for what is set, "" when nothing is:
  // part of the listener's identity, so reload notices a change.
  std::string describe() const;
};

// Adds one unix_listener block's mode, user and group to `out` (a later
// block for the same socket overrides field by field). A bad mode or an
// unknown user or group is ignored with a note naming file and line.
void read_socket_permissions(const dovecot::Section& listener, SocketPermissions& out,
                             std::vector<std::string>& notes);

}  // namespace postern::master
