// Argument grammars: STORE, APPEND, STATUS, COPY/MOVE, SELECT, RENAME,
// LOGIN, AUTHENTICATE (SASL-IR), ENABLE, ID, UID EXPUNGE.
#include <catch2/catch.hpp>

#include "lib/imap/command_args.hpp"
#include "lib/imap/date_time.hpp"
#include "tests/unit/imap/reader_helpers.hpp"

using namespace postern::imap;
using postern::imap::test::args_of;

TEST_CASE("STORE", "[imap][args]") {
  auto s = parse_store(args_of("1:3 +FLAGS.SILENT (\\Seen $Done)"));
  REQUIRE(s);
  CHECK(s->set.to_string() == "1:3");
  CHECK(s->mode == StoreRequest::Mode::add);
  CHECK(s->silent);
  CHECK(s->flags.system == flag::seen);
  CHECK(s->flags.keywords == std::vector<std::string>{"$Done"});
  s = parse_store(args_of("* -flags \\Deleted \\Draft"));
  REQUIRE(s);
  CHECK(s->mode == StoreRequest::Mode::remove);
  CHECK_FALSE(s->silent);
  CHECK(s->flags.system == (flag::deleted | flag::draft));
  s = parse_store(args_of("2 FLAGS ()"));
  REQUIRE(s);
  CHECK(s->mode == StoreRequest::Mode::replace);
  CHECK(s->flags.system == 0);

  struct Row {
    const char* args;
    const char* error;
  };
  const Row bad[] = {
      {"1 FLAGS", "Missing arguments, expected: STORE sequence-set [+|-]FLAGS[.SILENT] flags"},
      {"0 FLAGS (\\Seen)", "Invalid sequence set: 0 is not a valid message number or UID"},
      {"1 LABELS (\\Seen)", "STORE: invalid data item LABELS (expected [+|-]FLAGS[.SILENT])"},
      {"1 +FLAGS (\\Recent)", "\\Recent cannot be set by a client"},
      {"1 FLAGS.SILENTLY (\\Seen)", "STORE: invalid data item FLAGS.SILENTLY (expected [+|-]FLAGS[.SILENT])"},
      {"1 (UNCHANGEDSINCE 5) FLAGS (\\Seen)", "STORE: unknown modifier list"},
      {"1 FLAGS (\\Seen) (\\Draft)", "Invalid flag: list (flags are atoms)"},
  };
  for (const auto& row : bad) {
    INFO(row.args);
    auto r = parse_store(args_of(row.args));
    REQUIRE_FALSE(r);
    CHECK(r.error().text == row.error);
  }
  StoreOptions condstore;
  condstore.condstore = true;
  auto c = parse_store(args_of("1 (UNCHANGEDSINCE 5) FLAGS (\\Seen)"), condstore);
  REQUIRE(c);
  CHECK(c->unchanged_since == uint64_t(5));
}

TEST_CASE("APPEND", "[imap][args]") {
  auto a = parse_append(args_of("saved (\\Seen) \" 7-Jul-1996 02:44:25 -0700\" {5+}\r\nHello"));
  REQUIRE(a);
  CHECK(a->mailbox == "saved");
  CHECK(a->flags.system == flag::seen);
  REQUIRE(a->internal_date);
  CHECK(*a->internal_date == 836732665);
  CHECK(a->message == "Hello");
  a = parse_append(args_of("inbox {2+}\r\nHi"));
  REQUIRE(a);
  CHECK(a->mailbox == "INBOX");
  CHECK_FALSE(a->internal_date);
  a = parse_append(args_of("x () {2+}\r\nHi"));
  REQUIRE(a);
  a = parse_append(args_of("x \"01-Jan-2020 00:00:00 +0000\" {2+}\r\nHi"));
  REQUIRE(a);
  CHECK(*a->internal_date == 1577836800);

  struct Row {
    const char* args;
    const char* error;
  };
  const Row bad[] = {
      {"x", "Missing arguments, expected: APPEND mailbox [(flags)] [\"date-time\"] {size}"},
      {"x (\\Seen)", "APPEND: the message must be a literal"},
      {"x \"7-Jul-1996 02:44:25 -0700\" {2+}\r\nHi", "APPEND: invalid date-time \"7-Jul-1996 02:44:25 -0700\""},
      {"x \"31-Feb-1996 02:44:25 -0700\" {2+}\r\nHi", "APPEND: invalid date-time \"31-Feb-1996 02:44:25 -0700\""},
      {"x \"07-Jul-1996 25:44:25 -0700\" {2+}\r\nHi", "APPEND: invalid date-time \"07-Jul-1996 25:44:25 -0700\""},
      {"x 07-Jul-1996 {2+}\r\nHi", "APPEND: expected a quoted date-time, got atom 07-Jul-1996"},
      {"x (\\Bogus) {2+}\r\nHi", "Invalid system flag \\Bogus"},
      {"x (\\Seen) \"07-Jul-1996 02:44:25 -0700\" {2+}\r\nHi {1+}\r\nX",
       "Too many arguments, expected: APPEND mailbox [(flags)] [\"date-time\"] {size}"},
      {"x \"07-Jul-1996 02:44:25 -0700\" (\\Seen) {2+}\r\nHi",
       "Invalid arguments, expected: APPEND mailbox [(flags)] [\"date-time\"] {size}"},
      {"&Jjo {2+}\r\nHi", "Invalid mailbox name: '&' sequence without closing '-'"},
  };
  for (const auto& row : bad) {
    INFO(row.args);
    auto r = parse_append(args_of(row.args));
    REQUIRE_FALSE(r);
    CHECK(r.error().text == row.error);
  }
}

