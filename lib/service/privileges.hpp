// Privilege drop and chroot. The only code in Postern that changes user id
// or root directory; every daemon goes through it via DaemonContext.
#pragma once

#include <string>
#include <sys/types.h>

#include "lib/base/result.hpp"

namespace postern::service {

struct Account {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string home;
};

// getpwnam() as a Result; "unknown user" is an error naming the parameter.
Result<Account> find_account(const std::string& name);

// Changes root to `dir` (when not empty) and then permanently becomes
// `account` (supplementary groups cleared). Only meaningful as root; the
// caller decides whether to call it. Verifies that root cannot be regained.
Status drop_privileges(const Account& account, const std::string& chroot_dir);

// Called just before chroot(2). In sanitizer builds it runs the leak check
// that would otherwise fail at exit for lack of /proc in the jail.
void prepare_for_chroot();

}  // namespace postern::service
