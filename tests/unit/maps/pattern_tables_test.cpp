// regexp:, pcre: and cidr: tables: matching, flags, substitution, if/endif,
// negation, and file:line warnings for malformed rules.
#include <catch2/catch.hpp>

#include "lib/maps/table.hpp"
#include "test_dir.hpp"

using namespace postern::maps;
using postern::maps::testing::TestDir;

namespace {

struct Query {
  const char* key;
  const char* expect;  // nullptr: not found
};

void check_queries(Table& t, const std::vector<Query>& queries) {
  for (const auto& q : queries) {
    INFO("key: " << q.key);
    auto r = t.lookup(q.key);
    if (q.expect) {
      REQUIRE(r.is_found());
      CHECK(r.value == q.expect);
    } else {
      CHECK(r.is_not_found());
    }
  }
}

std::vector<std::string> diagnostic_texts(const Table& t) {
  std::vector<std::string> out;
  for (const auto& d : t.diagnostics()) out.push_back(d.text());
  return out;
}

const char* kRegexSource =
    "# access map\n"
    "/^postmaster@/        OK\n"
    "/^(.*)-outgoing@(.*)$/  550 Use ${1}@$2 instead\n"
    "if !/^owner-/\n"
    "/^(.+)-list@/          list $1\n"
    "endif\n"
    "/^CaseSensitive$/i     exact case\n"
    "!/@/                  local ($$1 stays)\n"
    "/^a/!/^ab/            starts with a but not ab\n"
    "#/commented/ no\n"
    "/^multi/  first\n"
    "  second\n";

const std::vector<Query> kRegexQueries = {
    {"PostMaster@x", "OK"},
    {"team-outgoing@example.com", "550 Use team@example.com instead"},
    {"staff-list@x", "list staff"},
    {"owner-staff-list@x", nullptr},
    {"CaseSensitive", "exact case"},
    {"casesensitive", "local ($1 stays)"},  // the case-sensitive rule missed
    {"justlocal", "local ($1 stays)"},
    {"ac@x", "starts with a but not ab"},
    {"abc@x", nullptr},
    {"multi@x", "first  second"},
};

}  // namespace

TEST_CASE("regexp tables follow regexp_table(5)", "[maps][regexp]") {
  TestDir dir;
  auto t = open_table("regexp:" + dir.write("r", kRegexSource));
  REQUIRE(t);
  CHECK(t.value()->diagnostics().empty());
  check_queries(*t.value(), kRegexQueries);
  CHECK_FALSE(t.value()->for_each([](auto, auto) {}));
}

TEST_CASE("pcre tables follow pcre_table(5)", "[maps][pcre]") {
  TestDir dir;
  auto t = open_table("pcre:" + dir.write("p", kRegexSource));
  REQUIRE(t);
  // pcre_table(5) has no "/p1/!/p2/" form: Postfix skips that rule with a warning.
  REQUIRE(t.value()->diagnostics().size() == 1);
  CHECK(t.value()->diagnostics()[0].message == "unknown regexp option \"!\": skipping this rule");
  auto queries = kRegexQueries;
  for (auto& q : queries)
    if (std::string(q.key) == "ac@x") q.expect = nullptr;
  check_queries(*t.value(), queries);
  auto p = open_table("pcre:" + dir.write("p2", "/^(\\d+)\\.(?:x|y)$/  n=$1\n/a.b/s dotall\n"));
  REQUIRE(p);
  check_queries(*p.value(), {{"42.y", "n=42"}, {"a\nb", "dotall"}, {"42.z", nullptr}});
}

TEST_CASE("regexp and pcre rules may be given inline", "[maps][regexp]") {
  for (std::string type : {"regexp", "pcre"}) {
    auto t = open_table(type + ":{ {/^a(.)/ got $1}, {/b/ bee} }");
    REQUIRE(t);
    check_queries(*t.value(), {{"ax", "got x"}, {"b", "bee"}, {"c", nullptr}});
  }
}

