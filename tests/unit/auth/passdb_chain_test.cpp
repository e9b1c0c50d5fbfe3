// Dovecot's passdb chain settings: deny, skip, result_success/failure/
// internalfail, through the engine as pop3d and smtpd use it.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/auth/auth_engine.hpp"
#include "lib/auth/passdb_chain.hpp"

using namespace postern;
using namespace postern::auth;

namespace {

struct Files {
  std::string dir;
  Files() {
    char tmpl[] = "/tmp/passdb_chain_test.XXXXXX";
    dir = ::mkdtemp(tmpl);
    std::ofstream(dir + "/users") << "alice:{PLAIN}alicepw::::::\nbob:{PLAIN}bobpw::::::\ncarol:{PLAIN}carolpw::::::\n";
    std::ofstream(dir + "/other") << "alice:{PLAIN}otherpw::::::\ndave:{PLAIN}davepw::::::\n";
    std::ofstream(dir + "/denied") << "bob\n";
    std::ofstream(dir + "/noscheme") << "alice:alicepw::::::\n";
  }
  ~Files() { std::filesystem::remove_all(dir); }
  std::string passdb(const std::string& file, const std::string& settings) const {
    return "passdb {\n  driver = passwd-file\n  args = " + dir + "/" + file + "\n" + settings + "}\n";
  }
};

// PLAIN login through the engine; true when it succeeded.
bool login(const std::string& conf_text, const std::string& user, const std::string& password,
           bool* temp = nullptr) {
  auto conf = dovecot::DovecotConf::parse("auth_mechanisms = plain\ndisable_plaintext_auth = no\n"
                                          "auth_failure_delay = 0\n" + conf_text, "t.conf");
  AuthEngine engine(conf);
  Exchange ex;
  ex.info.request = {"pop3", "127.0.0.1", "127.0.0.1"};
  Outcome o = engine.start(ex, "PLAIN", std::string("\0", 1) + user + '\0' + password);
  if (temp) *temp = o.temp;
  return o.kind == Outcome::Kind::ok;
}

}  // namespace

TEST_CASE("default chain: the first passdb that knows the password wins", "[auth][passdb]") {
  Files f;
  std::string conf = f.passdb("users", "") + f.passdb("other", "");
  CHECK(login(conf, "alice", "alicepw"));
  CHECK(login(conf, "alice", "otherpw"));   // result_failure = continue: the second passdb is asked
  CHECK(login(conf, "dave", "davepw"));
  CHECK_FALSE(login(conf, "alice", "wrong"));
  CHECK_FALSE(login(conf, "nobody", "x"));
}

TEST_CASE("deny = yes refuses a listed user even with the right password", "[auth][passdb]") {
  Files f;
  std::string conf = f.passdb("denied", "  deny = yes\n") + f.passdb("users", "");
  CHECK_FALSE(login(conf, "bob", "bobpw"));
  CHECK(login(conf, "alice", "alicepw"));
}

TEST_CASE("result_failure = return-fail stops the chain", "[auth][passdb]") {
  Files f;
  std::string conf = f.passdb("users", "  result_failure = return-fail\n") + f.passdb("other", "");
  CHECK(login(conf, "alice", "alicepw"));
  CHECK_FALSE(login(conf, "alice", "otherpw"));  // the first passdb's failure is final
  CHECK_FALSE(login(conf, "dave", "davepw"));
}

TEST_CASE("continue-ok then a lookup-only passdb with skip", "[auth][passdb]") {
  Files f;
  // users vouches for the password, other must also know the user (lookup only).
  std::string conf = f.passdb("users", "  result_success = continue-ok\n  result_failure = return-fail\n") +
                     f.passdb("other", "  skip = unauthenticated\n  result_failure = return-fail\n");
  CHECK(login(conf, "alice", "alicepw"));       // in both files; other's password is not checked
  CHECK_FALSE(login(conf, "carol", "carolpw"));  // not in "other": refused
  CHECK_FALSE(login(conf, "alice", "otherpw"));  // users said no: return-fail
}

TEST_CASE("skip = authenticated passes over a passdb once a user is authenticated", "[auth][passdb]") {
  Files f;
  std::string conf = f.passdb("users", "  result_success = continue-ok\n") +
                     f.passdb("other", "  skip = authenticated\n  result_success = return-fail\n");
  CHECK(login(conf, "alice", "alicepw"));  // "other" would refuse her, but it is skipped
  CHECK_FALSE(login(conf, "dave", "davepw"));  // not authenticated by users; other says return-fail
}

TEST_CASE("result_success = continue-fail needs a later success", "[auth][passdb]") {
  Files f;
  std::string conf = f.passdb("users", "  result_success = continue-fail\n") + f.passdb("other", "");
  CHECK_FALSE(login(conf, "carol", "carolpw"));  // only in users, whose success does not count
  CHECK(login(conf, "alice", "otherpw"));
}

TEST_CASE("an internal failure is temporary unless another passdb answers", "[auth][passdb]") {
  Files f;
  std::string missing = "passdb {\n  driver = passwd-file\n  args = scheme=NOSUCH " + f.dir + "/noscheme\n}\n";
  bool temp = false;
  CHECK_FALSE(login(missing, "alice", "alicepw", &temp));
  CHECK(temp);
  CHECK(login(missing + f.passdb("other", ""), "alice", "otherpw"));
  std::string strict = "passdb {\n  driver = passwd-file\n  args = scheme=NOSUCH " + f.dir +
                       "/noscheme\n  result_internalfail = return-fail\n}\n" + f.passdb("other", "");
  CHECK_FALSE(login(strict, "alice", "otherpw"));
}

TEST_CASE("bad values name the file and line", "[auth][passdb]") {
  Files f;
  auto bad = [&](const std::string& setting) {
    auto conf = dovecot::DovecotConf::parse("auth_mechanisms = plain\n" + f.passdb("users", setting), "t.conf");
    try {
      AuthEngine engine(conf);
    } catch (const dovecot::ConfError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(bad("  result_success = maybe\n").find("t.conf") != std::string::npos);
  CHECK(bad("  result_success = maybe\n").find("line 5") != std::string::npos);
  CHECK(bad("  skip = sometimes\n").find("skip") != std::string::npos);
  CHECK(bad("  deny = perhaps\n").find("deny") != std::string::npos);
}

TEST_CASE("userdb prefetch takes the user's fields from a passwd-file passdb", "[auth][userdb]") {
  Files f;
  std::ofstream(f.dir + "/withfields") << "erin:{PLAIN}x:1234:2345::/home/erin::userdb_mail=maildir:~/Mail\n"
                                       << "frank:{PLAIN}x::::::\n";
  auto conf = dovecot::DovecotConf::parse(f.passdb("denied", "  deny = yes\n") + f.passdb("withfields", "") +
                                              "userdb {\n  driver = prefetch\n}\n"
                                              "userdb {\n  driver = static\n  args = uid=99 gid=99 home=/srv/%u\n}\n",
                                          "t.conf");
  UserInfo info;
  REQUIRE(lookup_user(conf, "erin", RequestInfo{}, info) == Lookup::ok);
  CHECK(info.uid == uid_t(1234));
  CHECK(info.gid == gid_t(2345));
  CHECK(info.home == "/home/erin");
  CHECK(info.mail == "maildir:~/Mail");
  // No user fields in the passdb entry: the next userdb answers.
  UserInfo plain;
  REQUIRE(lookup_user(conf, "frank", RequestInfo{}, plain) == Lookup::ok);
  CHECK(plain.uid == uid_t(99));
  CHECK(plain.home == "/srv/frank");
}
