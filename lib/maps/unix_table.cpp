// unix:passwd.byname and unix:group.byname: the system user and group
// databases through getpwnam_r/getgrnam_r (so NSS modules apply). Any process.
// Found entries are remembered for a few seconds: smtpd asks for every
// recipient (local_recipient_maps), and each NSS lookup re-reads
// /etc/passwd and probes systemd's userdb folders (about 50 system calls)
// on smtpd's event loop. Misses are never remembered, so a user created a
// moment ago is accepted at once.
#include <grp.h>
#include <pwd.h>

#include <cerrno>
#include <chrono>
#include <unordered_map>
#include <vector>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/maps/table_types.hpp"

namespace postern::maps {

namespace {

enum class UnixMap { passwd, group };

class UnixTable : public Table {
 public:
  UnixTable(std::string spec, UnixMap which, bool fold) : which_(which), fold_(fold) { spec_ = std::move(spec); }

  LookupResult lookup(std::string_view key_view) override {
    std::string key = fold_ ? to_lower(key_view) : std::string(key_view);
    const auto now = std::chrono::steady_clock::now();
    if (auto it = found_.find(key); it != found_.end()) {
      if (now - it->second.when < kRemember) return LookupResult::found(it->second.value);
      found_.erase(it);
    }
    LookupResult r = ask_system(key);
    if (r.is_found()) {
      if (found_.size() >= kMaxRemembered) found_.clear();
      found_[key] = Remembered{r.value, now};
    }
    return r;
  }

 private:
  static constexpr std::chrono::seconds kRemember{5};
  static constexpr std::size_t kMaxRemembered = 4096;
  struct Remembered {
    std::string value;
    std::chrono::steady_clock::time_point when;
  };

  LookupResult ask_system(const std::string& key) {
    std::vector<char> buf(16384);
    for (;;) {
      int rc = which_ == UnixMap::passwd ? lookup_passwd(key, buf) : lookup_group(key, buf);
      if (rc == ERANGE && buf.size() < (1u << 22)) {
        buf.resize(buf.size() * 4);
        continue;
      }
      if (rc == 0) return result_.empty() ? LookupResult::not_found() : LookupResult::found(result_);
      // ENOENT/ESRCH/EBADF/EPERM: "no such entry" on some NSS setups.
      if (rc == ENOENT || rc == ESRCH || rc == EBADF || rc == EPERM) return LookupResult::not_found();
      return LookupResult::temp_fail(spec_ + ": " + errno_text(rc));
    }
  }

  int lookup_passwd(const std::string& key, std::vector<char>& buf) {
    struct passwd pw {}, *res = nullptr;
    int rc = ::getpwnam_r(key.c_str(), &pw, buf.data(), buf.size(), &res);
    result_.clear();
    if (rc == 0 && res) {
      result_ = std::string(pw.pw_name) + ":" + pw.pw_passwd + ":" + std::to_string(pw.pw_uid) + ":" +
                std::to_string(pw.pw_gid) + ":" + pw.pw_gecos + ":" + pw.pw_dir + ":" + pw.pw_shell;
    }
    return rc;
  }
  int lookup_group(const std::string& key, std::vector<char>& buf) {
    struct group gr {}, *res = nullptr;
    int rc = ::getgrnam_r(key.c_str(), &gr, buf.data(), buf.size(), &res);
    result_.clear();
    if (rc == 0 && res) {
      result_ = std::string(gr.gr_name) + ":" + gr.gr_passwd + ":" + std::to_string(gr.gr_gid) + ":";
      for (char** m = gr.gr_mem; m && *m; ++m) result_ += std::string(m == gr.gr_mem ? "" : ",") + *m;
    }
    return rc;
  }

  UnixMap which_;
  bool fold_;
  std::string result_;
  std::unordered_map<std::string, Remembered> found_;
};

}  // namespace

Result<TablePtr> open_unix_table(const std::string& name, const std::string& spec, const OpenFlags& flags) {
  if (name == "passwd.byname") return TablePtr(std::make_unique<UnixTable>(spec, UnixMap::passwd, flags.fold_case));
  if (name == "group.byname") return TablePtr(std::make_unique<UnixTable>(spec, UnixMap::group, flags.fold_case));
  return Error{"unknown table: " + spec};
}

}  // namespace postern::maps
