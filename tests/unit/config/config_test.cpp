// Config: settings vs defaults, overrides, typed getters, directories.
#include <catch2/catch.hpp>

#include <sys/socket.h>

#include <cstdlib>

#include "lib/base/build_paths.hpp"
#include "lib/config/config.hpp"
#include "lib/config/config_error.hpp"
#include "lib/config/host_defaults.hpp"

using postern::config::Config;
using postern::config::ConfigError;

TEST_CASE("config: settings, defaults and overrides", "[config]") {
  Config c = Config::from_text("myhostname = mail.example.com\nmyorigin = $mydomain\n", "/cfg");
  CHECK(c.config_dir() == "/cfg");
  CHECK(c.raw("myhostname") == "mail.example.com");
  CHECK_FALSE(c.raw("relayhost").has_value());
  CHECK(c.is_set("myorigin"));
  CHECK_FALSE(c.is_set("mydomain"));
  CHECK(c.get("mydomain") == "example.com");  // default derived from myhostname
  CHECK(c.get("myorigin") == "example.com");
  CHECK(c.get("mydestination") == "mail.example.com, localhost.example.com, localhost");
  CHECK(c.raw_default("mydestination") == "$myhostname, localhost.$mydomain, localhost");
  CHECK(c.raw_default("nosuch").empty());
  CHECK(c.get("config_directory") == "/cfg");
  CHECK(c.get("dovecot_config_file") == "/cfg/dovecot.conf");
  CHECK(c.raw_default("config_directory") == postern::build::config_directory);
  c.set_override("myhostname", "other.example.net");
  CHECK(c.get("mydomain") == "example.net");
  CHECK(c.raw("myhostname") == "other.example.net");
}

TEST_CASE("config: typed getters", "[config]") {
  Config c = Config::from_text(
      "smtpd_timeout = 60\n"
      "maximal_queue_lifetime = 2\n"
      "minimal_backoff_time = 10m\n"
      "delay_warning_time = 4h\n"
      "queue_run_delay = 1w\n"
      "ipc_timeout = 5S\n"
      "message_size_limit = 0\n"
      "biff = no\n"
      "smtpd_helo_required = YES\n"
      "smtpd_use_tls = true\n"
      "default_process_limit = 100\n"
      "mydestination = a, b  c,,d\n",
      "/cfg");
  CHECK(c.get_time_seconds("smtpd_timeout") == 60);
  CHECK(c.get_time_seconds("maximal_queue_lifetime") == 2 * 86400);  // default unit d
  CHECK(c.get_time_seconds("minimal_backoff_time") == 600);
  CHECK(c.get_time_seconds("delay_warning_time") == 4 * 3600);
  CHECK(c.get_time_seconds("queue_run_delay") == 7 * 86400);
  CHECK(c.get_time_seconds("ipc_timeout") == 5);
  CHECK(c.get_time_seconds("bounce_queue_lifetime") == 5 * 86400);  // default "5d"
  CHECK(c.get_time_seconds("smtp_connect_timeout") == 30);
  CHECK(c.get_size("message_size_limit") == 0);
  CHECK(c.get_size("mailbox_size_limit") == 51200000);
  CHECK_FALSE(c.get_bool("biff"));
  CHECK(c.get_bool("smtpd_helo_required"));
  CHECK(c.get_bool("smtpd_use_tls"));
  CHECK(c.get_bool("smtpd_delay_reject"));
  CHECK(c.get_int("default_process_limit") == 100);
  CHECK(c.get_int("smtpd_hard_error_limit") == 20);  // ${stress?{1}:{20}}
  CHECK(c.get_time_seconds("smtpd_starttls_timeout") == 300);
  CHECK(c.get_list("mydestination") == std::vector<std::string>{"a", "b", "c", "d"});
  CHECK(c.get("smtpd_relay_restrictions").empty());  // compatibility_level 0
}

