// One delivery request: expands the recipient through aliases (recursive,
// loop-safe, owner- aliases, duplicate elimination), :include: files and
// ~/.forward, then delivers to mailboxes, Maildirs, commands and files with
// the right user's privileges, forwards non-local targets as a new queue
// file, logs each result as Postfix does and builds the reply for qmgr.
// Runs in local (root).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "lib/bounce/status_log.hpp"
#include "lib/ipc/delivery_proto.hpp"
#include "lib/maps/table.hpp"
#include "lib/mailbox/delivery_format.hpp"
#include "lib/queue/queue_reader.hpp"
#include "local/as_user.hpp"
#include "local/local_params.hpp"
#include "local/user_cache.hpp"

namespace postern::local {

class Deliverer {
 public:
  // `users` outlives the Deliverer (the Agent's cache).
  Deliverer(const LocalParams& params, maps::TableList& aliases, UserCache& users, const queue::QueueReader& queue,
            const ipc::DeliveryRequest& request);
  ipc::DeliveryReply run();

 private:
  enum class Via { top, alias, include, forward };
  struct Frame {
    Via via = Via::top;
    std::string sender;                  // envelope sender for what this frame delivers
    std::optional<UserIdentity> privs;   // who runs commands/files from here
    std::set<std::string> chain;         // aliases and .forward files above us (loop safety)
    int depth = 0;
  };

  void deliver_address(const std::string& address, const Frame& frame);
  void deliver_token(const std::string& token, const Frame& frame);
  void deliver_user(const UserIdentity& user, const std::string& address, const std::string& extension,
                    const Frame& frame);
  bool try_forward_file(const UserIdentity& user, const std::string& address, const std::string& extension,
                        const Frame& frame);
  void deliver_mailbox(const UserIdentity& user, const std::string& address, const Frame& frame);
  void deliver_command(const std::string& command, const std::string& address, const Frame& frame,
                       const UserIdentity& as);
  void deliver_file(const std::string& path, const std::string& address, const Frame& frame,
                    const UserIdentity& as);
  void forward_remote();

  // Outcomes: each logs one status line and updates the reply.
  void sent(const std::string& to, const std::string& reason, const std::string& dsn = "2.0.0");
  void defer(const std::string& to, const std::string& dsn, const std::string& reason);
  void bounce(const std::string& to, const std::string& dsn, const std::string& reason);
  // A failed Status: its message may start with a DSN ("5.2.2 ..."); errno decides otherwise.
  void failed(const std::string& to, const Error& error, bool permanent_default);

  mailbox::ContentSource content() const;
  std::string canonical(const std::string& address) const;
  std::string delivered_to_header(const std::string& address, const char* kind) const;
  bool allowed(const std::vector<std::string>& classes, Via via) const;
  std::optional<UserIdentity> default_privs();

  const LocalParams& params_;
  maps::TableList& aliases_;
  UserCache& users_;
  const queue::QueueReader& queue_;
  const ipc::DeliveryRequest& request_;
  bounce::StatusTimes times_;
  std::set<std::string> delivered_to_;          // Delivered-To values already in the message
  std::set<std::string> done_;                  // duplicate elimination: "mailbox:user", "file:/x", ...
  std::map<std::string, std::vector<std::string>> remote_;  // sender -> forward targets
  ipc::DeliveryReply reply_;
};

// Splits an alias or .forward value into items: commas and newlines outside
// double quotes; quotes removed; "#" lines in .forward/:include: skipped.
std::vector<std::string> split_alias_value(std::string_view value, bool file_syntax);

}  // namespace postern::local
