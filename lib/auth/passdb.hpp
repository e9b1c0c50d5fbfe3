// passdb and userdb drivers behind two small interfaces, built from the
// `passdb { driver = ... args = ... }` and `userdb { }` blocks of dovecot.conf.
// Passdbs run in the auth daemon (root for shadow and pam); userdbs also in
// pop3d before it becomes the user.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "lib/auth/password_scheme.hpp"
#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::auth {

enum class Lookup { ok, mismatch, unknown_user, tempfail, unsupported };

// What a lookup knows about one attempt (for %variables and PAM's rhost).
struct RequestInfo {
  std::string service;  // "pop3", "smtp", "imap"
  std::string rip;
  std::string lip;
};

class Passdb {
 public:
  virtual ~Passdb() = default;
  // Checks a plaintext password (PLAIN, LOGIN).
  virtual Lookup verify_plain(const std::string& user, const std::string& password, const RequestInfo& info) = 0;
  // The stored credentials, for challenge-response mechanisms (CRAM-MD5).
  // Lookup::unsupported when this passdb cannot give them (pam, shadow).
  virtual Lookup credentials(const std::string& user, const RequestInfo& info, StoredPassword& out) {
    (void)user, (void)info, (void)out;
    return Lookup::unsupported;
  }
  virtual std::string name() const = 0;
};

struct UserInfo {
  std::string user;
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::string home;
  std::string mail;  // userdb "mail" field: overrides mail_location
};

class Userdb {
 public:
  virtual ~Userdb() = default;
  virtual Lookup lookup(const std::string& user, const RequestInfo& info, UserInfo& out) = 0;
  virtual std::string name() const = 0;
};

// Build a driver from its block. An unknown driver or bad args is a ConfError
// naming the block's file and line.
std::unique_ptr<Passdb> make_passdb(const dovecot::Section& block);
std::unique_ptr<Userdb> make_userdb(const dovecot::Section& block);

// Every userdb of a configuration, tried in order (pop3d uses this).
Lookup lookup_user(const dovecot::DovecotConf& conf, const std::string& user, const RequestInfo& info, UserInfo& out);

}  // namespace postern::auth
