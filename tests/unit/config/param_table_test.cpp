// The parameter table: sorted, unique, typed defaults that parse, and
// documented in docs/parameters.md.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "lib/config/config.hpp"
#include "lib/config/param_table.hpp"

using postern::config::Config;
using postern::config::find_param;
using postern::config::param_table;
using postern::config::ParamType;

TEST_CASE("param table: sorted, unique, findable", "[param_table]") {
  auto table = param_table();
  REQUIRE(table.size() > 300);
  for (size_t i = 1; i < table.size(); ++i) {
    CAPTURE(table[i].name);
    CHECK(table[i - 1].name < table[i].name);
  }
  for (const auto& p : table) CHECK(find_param(p.name) == &p);
  CHECK(find_param("nosuch_parameter") == nullptr);
  CHECK(find_param("") == nullptr);
}

TEST_CASE("param table: tutorial parameters and Postfix defaults", "[param_table]") {
  struct Row {
    const char* name;
    const char* value;
  };
  const std::vector<Row> rows = {
      {"myorigin", "$myhostname"},
      {"mydestination", "$myhostname, localhost.$mydomain, localhost"},
      {"inet_interfaces", "all"},
      {"inet_protocols", "all"},
      {"relay_domains", "${{$compatibility_level} <level {2} ? {$mydestination} : {}}"},
      {"relayhost", ""},
      {"alias_maps", "hash:/etc/aliases, nis:mail.aliases"},
      {"alias_database", "hash:/etc/aliases"},
      {"home_mailbox", ""},
      {"mailbox_size_limit", "51200000"},
      {"message_size_limit", "10240000"},
      {"smtpd_banner", "$myhostname ESMTP $mail_name"},
      {"unknown_local_recipient_reject_code", "550"},
      {"recipient_delimiter", ""},
      {"compatibility_level", "0"},
      {"smtpd_timeout", "${stress?{10}:{300}}s"},
      {"maximal_queue_lifetime", "5d"},
      {"dovecot_config_file", "$config_directory/dovecot.conf"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.name);
    const auto* p = find_param(r.name);
    REQUIRE(p);
    CHECK(p->default_value == r.value);
  }
  CHECK(find_param("maximal_queue_lifetime")->time_unit == 'd');
  CHECK(find_param("maximal_queue_lifetime")->type == ParamType::time);
  CHECK(find_param("message_size_limit")->type == ParamType::size);
  CHECK(find_param("biff")->type == ParamType::boolean);
  CHECK(find_param("myhostname")->compute_default != nullptr);
}

TEST_CASE("param table: every default parses as its type", "[param_table]") {
  Config c = Config::from_text("", "/cfg");
  for (const auto& p : param_table()) {
    CAPTURE(p.name);
    switch (p.type) {
      case ParamType::boolean: CHECK_NOTHROW(c.get_bool(p.name)); break;
      case ParamType::integer: CHECK_NOTHROW(c.get_int(p.name)); break;
      case ParamType::time: CHECK_NOTHROW(c.get_time_seconds(p.name)); break;
      case ParamType::size: CHECK_NOTHROW(c.get_size(p.name)); break;
      default: CHECK_NOTHROW(c.get(p.name)); break;
    }
    if (p.type == ParamType::time) CHECK(p.time_unit != 0);
    CHECK_FALSE(p.summary.empty());
  }
}

TEST_CASE("param table: every parameter is documented", "[param_table][docs]") {
  std::ifstream in(std::string(POSTERN_SOURCE_DIR) + "/docs/parameters.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string doc = ss.str();
  for (const auto& p : param_table()) {
    CAPTURE(p.name);
    CHECK(doc.find("| `" + std::string(p.name) + "` |") != std::string::npos);
  }
}
