// dovecot.conf reader: the settings the tutorials edit, blocks, includes,
// errors with file and line, unknown-setting warnings, doveconf -n output.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "lib/dovecot/dovecot_conf.hpp"

using namespace postern::dovecot;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/dovecot_conf_test.XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  void write(const std::string& name, const std::string& text) const {
    std::filesystem::create_directories(std::filesystem::path(path + "/" + name).parent_path());
    std::ofstream(path + "/" + name) << text;
  }
};

}  // namespace

TEST_CASE("tutorial settings read verbatim", "[dovecot_conf]") {
  auto conf = DovecotConf::parse(
      "# comment\n"
      "protocols = imap pop3 lmtp\n"
      "disable_plaintext_auth = no\n"
      "login_trusted_networks = 192.168.1.0/24\n"
      "mail_location = mbox:~/mail:INBOX=/var/mail/%u\n"
      "listen = *, ::\n"
      "ssl = required\n"
      "ssl_cert = </etc/ssl/certs/dovecot.pem\n"
      "ssl_key = </etc/ssl/private/dovecot.pem\n"
      "auth_mechanisms = plain login # trailing comment\n",
      "/x/dovecot.conf");
  CHECK(conf.get("protocols") == "imap pop3 lmtp");
  CHECK_FALSE(conf.get_bool("disable_plaintext_auth"));
  CHECK(conf.get("login_trusted_networks") == "192.168.1.0/24");
  CHECK(conf.get("mail_location") == "mbox:~/mail:INBOX=/var/mail/%u");
  CHECK(conf.get("ssl") == "required");
  CHECK(file_value_path(conf.get("ssl_cert")) == "/etc/ssl/certs/dovecot.pem");
  CHECK(conf.get("auth_mechanisms") == "plain login");
  CHECK(conf.warnings().empty());
}

TEST_CASE("defaults and protocol blocks", "[dovecot_conf]") {
  auto conf = DovecotConf::parse(
      "mail_location = maildir:~/Maildir\n"
      "protocol pop3 {\n  mail_location = mbox:~/mbox\n}\n",
      "d.conf");
  CHECK(conf.get_bool("disable_plaintext_auth"));
  CHECK(conf.get("auth_failure_delay") == "2 secs");
  CHECK(conf.get_seconds("auth_failure_delay") == 2);
  CHECK(conf.get("mail_location") == "maildir:~/Maildir");
  CHECK(conf.get("mail_location", "pop3") == "mbox:~/mbox");
  CHECK(conf.get("mail_location", "imap") == "maildir:~/Maildir");
}

TEST_CASE("service listeners, one-line and nested blocks", "[dovecot_conf]") {
  auto conf = DovecotConf::parse(
      "service imap-login {\n"
      "  inet_listener imap { port = 143 }\n"
      "  inet_listener imaps {\n    port = 993\n    ssl = yes\n  }\n"
      "}\n"
      "service auth {\n"
      "  unix_listener /var/spool/postfix/private/auth {\n"
      "    mode = 0660\n    user = postfix\n    group = postfix\n  }\n"
      "}\n"
      "passdb {\n  driver = passwd-file\n  args = scheme=SHA512-CRYPT username_format=%u /etc/dovecot/users\n}\n"
      "userdb {\n  driver = static\n  args = uid=vmail gid=vmail home=/home/vmail/%u\n}\n",
      "s.conf");
  const Section* login = conf.root().child("service", "imap-login");
  REQUIRE(login);
  auto listeners = login->children("inet_listener");
  REQUIRE(listeners.size() == 2);
  CHECK(listeners[0]->get("port") == "143");
  CHECK(listeners[1]->get("port") == "993");
  CHECK(listeners[1]->get("ssl") == "yes");
  const Section* auth = conf.root().child("service", "auth");
  REQUIRE(auth);
  REQUIRE(auth->children("unix_listener").size() == 1);
  CHECK(auth->children("unix_listener")[0]->name == "/var/spool/postfix/private/auth");
  CHECK(auth->children("unix_listener")[0]->get("mode") == "0660");
  REQUIRE(conf.root().children("passdb").size() == 1);
  CHECK(conf.root().children("passdb")[0]->get("driver") == "passwd-file");
  CHECK(conf.warnings().empty());
}

