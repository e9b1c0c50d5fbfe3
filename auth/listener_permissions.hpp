// `service auth { unix_listener /var/spool/postfix/private/auth { mode = 0660
// user = postfix group = postfix } }`, as the tutorials write it: master
// creates the socket (mail_owner, 0600); auth, still root, then gives it the
// mode, user and group the block asks for. Listeners outside
// $queue_directory/private are not served (master says so at start).
#pragma once

#include <string>

#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::authd {

// Applies each unix_listener's mode/user/group to its socket under
// `queue_directory`. A bad value or a failed chown/chmod is logged with the
// block's file and line; nothing here stops the daemon.
void apply_listener_permissions(const dovecot::DovecotConf& conf, const std::string& queue_directory);

}  // namespace postern::authd
