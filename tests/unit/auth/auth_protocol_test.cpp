// The Dovecot auth protocol server with the engine behind it: handshake,
// PLAIN/LOGIN/CRAM-MD5, passwd-file and static passdbs, plaintext policy,
// failure delay and penalty, protocol violations.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/auth/auth_protocol.hpp"
#include "lib/auth/passwd_file.hpp"
#include "lib/auth/sasl_codec.hpp"

using namespace postern;
using namespace postern::auth;

namespace {

struct Fixture {
  std::string dir;
  Fixture() {
    char tmpl[] = "/tmp/auth_test.XXXXXX";
    dir = ::mkdtemp(tmpl);
    auto sha = hash_password("SHA512-CRYPT", "secret1");
    std::ofstream(dir + "/users") << "# comment\n"
                                  << "alice:" << *sha << ":1000:1000::/home/alice::userdb_mail=maildir:~/Maildir\n"
                                  << "bob:{PLAIN}bobpw:1001:1001::/home/bob::\n";
  }
  ~Fixture() { std::filesystem::remove_all(dir); }
  dovecot::DovecotConf conf(const std::string& extra) const {
    return dovecot::DovecotConf::parse("auth_mechanisms = plain login cram-md5\nauth_failure_delay = 1\n" + extra +
                                           "passdb {\n  driver = passwd-file\n  args = " + dir + "/users\n}\n",
                                       "t.conf");
  }
};

std::string plain(const std::string& u, const std::string& p) { return base64_encode(std::string("\0", 1) + u + '\0' + p); }

std::string run(AuthServerConnection& c, const std::string& line, double* delay = nullptr) {
  auto replies = c.handle_line(line);
  std::string out;
  for (auto& r : replies) {
    out += r.text;
    if (delay) *delay = r.delay;
  }
  return out;
}

}  // namespace

TEST_CASE("handshake and PLAIN", "[auth]") {
  Fixture f;
  auto conf = f.conf("disable_plaintext_auth = no\n");
  AuthEngine engine(conf);
  AuthServerConnection c(engine, 42, 7, "0123456789abcdef0123456789abcdef");
  std::string hs = c.handshake();
  CHECK(hs.starts_with("VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nMECH\tCRAM-MD5\tdictionary\tactive\n"));
  CHECK(hs.ends_with("SPID\t42\nCUID\t7\nCOOKIE\t0123456789abcdef0123456789abcdef\nDONE\n"));
  CHECK(run(c, "VERSION\t1\t2") == "");
  CHECK(run(c, "CPID\t1234") == "");
  CHECK(run(c, "AUTH\t1\tPLAIN\tservice=smtp\tnologin\tlip=127.0.0.1\trip=10.1.1.1\tresp=" + plain("alice", "secret1")) ==
        "OK\t1\tuser=alice\n");
  double delay = -1;
  CHECK(run(c, "AUTH\t2\tPLAIN\tservice=smtp\trip=10.1.1.1\tresp=" + plain("alice", "wrong"), &delay) ==
        "FAIL\t2\tuser=alice\n");
  CHECK(delay == 1);
  CHECK(run(c, "AUTH\t3\tPLAIN\tservice=smtp\trip=10.1.1.1\tresp=" + plain("alice", "wrong2"), &delay) ==
        "FAIL\t3\tuser=alice\n");
  CHECK(delay == 2);  // the penalty doubles
  for (int i = 4; i < 12; ++i) run(c, "AUTH\t" + std::to_string(i) + "\tPLAIN\trip=10.1.1.1\tresp=" + plain("x", "y"), &delay);
  CHECK(delay == 15);  // and is bounded
  CHECK(run(c, "AUTH\t20\tPLAIN\tservice=smtp\trip=10.1.1.1\tresp=" + plain("ALICE", "secret1")) == "OK\t20\tuser=alice\n");
  CHECK(engine.penalty_for("10.1.1.1") == 1);  // success resets
  CHECK(run(c, "AUTH\t21\tPLAIN\tservice=smtp\tresp=" + plain("nobody", "x")) == "FAIL\t21\tuser=nobody\n");
  // auth_username_chars: "../etc" or a shell character never reaches a passdb.
  CHECK(run(c, "AUTH\t22\tPLAIN\tservice=smtp\tresp=" + plain("a/../b", "x")) == "FAIL\t22\n");
  CHECK(run(c, "AUTH\t23\tPLAIN\tservice=smtp\tresp=" + plain("a;b", "x")) == "FAIL\t23\n");
}

