// Privilege drop. Runs in daemons started as root, once, before any untrusted input.
#include "lib/service/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "lib/base/sys_error.hpp"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

namespace postern::service {

void prepare_for_chroot() {
#if defined(__SANITIZE_ADDRESS__)
  // LeakSanitizer reads /proc/self/maps when the process exits; inside the
  // jail there is no /proc and it would fail the exit (status 1). Check for
  // leaks now, while it still can; that also turns the exit check off.
  __lsan_do_leak_check();
#endif
}

Result<Account> find_account(const std::string& name) {
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0) return sys_error("getpwnam " + name, rc);
  if (!found) return Error{"unknown user: " + name};
  return Account{name, pw.pw_uid, pw.pw_gid, pw.pw_dir ? pw.pw_dir : ""};
}

Status drop_privileges(const Account& account, const std::string& chroot_dir) {
  if (!chroot_dir.empty()) {
    prepare_for_chroot();
    if (::chroot(chroot_dir.c_str()) != 0) return sys_error("chroot " + chroot_dir);
    if (::chdir("/") != 0) return sys_error("chdir /");
  }
  if (::setgroups(1, &account.gid) != 0) return sys_error("setgroups");
  if (::setgid(account.gid) != 0) return sys_error("setgid");
  if (::setuid(account.uid) != 0) return sys_error("setuid");
  if (account.uid != 0 && (::setuid(0) == 0 || ::geteuid() == 0))
    return Error{"privileges could be regained after dropping them"};
  return {};
}

}  // namespace postern::service