TEST_CASE("config: bad typed values name file and line", "[config]") {
  Config c = Config::from_text(
      "# c\n"
      "smtpd_timeout = 5x\n"
      "biff = maybe\n"
      "default_process_limit = lots\n"
      "message_size_limit = -1\n"
      "queue_run_delay = 99999999999999w\n"
      "max_idle =\n",
      "/cfg");
  struct Row {
    const char* what;
    const char* message;
  };
  auto check = [](auto fn, const std::string& message) {
    try {
      fn();
      FAIL("no error");
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()) == message);
    }
  };
  check([&] { (void)c.get_time_seconds("smtpd_timeout"); },
        "/cfg/main.cf, line 2: bad time configuration: smtpd_timeout = 5x");
  check([&] { (void)c.get_bool("biff"); },
        "/cfg/main.cf, line 3: bad boolean configuration: biff = maybe");
  check([&] { (void)c.get_int("default_process_limit"); },
        "/cfg/main.cf, line 4: bad numerical configuration: default_process_limit = lots");
  check([&] { (void)c.get_size("message_size_limit"); },
        "/cfg/main.cf, line 5: bad size configuration: message_size_limit = -1");
  check([&] { (void)c.get_time_seconds("queue_run_delay"); },
        "/cfg/main.cf, line 6: bad time configuration: queue_run_delay = 99999999999999w");
  check([&] { (void)c.get_time_seconds("max_idle"); },
        "/cfg/main.cf, line 7: bad time configuration: max_idle = ");
}

TEST_CASE("config: load from a directory and resolve_config_dir", "[config]") {
  CHECK_THROWS_AS(Config::load("/nonexistent/postern"), ConfigError);
  CHECK(postern::config::resolve_config_dir("/from/option") == "/from/option");
  ::setenv("MAIL_CONFIG", "/from/env", 1);
  CHECK(postern::config::resolve_config_dir("") == "/from/env");
  ::unsetenv("MAIL_CONFIG");
  CHECK(postern::config::resolve_config_dir("") == postern::build::config_directory);
}

TEST_CASE("config: host defaults", "[config][host]") {
  Config c = Config::from_text("", "/cfg");
  std::string host = c.get("myhostname");
  CHECK(host.find('.') != std::string::npos);
  CHECK(c.get("mydomain") == host.substr(host.find('.') + 1));
  Config d = Config::from_text("mydomain = example.org\n", "/cfg");
  std::string h2 = d.get("myhostname");
  if (host.size() > 12 && host.substr(host.size() - 12) == ".localdomain") {
    CHECK(h2 == host.substr(0, host.size() - 12) + ".example.org");
  }
  Config e = Config::from_text("myhostname = foo\n", "/cfg");
  CHECK(e.get("mydomain") == "localdomain");
  Config f = Config::from_text("myhostname = a.b.c.d\n", "/cfg");
  CHECK(f.get("mydomain") == "b.c.d");
  Config g = Config::from_text("mynetworks_style = host\ninet_protocols = ipv4\n", "/cfg");
  CHECK(g.get("mynetworks").find("127.0.0.1/32") != std::string::npos);
}

TEST_CASE("config: compute_mynetworks formats like Postfix", "[config][host]") {
  using postern::config::compute_mynetworks;
  using postern::config::InterfaceAddress;
  auto v4 = [](unsigned char a, unsigned char b, unsigned char c, unsigned char d, int len) {
    InterfaceAddress x;
    x.family = AF_INET;
    x.addr[0] = a; x.addr[1] = b; x.addr[2] = c; x.addr[3] = d;
    x.prefix_len = len;
    return x;
  };
  auto v6 = [](std::initializer_list<unsigned char> bytes, int len) {
    InterfaceAddress x;
    x.family = AF_INET6;
    int i = 0;
    for (unsigned char b : bytes) x.addr[i++] = b;
    x.prefix_len = len;
    return x;
  };
  InterfaceAddress lo6 = v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128);
  InterfaceAddress fd = v6({0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 64);
  std::vector<InterfaceAddress> ifs = {v4(127, 0, 0, 1, 8), lo6, v4(192, 0, 2, 2, 24), fd,
                                       v4(172, 16, 5, 4, 24)};
  CHECK(compute_mynetworks(ifs, "host") ==
        "127.0.0.1/32 192.0.2.2/32 172.16.5.4/32 [::1]/128 [fd00::2]/128");
  CHECK(compute_mynetworks(ifs, "subnet") ==
        "127.0.0.0/8 192.0.2.0/24 172.16.5.0/24 [::1]/128 [fd00::]/64");
  CHECK(compute_mynetworks(ifs, "class") ==
        "127.0.0.0/8 192.0.2.0/24 172.16.0.0/16 [::1]/128 [fd00::]/64");
}
