// local — the local delivery agent (Postfix local(8)).
//
// Role: takes one delivery request at a time from qmgr over the private/local
// UNIX socket (lib/ipc delivery protocol), reads the message from the queue
// file itself, expands aliases (alias_maps), :include: files and ~/.forward
// (forward_path), and delivers to the mailbox (mail_spool_directory mbox with
// dotlock + fcntl, or home_mailbox: Maildir/ or an mbox file), to
// mailbox_command, |command (allow_mail_to_commands) and /file
// (allow_mail_to_files); non-local targets are forwarded as a new queue file.
// Logs "to=<...>, relay=local, ..., status=sent (delivered to mailbox)".
// Privileges: runs as root (master.cf "local unix - n n - - local") and does
// each delivery with the recipient's uid/gid (default_privs for alias
// commands and files); as a non-root user it delivers as that user.
// Parameters: alias_maps, recipient_delimiter, home_mailbox,
// mail_spool_directory, mailbox_command, forward_path, luser_relay,
// mailbox_size_limit, mailbox_delivery_lock, deliver_lock_attempts,
// deliver_lock_delay, stale_lock_time, default_privs, command_time_limit,
// local_command_shell, prepend_delivered_header, mydestination, myorigin.
#include <sys/stat.h>

#include <memory>

#include "lib/log/log.hpp"
#include "lib/service/heap_reuse.hpp"
#include "lib/service/single_server.hpp"
#include "local/request.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  std::unique_ptr<local::Agent> agent;
  service::SingleServerHooks hooks;
  hooks.post_drop = [&](service::DaemonContext& ctx) {
    ::umask(077);
    service::keep_freed_heap();
    agent = std::make_unique<local::Agent>(ctx.config());
  };
  hooks.on_session = [&](UniqueFd client, service::DaemonContext&, long long uses_left) {
    return agent->serve(client.get(), uses_left);
  };
  return service::run_single_server(argc, argv, std::move(hooks));
}
