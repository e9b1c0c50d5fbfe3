// passdb drivers passwd-file, shadow, passwd and static, userdb drivers
// passwd-file, passwd and static, and the factory that builds them from
// dovecot.conf blocks. Runs in auth (root for shadow) and pop3d (userdbs).
#include <pwd.h>
#include <shadow.h>
#include <openssl/crypto.h>

#include <cerrno>

#include "lib/auth/pam_passdb.hpp"
#include "lib/auth/passdb.hpp"
#include "lib/auth/passwd_file.hpp"
#include "lib/auth/vars.hpp"
#include "lib/base/account_ids.hpp"
#include "lib/base/strings.hpp"

namespace postern::auth {
namespace {

Lookup check(const StoredPassword& stored, const std::string& password) {
  switch (verify_password(stored, password)) {
    case Verify::match:
      return Lookup::ok;
    case Verify::mismatch:
      return Lookup::mismatch;
    case Verify::unsupported:
      return Lookup::tempfail;  // a scheme we cannot check is a configuration problem, not a bad password
  }
  return Lookup::tempfail;
}

class PasswdFilePassdb final : public Passdb {
 public:
  explicit PasswdFilePassdb(PasswdFileArgs args) : args_(std::move(args)) {}
  Lookup verify_plain(const std::string& user, const std::string& password, const RequestInfo& info) override {
    StoredPassword stored;
    Lookup l = credentials(user, info, stored);
    if (l != Lookup::ok) return l;
    return check(stored, password);
  }
  Lookup credentials(const std::string& user, const RequestInfo& info, StoredPassword& out) override {
    PasswdFileEntry e;
    Lookup l = find_passwd_file_entry(args_, user, info, e);
    if (l != Lookup::ok) return l;
    out = split_stored(e.password, args_.scheme);
    return Lookup::ok;
  }
  std::string name() const override { return "passwd-file"; }

 private:
  PasswdFileArgs args_;
};

// The user's password from /etc/shadow (root only), checked with crypt(3).
class ShadowPassdb final : public Passdb {
 public:
  Lookup verify_plain(const std::string& user, const std::string& password, const RequestInfo&) override {
    struct spwd sp{};
    char buf[4096];
    struct spwd* result = nullptr;
    errno = 0;
    int rc = getspnam_r(user.c_str(), &sp, buf, sizeof buf, &result);
    if (rc == EACCES || rc == EPERM) return Lookup::tempfail;
    if (!result) return Lookup::unknown_user;
    StoredPassword stored{"CRYPT", result->sp_pwdp ? result->sp_pwdp : ""};
    OPENSSL_cleanse(buf, sizeof buf);
    if (stored.data.empty() || stored.data[0] == '!' || stored.data[0] == '*') return Lookup::mismatch;
    return check(stored, password);
  }
  std::string name() const override { return "shadow"; }
};

// passdb passwd: the crypt in /etc/passwd (rarely set today).
class PasswdPassdb final : public Passdb {
 public:
  Lookup verify_plain(const std::string& user, const std::string& password, const RequestInfo&) override {
    struct passwd pw{};
    char buf[4096];
    struct passwd* result = nullptr;
    getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &result);
    if (!result) return Lookup::unknown_user;
    StoredPassword stored{"CRYPT", result->pw_passwd ? result->pw_passwd : ""};
    if (stored.data.size() < 2 || stored.data == "x") return Lookup::mismatch;
    return check(stored, password);
  }
  std::string name() const override { return "passwd"; }
};

class StaticPassdb final : public Passdb {
 public:
  StaticPassdb(std::string password, bool nopassword) : password_(std::move(password)), nopassword_(nopassword) {}
  Lookup verify_plain(const std::string&, const std::string& password, const RequestInfo&) override {
    if (nopassword_) return Lookup::ok;
    return check(split_stored(password_, "PLAIN"), password);
  }
  Lookup credentials(const std::string&, const RequestInfo&, StoredPassword& out) override {
    if (nopassword_) return Lookup::unsupported;
    out = split_stored(password_, "PLAIN");
    return Lookup::ok;
  }
  std::string name() const override { return "static"; }

 private:
  std::string password_;
  bool nopassword_;
};

class PasswdFileUserdb final : public Userdb {
 public:
  explicit PasswdFileUserdb(PasswdFileArgs args) : args_(std::move(args)) {}
  Lookup lookup(const std::string& user, const RequestInfo& info, UserInfo& out) override {
    PasswdFileEntry e;
    Lookup l = find_passwd_file_entry(args_, user, info, e);
    if (l != Lookup::ok) return l;
    out.user = e.user;
    if (!e.uid.empty()) out.uid = uid_from_text(e.uid);
    if (!e.gid.empty()) out.gid = gid_from_text(e.gid);
    out.home = e.home;
    for (const auto& field : e.extra) {
      if (field.starts_with("userdb_mail=")) out.mail = field.substr(12);
      else if (field.starts_with("userdb_home=")) out.home = field.substr(12);
      else if (field.starts_with("userdb_uid=")) out.uid = uid_from_text(field.substr(11));
      else if (field.starts_with("userdb_gid=")) out.gid = gid_from_text(field.substr(11));
    }
    return Lookup::ok;
  }
  std::string name() const override { return "passwd-file"; }

