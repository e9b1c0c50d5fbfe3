// LIST/LSUB arguments (with LIST-EXTENDED and SPECIAL-USE options) and
// "*"/"%" matching.
#include <catch2/catch.hpp>

#include "lib/imap/list_request.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;
using postern::imap::test::args_of;

TEST_CASE("LIST arguments", "[imap][list]") {
  auto l = parse_list(args_of("\"\" *"));
  REQUIRE(l);
  CHECK_FALSE(l->extended);
  CHECK(l->reference.empty());
  CHECK(l->patterns == std::vector<std::string>{"*"});

  l = parse_list(args_of("\"\" * RETURN (SPECIAL-USE)"));
  REQUIRE(l);
  CHECK(l->extended);
  CHECK(l->return_special_use);
  CHECK_FALSE(l->return_children);

  l = parse_list(args_of("(SPECIAL-USE) \"\" \"*\" RETURN (CHILDREN SUBSCRIBED STATUS (MESSAGES UNSEEN))"));
  REQUIRE(l);
  CHECK(l->select_special_use);
  CHECK(l->return_children);
  CHECK(l->return_subscribed);
  REQUIRE(l->return_status);
  CHECK(l->return_status->items == std::vector<StatusItem>{StatusItem::messages, StatusItem::unseen});

  l = parse_list(args_of("(SUBSCRIBED RECURSIVEMATCH) ~/Mail/ (INBOX \"Sent*\" %)"));
  REQUIRE(l);
  CHECK(l->select_subscribed);
  CHECK(l->select_recursive_match);
  CHECK(l->reference == "~/Mail/");
  CHECK(l->patterns == std::vector<std::string>{"INBOX", "Sent*", "%"});

  CHECK(parse_list(args_of("\"\" \"\""))->patterns == std::vector<std::string>{""});

  struct Row {
    const char* args;
    const char* error;
  };
  const Row bad[] = {
      {"\"\"", "LIST needs a reference and a mailbox pattern"},
      {"(RECURSIVEMATCH) \"\" *", "LIST: RECURSIVEMATCH needs another selection option"},
      {"(BOGUS) \"\" *", "LIST: unknown selection option atom BOGUS"},
      {"\"\" * RETURN (BOGUS)", "LIST: unknown return option atom BOGUS"},
      {"\"\" * RETURN SPECIAL-USE", "LIST: RETURN needs a list of options"},
      {"\"\" * EXTRA", "LIST: unexpected argument atom EXTRA"},
      {"(a) *", "LIST: unknown selection option atom a"},
      {"() *", "LIST needs a reference and a mailbox pattern"},
      {"\"\" ()", "LIST: invalid mailbox pattern"},
  };
  for (const auto& row : bad) {
    INFO(row.args);
    auto r = parse_list(args_of(row.args));
    REQUIRE_FALSE(r);
    CHECK(r.error().text == row.error);
  }
  auto lsub = parse_list(args_of("\"\" %"), true);
  REQUIRE(lsub);
  CHECK_FALSE(parse_list(args_of("\"\" * RETURN (CHILDREN)"), true));
  CHECK(parse_list(args_of("(SUBSCRIBED) \"\" *"), true).error().text == "LSUB: invalid reference");
}

TEST_CASE("LIST pattern matching", "[imap][list]") {
  struct Row {
    const char* reference;
    const char* pattern;
    const char* name;
    bool match;
  };
  const Row rows[] = {
      {"", "*", "INBOX", true},
      {"", "*", "a/b/c", true},
      {"", "%", "a", true},
      {"", "%", "a/b", false},
      {"", "a/%", "a/b", true},
      {"", "a/%", "a/b/c", false},
      {"", "a/*", "a/b/c", true},
      {"", "a/*", "a", false},
      {"", "a*", "a", true},
      {"", "a%", "ab", true},
      {"", "%/%", "a/b", true},
      {"", "%b", "a/b", false},
      {"", "*b", "a/b", true},
      {"", "Sent", "sent", false},   // names are case-sensitive ...
      {"", "inbox", "INBOX", true},  // ... except INBOX
      {"", "InBoX", "INBOX", true},
      {"", "inb*", "INBOX", true},
      {"", "inbox/%", "INBOX/sub", true},
      {"", "inbox/SUB", "INBOX/sub", false},
      {"", "INBOX", "INBOXes", false},
      {"", "inbox*", "Inboxes", false},
      {"a/", "%", "a/b", true},
      {"a/", "%", "b", false},
      {"a/", "/x", "a/x", true},
      {"~/Mail/", "foo.*", "~/Mail/foo.bar", true},
      {"", "&ZeVnLIqe-/*", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/x", true},
      {"", "*%*%*%", "anything/at/all", true},
      {"", "", "INBOX", false},
      {"", "a%%b", "a/b", false},
      {"", "a%*b", "a/b", true},
  };
  for (const auto& row : rows) {
    INFO(row.reference << " + " << row.pattern << " vs " << row.name);
    ListPattern p(row.reference, row.pattern, '/');
    CHECK(p.matches(row.name) == row.match);
  }
  ListPattern dot("", "a.%", '.');
  CHECK(dot.matches("a.b"));
  CHECK_FALSE(dot.matches("a.b.c"));
  // A hostile pattern stays linear: many wildcards against a long name.
  std::string hostile;
  for (int i = 0; i < 500; ++i) hostile += "a*";
  hostile += "b";
  ListPattern h("", hostile, '/');
  CHECK_FALSE(h.matches(std::string(2000, 'a')));
}