TEST_CASE("LOGIN and CRAM-MD5 continue", "[auth]") {
  Fixture f;
  auto conf = f.conf("disable_plaintext_auth = no\n");
  AuthEngine engine(conf);
  AuthServerConnection c(engine, 1, 1, "c");
  run(c, "VERSION\t1\t2");
  CHECK(run(c, "AUTH\t1\tLOGIN\tservice=pop3") == "CONT\t1\t" + base64_encode("Username:") + "\n");
  CHECK(run(c, "CONT\t1\t" + base64_encode("bob")) == "CONT\t1\t" + base64_encode("Password:") + "\n");
  CHECK(run(c, "CONT\t1\t" + base64_encode("bobpw")) == "OK\t1\tuser=bob\n");
  std::string cont = run(c, "AUTH\t2\tCRAM-MD5\tservice=pop3");
  REQUIRE(cont.starts_with("CONT\t2\t"));
  auto challenge = base64_decode(cont.substr(7, cont.size() - 8));
  REQUIRE(challenge);
  auto answer = cram_md5_response_from_context(cram_md5_context("bobpw"), *challenge);
  CHECK(run(c, "CONT\t2\t" + base64_encode("bob " + *answer)) == "OK\t2\tuser=bob\n");
  // alice's password is hashed: CRAM-MD5 cannot work for her.
  cont = run(c, "AUTH\t3\tCRAM-MD5\tservice=pop3");
  CHECK(run(c, "CONT\t3\t" + base64_encode("alice 0123456789abcdef0123456789abcdef")).starts_with("FAIL\t3"));
  CHECK(run(c, "CONT\t99\tAAAA").starts_with("FAIL\t99"));
  CHECK(run(c, "AUTH\t4\tPLAIN\tresp=!!!!").starts_with("FAIL\t4\treason=Invalid base64"));
  CHECK(run(c, "AUTH\t5\tDIGEST-MD5").starts_with("FAIL\t5\treason=Unsupported"));
  CHECK_FALSE(c.broken());
  run(c, "BOGUS\tline");
  CHECK(c.broken());
}

TEST_CASE("disable_plaintext_auth: TLS, localhost or trusted networks only", "[auth]") {
  Fixture f;
  auto conf = f.conf("login_trusted_networks = 192.168.1.0/24\n");
  AuthEngine engine(conf);
  AuthServerConnection c(engine, 1, 1, "c");
  run(c, "VERSION\t1\t2");
  CHECK(run(c, "AUTH\t1\tPLAIN\trip=10.9.9.9\tresp=" + plain("bob", "bobpw")).find("Plaintext authentication disallowed") !=
        std::string::npos);
  CHECK(run(c, "AUTH\t2\tPLAIN\trip=10.9.9.9\tsecured\tresp=" + plain("bob", "bobpw")) == "OK\t2\tuser=bob\n");
  CHECK(run(c, "AUTH\t3\tPLAIN\trip=127.0.0.1\tresp=" + plain("bob", "bobpw")) == "OK\t3\tuser=bob\n");
  CHECK(run(c, "AUTH\t4\tPLAIN\trip=192.168.1.9\tresp=" + plain("bob", "bobpw")) == "OK\t4\tuser=bob\n");
}

TEST_CASE("bad handshake and bad requests break the connection", "[auth]") {
  Fixture f;
  auto conf = f.conf("");
  AuthEngine engine(conf);
  {
    AuthServerConnection c(engine, 1, 1, "c");
    run(c, "VERSION\t2\t0");
    CHECK(c.broken());
  }
  {
    AuthServerConnection c(engine, 1, 1, "c");
    run(c, "VERSION\t1\t2");
    run(c, "AUTH\tx\tPLAIN");
    CHECK(c.broken());
  }
}

TEST_CASE("passwd-file userdb fields", "[auth]") {
  Fixture f;
  auto conf = dovecot::DovecotConf::parse("userdb {\n  driver = passwd-file\n  args = " + f.dir + "/users\n}\n", "u.conf");
  UserInfo info;
  REQUIRE(lookup_user(conf, "alice", RequestInfo{}, info) == Lookup::ok);
  CHECK(info.uid == uid_t(1000));
  CHECK(info.home == "/home/alice");
  CHECK(info.mail == "maildir:~/Maildir");
  CHECK(lookup_user(conf, "carol", RequestInfo{}, info) == Lookup::unknown_user);
  auto st = dovecot::DovecotConf::parse("userdb {\n  driver = static\n  args = uid=1234 gid=99 home=/srv/%d/%n\n}\n", "s.conf");
  REQUIRE(lookup_user(st, "u@ex.org", RequestInfo{}, info) == Lookup::ok);
  CHECK(info.uid == uid_t(1234));
  CHECK(info.home == "/srv/ex.org/u");
}