 private:
  PasswdFileArgs args_;
};

class PasswdUserdb final : public Userdb {
 public:
  Lookup lookup(const std::string& user, const RequestInfo&, UserInfo& out) override {
    struct passwd pw{};
    char buf[4096];
    struct passwd* result = nullptr;
    int rc = getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &result);
    if (!result) return rc == 0 ? Lookup::unknown_user : Lookup::tempfail;
    out.user = result->pw_name;
    out.uid = result->pw_uid;
    out.gid = result->pw_gid;
    out.home = result->pw_dir;
    return Lookup::ok;
  }
  std::string name() const override { return "passwd"; }
};

// userdb static: "uid=vmail gid=vmail home=/home/vmail/%u [mail=...]".
class StaticUserdb final : public Userdb {
 public:
  explicit StaticUserdb(std::string args) : args_(std::move(args)) {}
  Lookup lookup(const std::string& user, const RequestInfo& info, UserInfo& out) override {
    out.user = user;
    Vars vars{user, "", info.service, info.rip, info.lip};
    for (const auto& word : split(args_, " \t")) {
      auto eq = word.find('=');
      if (eq == std::string::npos) continue;
      std::string key = word.substr(0, eq), value = expand_vars(word.substr(eq + 1), vars);
      if (key == "uid") out.uid = uid_from_text(value);
      else if (key == "gid") out.gid = gid_from_text(value);
      else if (key == "home") out.home = value;
      else if (key == "mail") out.mail = value;
    }
    return Lookup::ok;
  }
  std::string name() const override { return "static"; }

 private:
  std::string args_;
};

[[noreturn]] void bad_block(const dovecot::Section& block, const std::string& what) {
  throw dovecot::ConfError(block.file, block.line, what);
}

}  // namespace

std::unique_ptr<Passdb> make_passdb(const dovecot::Section& block) {
  std::string driver = block.get("driver", block.name);
  std::string args = block.get("args");
  if (driver == "passwd-file") {
    auto a = parse_passwd_file_args(args);
    if (a.path.empty()) bad_block(block, "passdb passwd-file: args must name the file");
    return std::make_unique<PasswdFilePassdb>(a);
  }
  if (driver == "shadow") return std::make_unique<ShadowPassdb>();
  if (driver == "passwd") return std::make_unique<PasswdPassdb>();
  if (driver == "pam") return make_pam_passdb(args);
  if (driver == "static") {
    std::string password;
    bool nopassword = false;
    for (const auto& word : split(args, " \t")) {
      if (word.starts_with("password=")) password = word.substr(9);
      if (word == "nopassword" || word.starts_with("nopassword=")) nopassword = true;
    }
    return std::make_unique<StaticPassdb>(password, nopassword);
  }
  bad_block(block, "unsupported passdb driver: " + driver);
}

std::unique_ptr<Userdb> make_userdb(const dovecot::Section& block) {
  std::string driver = block.get("driver", block.name);
  std::string args = block.get("args");
  if (driver == "passwd-file") {
    auto a = parse_passwd_file_args(args);
    if (a.path.empty()) bad_block(block, "userdb passwd-file: args must name the file");
    return std::make_unique<PasswdFileUserdb>(a);
  }
  if (driver == "passwd") return std::make_unique<PasswdUserdb>();
  if (driver == "static") return std::make_unique<StaticUserdb>(args);
  if (driver == "prefetch") return nullptr;  // answered by lookup_user() from the passdbs' fields
  bad_block(block, "unsupported userdb driver: " + driver);
}

namespace {

// userdb prefetch: the user's fields as the passdb gave them — a passwd-file
// passdb's uid, gid and home columns and userdb_* extra fields, as Dovecot's
// prefetch uses them. Unknown (the next userdb answers) when no passwd-file
// passdb has the user or the entry carries no user fields.
Lookup prefetch_user(const dovecot::DovecotConf& conf, const std::string& user, const RequestInfo& info,
                     UserInfo& out) {
  for (const dovecot::Section* block : conf.root().children("passdb")) {
    if (block->get("driver", block->name) != "passwd-file" || block->get("deny") == "yes") continue;
    PasswdFileUserdb db(parse_passwd_file_args(block->get("args")));
    UserInfo found;
    Lookup l = db.lookup(user, info, found);
    if (l == Lookup::tempfail) return l;
    if (l != Lookup::ok) continue;
    if (!found.uid && !found.gid && found.home.empty() && found.mail.empty()) return Lookup::unknown_user;
    out = std::move(found);
    return Lookup::ok;
  }
  return Lookup::unknown_user;
}

}  // namespace

Lookup lookup_user(const dovecot::DovecotConf& conf, const std::string& user, const RequestInfo& info, UserInfo& out) {
  Lookup last = Lookup::unknown_user;
  for (const dovecot::Section* block : conf.root().children("userdb")) {
    if (block->get("driver", block->name) == "prefetch") {
      last = prefetch_user(conf, user, info, out);
      if (last == Lookup::ok || last == Lookup::tempfail) return last;
      continue;
    }
    auto db = make_userdb(*block);
    if (!db) continue;
    last = db->lookup(user, info, out);
    if (last == Lookup::ok || last == Lookup::tempfail) return last;
  }
  return last;
}

}  // namespace postern::auth
