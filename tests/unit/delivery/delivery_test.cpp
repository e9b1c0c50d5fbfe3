// Unit tests for local's recipient expansion and mailbox delivery against a
// temp queue and a temp spool: aliases (recursive, self-reference,
// duplicates), unknown users, Delivered-To loops, alias value syntax, and
// qmgr's recipient resolution.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <pwd.h>
#include <string>

#include "lib/base/file_io.hpp"
#include "lib/config/config.hpp"
#include "lib/queue/queue_writer.hpp"
#include "local/deliverer.hpp"
#include "lib/bounce/status_log.hpp"
#include "qmgr/resolve.hpp"

using namespace postern;

namespace {

struct Sandbox {
  std::string root;
  queue::QueueLayout layout;
  local::LocalParams params;
  local::UserCache users;
  std::string me;
  Sandbox(const std::string& aliases) {
    char tmpl[] = "/tmp/postern-delivery-test-XXXXXX";
    root = ::mkdtemp(tmpl);
    layout.queue_directory = root + "/queue";
    REQUIRE(queue::ensure_queue_folders(layout));
    std::filesystem::create_directories(root + "/spool");
    REQUIRE(write_file_atomic(root + "/aliases", aliases));
    me = ::getpwuid(::getuid())->pw_name;
    auto config = config::Config::from_text("myhostname = mail.example.test\nmydomain = example.test\n"
                                            "queue_directory = " + layout.queue_directory + "\n"
                                            "mail_spool_directory = " + root + "/spool\n"
                                            "alias_maps = texthash:" + root + "/aliases\n"
                                            "deliver_lock_delay = 0\n",
                                            root);
    params = local::load_params(config);
  }
  ~Sandbox() {
    std::error_code ec;
    std::filesystem::remove_all(root, ec);
  }
  ipc::DeliveryReply deliver(const std::string& rcpt, const std::string& message = "Subject: t\r\n\r\nhello\r\n") {
    queue::Envelope env;
    env.arrival_seconds = ::time(nullptr);
    env.sender = "alice@remote.test";
    queue::Recipient r;
    r.address = rcpt;
    env.recipients.push_back(r);
    queue::QueueIdGenerator ids;
    auto id = queue::enqueue(layout, ids, env, message);
    REQUIRE(id);
    auto reader = queue::QueueReader::open(layout.file_path(queue::kIncoming, *id));
    REQUIRE(reader);
    auto tables = maps::TableList::open(params.alias_maps);
    REQUIRE(tables);
    ipc::DeliveryRequest request{*id, reader->path(), env.sender, rcpt, rcpt, "", 0, 1, 1, 1};
    local::Deliverer d(params, *tables, users, *reader, request);
    return d.run();
  }
  std::string mailbox(const std::string& user) {
    auto text = read_file(root + "/spool/" + user);
    return text ? *text : std::string();
  }
};

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("alias values split like Postfix's", "[delivery]") {
  using V = std::vector<std::string>;
  CHECK(local::split_alias_value("a, b,c", false) == V{"a", "b", "c"});
  CHECK(local::split_alias_value("\"|cmd a, b\", /tmp/x", false) == V{"|cmd a, b", "/tmp/x"});
  CHECK(local::split_alias_value("# comment\nuser\n\\me\n", true) == V{"user", "\\me"});
  CHECK(local::split_alias_value(":include:/etc/list", false) == V{":include:/etc/list"});
}

TEST_CASE("aliases expand recursively into one mailbox delivery each", "[delivery]") {
  Sandbox s("");
  // texthash (postmap syntax): zhangsan -> boss -> me, and -> me directly (a duplicate); me -> me is a self reference.
  Sandbox t("zhangsan boss, " + s.me + "\nboss " + s.me + "\n" + s.me + " " + s.me + "\n");
  auto reply = t.deliver("zhangsan@mail.example.test");
  CHECK(!reply.deferred);
  CHECK(reply.failed.empty());
  std::string box_text = t.mailbox(s.me);
  CHECK(count(box_text, "\nSubject: t\n") == 1);
  CHECK(box_text.find("Delivered-To: " + s.me + "@mail.example.test\n") != std::string::npos);
  CHECK(box_text.find("Return-Path: <alice@remote.test>\n") != std::string::npos);
}

TEST_CASE("unknown users and forwarding loops bounce", "[delivery]") {
  Sandbox s("loop1 loop2\nloop2 loop1\n");
  auto unknown = s.deliver("no-such-user-xyz@mail.example.test");
  CHECK(!unknown.deferred);
  REQUIRE(unknown.failed.size() == 1);
  CHECK(unknown.failed[0].dsn == "5.1.1");
  CHECK(unknown.failed[0].reason == "unknown user: \"no-such-user-xyz\"");

  auto looped = s.deliver(s.me + "@mail.example.test",
                          "Delivered-To: " + s.me + "@mail.example.test\r\nSubject: t\r\n\r\nx\r\n");
  REQUIRE(looped.failed.size() == 1);
  CHECK(looped.failed[0].dsn == "5.4.6");
  CHECK(looped.failed[0].reason.find("mail forwarding loop") == 0);

  // local reads a long header in steps: a Delivered-To far down still counts,
  // one in the body does not.
  std::string filler;
  for (int i = 0; i < 600; ++i) filler += "X-Filler-" + std::to_string(i) + ": " + std::string(60, 'f') + "\r\n";
  REQUIRE(filler.size() > 64 * 1024 / 2);
  auto deep = s.deliver(s.me + "@mail.example.test",
                        "Subject: t\r\n" + filler + filler + "Delivered-To: " + s.me + "@mail.example.test\r\n\r\nx\r\n");
  REQUIRE(deep.failed.size() == 1);
  CHECK(deep.failed[0].dsn == "5.4.6");
  auto in_body = s.deliver(s.me + "@mail.example.test",
                           "Subject: t\r\n\r\n" + filler + "Delivered-To: " + s.me + "@mail.example.test\r\n");
  CHECK(in_body.failed.empty());
  CHECK(!in_body.deferred);

  // loop1 -> loop2 -> loop1: the second loop1 is taken as a user, who does not exist.
  auto alias_loop = s.deliver("loop1@mail.example.test");
  CHECK(!alias_loop.deferred);
  CHECK(alias_loop.failed.size() == 1);
}

TEST_CASE("recipient_delimiter finds the base user", "[delivery]") {
  Sandbox s("");
  s.params.recipient_delimiter = "+";
  auto reply = s.deliver(s.me + "+tag@mail.example.test");
  CHECK(!reply.deferred);
  CHECK(reply.failed.empty());
  CHECK(count(s.mailbox(s.me), "\nhello\n") == 1);
}

TEST_CASE(":include: files and /file targets", "[delivery]") {
  Sandbox s("");
  std::filesystem::create_directories(s.root + "/files");
  std::filesystem::permissions(s.root + "/files", std::filesystem::perms::all | std::filesystem::perms::sticky_bit);
  std::filesystem::permissions(s.root, std::filesystem::perms::owner_all | std::filesystem::perms::group_exec |
                                           std::filesystem::perms::others_exec);
  REQUIRE(write_file_atomic(s.root + "/list", "# members\n" + s.me + "\n" + s.root + "/files/archive\n"));
  REQUIRE(write_file_atomic(s.root + "/aliases", "list :include:" + s.root + "/list\n"));
  // Files from :include: need the "include" class (the default is alias, forward).
  s.params.allow_mail_to_files = {"alias", "forward", "include"};
  auto reply = s.deliver("list@mail.example.test");
  CHECK(!reply.deferred);
  CHECK(reply.failed.empty());
  CHECK(count(s.mailbox(s.me), "\nhello\n") == 1);
  auto archive = read_file(s.root + "/files/archive");
  REQUIRE(archive);
  CHECK(archive->find("\nhello\n") != std::string::npos);
  // Commands from :include: are not allowed by default (allow_mail_to_commands = alias, forward).
  REQUIRE(write_file_atomic(s.root + "/list", "|/bin/true\n"));
  auto refused = s.deliver("list@mail.example.test");
  REQUIRE(refused.failed.size() == 1);
  CHECK(refused.failed[0].reason == "mail to command is restricted");
}

TEST_CASE("owner- aliases become the sender; luser_relay takes unknown users", "[delivery]") {
  Sandbox s("");
  REQUIRE(write_file_atomic(s.root + "/aliases", "staff " + s.me + "\nowner-staff " + s.me + "\n"));
  auto reply = s.deliver("staff@mail.example.test");
  CHECK(reply.failed.empty());
  CHECK(s.mailbox(s.me).find("Return-Path: <owner-staff@mail.example.test>\n") != std::string::npos);

  s.params.luser_relay = s.me;
  auto relayed = s.deliver("nobody-here-xyz@mail.example.test");
  CHECK(!relayed.deferred);
  CHECK(relayed.failed.empty());
  CHECK(count(s.mailbox(s.me), "\nhello\n") == 2);
}

TEST_CASE("mailbox_size_limit bounces with 5.2.2 and keeps the mailbox whole", "[delivery]") {
  Sandbox s("");
  s.params.mailbox_size_limit = 100;
  auto reply = s.deliver(s.me + "@mail.example.test", "Subject: big\r\n\r\n" + std::string(300, 'x') + "\r\n");
  REQUIRE(reply.failed.size() == 1);
  CHECK(reply.failed[0].dsn == "5.2.2");
  CHECK(s.mailbox(s.me).empty());
}

TEST_CASE("qmgr resolves local and remote recipients", "[delivery]") {
  qmgr::QmgrParams p;
  p.myhostname = "mail.example.test";
  p.mydestination = {"mail.example.test", "localhost.example.test", "localhost"};
  p.inet_addresses = {"127.0.0.1"};
  p.double_bounce_sender = "double-bounce";
  p.local_transport = "local";
  p.local_transport_spec = "local:mail.example.test";
  p.default_transport = "smtp";
  p.relay_transport = "relay";
  qmgr::Router router(p);
  CHECK(router.resolve("boss@mail.example.test").route == qmgr::Route::local);
  CHECK(router.resolve("boss@LOCALHOST").route == qmgr::Route::local);
  CHECK(router.resolve("boss@[127.0.0.1]").route == qmgr::Route::local);
  CHECK(router.resolve("boss@example.org").route == qmgr::Route::remote);
  CHECK(router.resolve("double-bounce@mail.example.test").route == qmgr::Route::discard);
}

TEST_CASE("delays are logged in Postfix's short forms", "[delivery]") {
  CHECK(bounce::format_delay(0) == "0");
  CHECK(bounce::format_delay(0.000095) == "0");
  CHECK(bounce::format_delay(0.0041) == "0");
  CHECK(bounce::format_delay(0.36) == "0.36");
  CHECK(bounce::format_delay(0.4) == "0.4");
  CHECK(bounce::format_delay(1.25) == "1.2");
  CHECK(bounce::format_delay(12.4) == "12");
  bounce::StatusLine line{"QID", "a@b", "c@b", "local", {10, 10.5, 10.6, 10.6, 11}, "2.0.0", "sent", "delivered to mailbox"};
  CHECK(bounce::format_status(line) ==
        "QID: to=<a@b>, orig_to=<c@b>, relay=local, delay=1, delays=0.5/0.1/0/0.4, dsn=2.0.0, status=sent (delivered to mailbox)");
}