TEST_CASE("malformed pattern rules are skipped with file:line warnings", "[maps][regexp]") {
  TestDir dir;
  std::string src =
      "/ok/ fine\n"                  // 1
      "nodelimiter value\n"          // 2
      "/unclosed value\n"            // 3
      "/x/q bad flag\n"              // 4
      "/(a)/ $2 out of range\n"      // 5
      "endif\n"                      // 6
      "/[/ bad regex\n"              // 7
      "if /never/\n"                 // 8
      "/y/ inside\n";                // 9
  for (std::string type : {"regexp", "pcre"}) {
    INFO(type);
    std::string path = dir.write("bad_" + type, src);
    // pcre_table(5) has no "/p1/!/p2/" form; Postfix skips such rules.
    auto t = open_table(type + ":" + path);
    REQUIRE(t);
    auto d = diagnostic_texts(*t.value());
    std::string prefix = type + " map " + path + ", line ";
    REQUIRE(d.size() == 7);
    CHECK(d[0] == prefix + "2: ignoring unrecognized request");
    CHECK(d[1] == prefix + "3: no closing regexp delimiter \"/\"");
    CHECK(d[2] == prefix + "4: unknown regexp option \"q\": skipping this rule");
    CHECK(d[3] == prefix + "5: out of range replacement index \"2\": skipping this rule");
    CHECK(d[4] == prefix + "6: ignoring ENDIF without matching IF");
    CHECK(d[5].rfind(prefix + "7: ", 0) == 0);
    CHECK(d[6] == prefix + "8: IF has no matching ENDIF");
    check_queries(*t.value(), {{"ok", "fine"}, {"y", nullptr}});
  }
}

TEST_CASE("cidr tables match IPv4 and IPv6 networks", "[maps][cidr]") {
  TestDir dir;
  auto t = open_table("cidr:" + dir.write("c",
                                          "[192.168.1.1]      OK\n"
                                          "192.168.0.0/16     REJECT\n"
                                          "2001:db8::1        OK6\n"
                                          "2001:db8::/32      REJECT6\n"
                                          "if 10.0.0.0/8\n"
                                          "!10.1.0.0/16       not ten-one\n"
                                          "endif\n"
                                          "0.0.0.0/0          cost $5\n"));
  REQUIRE(t);
  CHECK(t.value()->diagnostics().empty());
  check_queries(*t.value(), {{"192.168.1.1", "OK"},
                             {"[192.168.1.1]", nullptr},  // brackets only in patterns
                             {"192.168.7.9", "REJECT"},
                             {"2001:db8::1", "OK6"},
                             {"2001:0db8:0::0001", "OK6"},
                             {"2001:db8:ffff::1", "REJECT6"},
                             {"2001:db9::1", nullptr},
                             {"10.2.3.4", "not ten-one"},
                             {"10.1.3.4", "cost $5"},
                             {"8.8.8.8", "cost $5"},
                             {"not-an-address", nullptr}});
}

TEST_CASE("malformed cidr lines are skipped with file:line warnings", "[maps][cidr]") {
  TestDir dir;
  std::string path = dir.write("c", "1.2.3.4/24 x\nbogus y\n1.2.3.0/33 z\n1.2.3.0/24\n5.6.7.8 ok\n");
  auto t = open_table("cidr:" + path);
  REQUIRE(t);
  auto d = diagnostic_texts(*t.value());
  std::string prefix = "cidr map " + path + ", line ";
  REQUIRE(d.size() == 4);
  CHECK(d[0] == prefix + "1: non-null host address bits in \"1.2.3.4/24\", perhaps you should use \"1.2.3.0/24\" instead");
  CHECK(d[1] == prefix + "2: bad net/mask pattern: \"bogus\"");
  CHECK(d[2] == prefix + "3: bad net/mask pattern: \"1.2.3.0/33\"");
  CHECK(d[3] == prefix + "4: no lookup result: \"1.2.3.0/24\"");
  check_queries(*t.value(), {{"5.6.7.8", "ok"}, {"1.2.3.4", nullptr}});
}