TEST_CASE("STATUS, COPY, MOVE, SELECT, RENAME, UID EXPUNGE", "[imap][args]") {
  auto st = parse_status(args_of("\"Sent Items\" (UIDNEXT MESSAGES unseen MESSAGES)"));
  REQUIRE(st);
  CHECK(st->mailbox == "Sent Items");
  CHECK(st->items.items == std::vector<StatusItem>{StatusItem::uidnext, StatusItem::messages, StatusItem::unseen});
  CHECK(std::string(status_item_name(StatusItem::uidvalidity)) == "UIDVALIDITY");
  CHECK(parse_status(args_of("x ()")).error().text == "STATUS needs at least one item");
  CHECK(parse_status(args_of("x (FOO)")).error().text == "STATUS: unknown item atom FOO");
  CHECK(parse_status(args_of("x (HIGHESTMODSEQ)")).error().text == "STATUS: unknown item atom HIGHESTMODSEQ");
  CHECK(parse_status(args_of("x MESSAGES")).error().text == "STATUS needs a parenthesized list of items");
  StatusOptions cs;
  cs.condstore = true;
  CHECK(parse_status(args_of("x (HIGHESTMODSEQ)"), cs));
  CHECK(parse_status(args_of("x (SIZE)")).error().text == "STATUS: unknown item atom SIZE");
  StatusOptions size;
  size.size = true;
  CHECK(parse_status(args_of("x (SIZE)"), size)->items.items == std::vector<StatusItem>{StatusItem::size});

  auto cp = parse_copy(args_of("2:4 &ZeVnLIqe-"));
  REQUIRE(cp);
  CHECK(cp->set.to_string() == "2:4");
  CHECK(cp->mailbox == "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
  CHECK(parse_copy(args_of("2:4")).error().text == "Missing arguments, expected: sequence-set mailbox");
  CHECK(parse_copy(args_of("(1) x")).error().text == "Expected a sequence set, got list");
  CHECK(parse_copy(args_of("$ x")).error().text == "Invalid sequence set: '$' (SEARCHRES) is not enabled");
  CHECK(parse_copy(args_of("$ x"), true));

  auto sel = parse_select(args_of("Inbox"));
  REQUIRE(sel);
  CHECK(sel->mailbox == "INBOX");
  CHECK_FALSE(sel->condstore);
  CHECK(parse_select(args_of("x (CONDSTORE)"))->condstore);
  CHECK(parse_select(args_of("x (QRESYNC)")).error().text == "Unknown SELECT parameter atom QRESYNC");
  CHECK(parse_select(args_of("inbox/Sub"))->mailbox == "INBOX/Sub");
  CHECK(parse_select(args_of("inboxes"))->mailbox == "inboxes");

  auto rn = parse_rename(args_of("a/b \"c d\""));
  REQUIRE(rn);
  CHECK(rn->first == "a/b");
  CHECK(rn->second == "c d");
  CHECK(parse_rename(args_of("a")).error().text == "Missing arguments, expected: RENAME old-name new-name");

  auto ue = parse_uid_expunge(args_of("3:5,9"));
  REQUIRE(ue);
  CHECK(ue->to_string() == "3:5,9");
  CHECK_FALSE(parse_uid_expunge(args_of("3 4")));
}

TEST_CASE("LOGIN, AUTHENTICATE with SASL-IR, ENABLE, ID", "[imap][args]") {
  auto login = parse_login(args_of("alice {6+}\r\ns\"c r\\"));
  REQUIRE(login);
  CHECK(login->user == "alice");
  CHECK(login->password == "s\"c r\\");
  CHECK(parse_login(args_of("alice")).error().text == "Missing arguments, expected: LOGIN user password");
  CHECK(parse_login(args_of("alice (x)")).error().text == "LOGIN: user and password must be strings");

  auto auth = parse_authenticate(args_of("plain AGFsaWNlAHNlY3JldA=="));
  REQUIRE(auth);
  CHECK(auth->mechanism == "PLAIN");
  CHECK(auth->initial_response == std::string("AGFsaWNlAHNlY3JldA=="));
  auto empty = parse_authenticate(args_of("PLAIN ="));
  REQUIRE(empty);
  CHECK(empty->initial_response == std::string());
  auto none = parse_authenticate(args_of("LOGIN"));
  REQUIRE(none);
  CHECK_FALSE(none->initial_response);
  CHECK(parse_authenticate(args_of("PLAIN a%b")).error().text == "AUTHENTICATE: the initial response is not base64");

  auto en = parse_enable(args_of("condstore UTF8=ACCEPT"));
  REQUIRE(en);
  CHECK(*en == std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"});
  CHECK_FALSE(parse_enable({}));

  auto id = parse_id(args_of("(\"name\" \"Thunderbird\" \"version\" NIL)"));
  REQUIRE(id);
  REQUIRE(id->size() == 2);
  CHECK((*id)[0].first == "name");
  CHECK((*id)[0].second == std::string("Thunderbird"));
  CHECK_FALSE((*id)[1].second);
  CHECK(parse_id(args_of("NIL"))->empty());
  CHECK(parse_id(args_of("(\"name\")")).error().text == "ID: fields and values must come in pairs");
  std::string many = "(";
  for (int i = 0; i < 31; ++i) many += "\"f" + std::to_string(i) + "\" \"v\" ";
  many += ")";
  CHECK(parse_id(args_of(many)).error().text == "ID: more than 30 field-value pairs");
  CHECK(parse_id(args_of("(\"" + std::string(31, 'f') + "\" \"v\")")).error().text ==
        "ID: field name longer than 30 octets");
}
