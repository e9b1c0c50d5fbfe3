// Serving one qmgr connection in local: hello, request, delivery, reply.
// Runs in local (root).
#pragma once

#include "lib/config/config.hpp"
#include "lib/maps/table.hpp"
#include "local/local_params.hpp"
#include "local/user_cache.hpp"

namespace postern::local {

class Agent {
 public:
  explicit Agent(const config::Config& config);
  // Handles one client connection to completion; errors are logged.
  // Serves qmgr's requests on `fd`, at most `max_requests`; returns how many.
  long long serve(int fd, long long max_requests);

 private:
  LocalParams params_;
  maps::TableList aliases_;
  bool aliases_ok_ = true;
  std::string alias_error_;
  UserCache users_;  // recipients' accounts, across this process's requests
};

}  // namespace postern::local