TEST_CASE("quotes, continuations and $references", "[dovecot_conf]") {
  auto conf = DovecotConf::parse(
      "login_greeting = \"Postern \\\"ready\\\" # not a comment\"\n"
      "mail_plugins = quota\n"
      "mail_plugins = $mail_plugins zlib\n"
      "protocols = imap \\\n  pop3\n",
      "q.conf");
  CHECK(conf.get("login_greeting") == "Postern \"ready\" # not a comment");
  CHECK(conf.get("mail_plugins") == "quota zlib");
  CHECK(conf.get("protocols") == "imap pop3");
}

TEST_CASE("include and include_try with globs", "[dovecot_conf]") {
  TempDir dir;
  dir.write("dovecot.conf", "protocols = pop3\n!include conf.d/*.conf\n!include_try /nonexistent/file.conf\n"
                            "!include_try local.conf\n");
  dir.write("conf.d/10-auth.conf", "disable_plaintext_auth = no\n!include auth-system.conf.ext\n");
  dir.write("conf.d/auth-system.conf.ext", "passdb {\n  driver = pam\n}\nuserdb {\n  driver = passwd\n}\n");
  dir.write("conf.d/10-mail.conf", "mail_location = maildir:~/Maildir\n");
  auto conf = DovecotConf::load(dir.path + "/dovecot.conf");
  CHECK(conf.get("protocols") == "pop3");
  CHECK_FALSE(conf.get_bool("disable_plaintext_auth"));
  CHECK(conf.get("mail_location") == "maildir:~/Maildir");
  REQUIRE(conf.root().children("passdb").size() == 1);
  CHECK(conf.root().children("passdb")[0]->get("driver") == "pam");
  CHECK(conf.root().children("passdb")[0]->file == dir.path + "/conf.d/auth-system.conf.ext");
}

TEST_CASE("errors name file and line", "[dovecot_conf]") {
  struct Row {
    const char* name;
    const char* text;
    const char* message;
  };
  const Row rows[] = {
      {"stray brace", "protocols = pop3\n}\n", "e.conf, line 2: unexpected '}'"},
      {"unclosed block", "passdb {\n driver = pam\n", "missing '}'"},
      {"no equals", "protocols pop3\n", "e.conf, line 1: expected '=' or '{'"},
      {"open quote", "login_greeting = \"abc\n", "e.conf, line 1: missing closing quote"},
      {"bad directive", "!includ x\n", "e.conf, line 1: unknown directive"},
      {"missing include", "!include /nonexistent/x.conf\n", "e.conf, line 1: !include"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    try {
      (void)DovecotConf::parse(row.text, "e.conf");
      FAIL("no error");
    } catch (const ConfError& e) {
      CHECK(std::string(e.what()).find(row.message) != std::string::npos);
    }
  }
}

TEST_CASE("unknown settings warn with file and line", "[dovecot_conf]") {
  auto conf = DovecotConf::parse("protocols = pop3\nno_such_thing = 1\nplugin {\n  anything = x\n}\n", "w.conf");
  REQUIRE(conf.warnings().size() == 1);
  CHECK(conf.warnings()[0] == "w.conf, line 2: unknown setting: no_such_thing");
}

TEST_CASE("doveconf -n prints non-defaults", "[dovecot_conf]") {
  auto conf = DovecotConf::parse("protocols = pop3\nssl = yes\nssl = no\npassdb {\n  driver = pam\n}\n", "n.conf");
  std::string out = conf.dump_non_default();
  CHECK(out.find("protocols = pop3\n") != std::string::npos);
  CHECK(out.find("ssl = no\n") != std::string::npos);
  CHECK(out.find("ssl = yes") == std::string::npos);
  CHECK(out.find("passdb {\n  driver = pam\n}\n") != std::string::npos);
  CHECK(conf.get_seconds("auth_failure_delay") == 2);
}

TEST_CASE("time values", "[dovecot_conf]") {
  CHECK(DovecotConf::parse("auth_failure_delay = 1 min\n", "t").get_seconds("auth_failure_delay") == 60);
  CHECK(DovecotConf::parse("auth_failure_delay = 0\n", "t").get_seconds("auth_failure_delay") == 0);
  CHECK_THROWS_AS(DovecotConf::parse("auth_failure_delay = soon\n", "t").get_seconds("auth_failure_delay"), ConfError);
}
