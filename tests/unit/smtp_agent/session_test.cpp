// The smtp agent's conversation (smtp/session.cpp) against scripted servers
// on loopback: pipelining, SIZE, reply classes, greeting failures, timeouts.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_file.hpp"
#include "smtp/session.hpp"

using namespace postern;
using namespace postern::smtp;

namespace {

// One scripted connection: the script reads and writes raw lines.
class Script {
 public:
  explicit Script(int fd) : fd_(fd) {}
  std::string line() {
    for (;;) {
      auto nl = in_.find("\r\n");
      if (nl != std::string::npos) {
        std::string l = in_.substr(0, nl);
        in_.erase(0, nl + 2);
        return l;
      }
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n <= 0) return "<closed>";
      in_.append(buf, static_cast<std::size_t>(n));
    }
  }
  // Lines already received without waiting for more (pipelining check).
  std::size_t buffered_lines() {
    std::size_t count = 0;
    for (std::size_t pos = 0; (pos = in_.find("\r\n", pos)) != std::string::npos; pos += 2) ++count;
    return count;
  }
  void wait_for_lines(std::size_t n) {
    while (buffered_lines() < n) {
      char buf[4096];
      ssize_t got = ::read(fd_, buf, sizeof buf);
      if (got <= 0) return;
      in_.append(buf, static_cast<std::size_t>(got));
    }
  }
  void send(const std::string& text) { (void)!::write(fd_, (text + "\r\n").data(), text.size() + 2); }
  // Reads the message up to "." and returns it.
  std::string data() {
    std::string body;
    for (std::string l = line(); l != "." && l != "<closed>"; l = line()) body += l + "\n";
    return body;
  }

 private:
  int fd_;
  std::string in_;
};

// A listener on 127.0.0.1 whose one connection is handled by `script` in a thread.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::function<void(Script&)> script) {
    listener_ = UniqueFd(::socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_.get(), reinterpret_cast<sockaddr*>(&in), sizeof in);
    ::listen(listener_.get(), 1);
    socklen_t len = sizeof in;
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&in), &len);
    port_ = ntohs(in.sin_port);
    thread_ = std::thread([this, script] {
      UniqueFd conn(::accept(listener_.get(), nullptr, nullptr));
      if (!conn) return;
      Script s(conn.get());
      script(s);
    });
  }
  ~ScriptedServer() {
    ::shutdown(listener_.get(), SHUT_RDWR);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  UniqueFd listener_;
  int port_ = 0;
  std::thread thread_;
};

// A queue file with one recipient, written straight in the queue format.
struct QueueFixture {
  std::string path;
  std::optional<queue::QueueReader> reader;
  explicit QueueFixture(const std::string& content, const std::vector<std::string>& rcpts = {"bob@example.net"},
                        const std::string& body_type = "") {
    char name[] = "/tmp/smtp-session-XXXXXX";
    int fd = ::mkstemp(name);
    path = name;
    queue::Envelope env;
    env.arrival_seconds = 1;
    env.sender = "alice@example.org";
    env.attributes.body = body_type;
    for (const auto& address : rcpts) {
      queue::Recipient r;
      r.address = address;
      env.recipients.push_back(r);
    }
    std::string bytes = queue::encode_envelope(env, content.size()) + content + std::string("E\0\0\0\0", 5);
    (void)!::write(fd, bytes.data(), bytes.size());
    ::fchmod(fd, 0700);  // the owner-execute "complete" mark
    ::close(fd);
    auto opened = queue::QueueReader::open(path);
    REQUIRE(opened);
    reader.emplace(std::move(*opened));
  }
  ~QueueFixture() { ::unlink(path.c_str()); }
};

SmtpParams test_params() {
  SmtpParams p;
  p.helo_name = "client.example.org";
  p.connect_timeout = 2;
  p.helo_timeout = 2;
  p.mail_timeout = p.rcpt_timeout = p.data_init_timeout = p.data_xfer_timeout = p.data_done_timeout = 2;
  p.quit_timeout = 1;
  p.tls_level = "none";
  return p;
}

Outcome run(const ScriptedServer& server, const std::string& content = "Subject: hi\r\n\r\nhello\r\n.dot line\r\n",
            SmtpParams params = test_params()) {
  QueueFixture queue(content);
  ipc::DeliveryRequest request;
  request.queue_id = "TESTID";
  request.sender = "alice@example.org";
  request.recipient = "bob@example.net";
  request.orig_rcpt = "bob@example.net";
  request.recipient_offset = queue.reader->envelope().recipients[0].done_offset;
  Candidate candidate{"mx.example.net", "127.0.0.1", server.port(), ""};
  SessionInput in{params, request, *queue.reader, candidate, nullptr, std::nullopt};
  auto outcomes = run_session(in);
  REQUIRE(outcomes.size() == 1);
  return outcomes.front();
}

}  // namespace

TEST_CASE("session: PIPELINING sends MAIL, RCPT and DATA in one go", "[smtp_agent]") {
  std::string mail, rcpt, body;
  std::size_t pipelined = 0;
  ScriptedServer server([&](Script& s) {
    s.send("220 mx.example.net ESMTP");
    s.line();
    s.send("250-mx.example.net\r\n250-PIPELINING\r\n250 SIZE 100000");
    s.wait_for_lines(3);  // all three commands arrive before any reply
    pipelined = s.buffered_lines();
    mail = s.line();
    rcpt = s.line();
    s.line();
    s.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead");
    body = s.data();
    s.send("250 2.0.0 Ok: queued as ABC");
    s.line();
    s.send("221 bye");
  });
  Outcome o = run(server);
  CHECK(o.kind == Outcome::Kind::sent);
  CHECK(o.dsn == "2.0.0");
  CHECK(o.reason == "250 2.0.0 Ok: queued as ABC");
  CHECK(pipelined == 3);
  CHECK(mail.starts_with("MAIL FROM:<alice@example.org> SIZE="));
  CHECK(rcpt == "RCPT TO:<bob@example.net>");
  CHECK(body == "Subject: hi\n\nhello\n..dot line\n");  // dot-stuffed on the wire
}

TEST_CASE("session: 4xx to RCPT defers, 5xx bounces, with the remote text", "[smtp_agent]") {
  for (const char* reply : {"450 4.2.0 <bob@example.net>: mailbox busy", "550 5.1.1 <bob@example.net>: no such user"}) {
    CAPTURE(reply);
    ScriptedServer server([&](Script& s) {
      s.send("220 mx.example.net ESMTP");
      s.line();
      s.send("250 mx.example.net");  // no PIPELINING: one command at a time
      s.line();
      s.send("250 2.1.0 Ok");
      s.line();
      s.send(reply);
      s.line();  // QUIT
      s.send("221 bye");
    });
    Outcome o = run(server);
    const bool temporary = reply[0] == '4';
    CHECK(o.kind == (temporary ? Outcome::Kind::defer : Outcome::Kind::bounce));
    CHECK(o.dsn == (temporary ? "4.2.0" : "5.1.1"));
    CHECK(o.reason == std::string("host mx.example.net[127.0.0.1] said: ") + reply + " (in reply to RCPT TO command)");
  }
}

TEST_CASE("session: a message over the server's SIZE is bounced unsent", "[smtp_agent]") {
  std::string after_ehlo;
  ScriptedServer server([&](Script& s) {
    s.send("220 mx.example.net ESMTP");
    s.line();
    s.send("250-mx.example.net\r\n250 SIZE 10");
    after_ehlo = s.line();
    s.send("221 bye");
  });
  Outcome o = run(server);
  CHECK(o.kind == Outcome::Kind::bounce);
  CHECK(o.dsn == "5.3.4");
  CHECK(o.reason.find("exceeds size limit 10") != std::string::npos);
  CHECK(after_ehlo.rfind("MAIL", 0) != 0);  // no MAIL FROM was sent
}

TEST_CASE("session: a 4xx greeting or a silent server means: try the next MX", "[smtp_agent]") {
  SECTION("421 greeting") {
    ScriptedServer server([](Script& s) {
      s.send("421 4.3.2 too busy");
      s.line();
    });
    Outcome o = run(server);
    CHECK(o.kind == Outcome::Kind::next);
    CHECK(o.reason.find("refused to talk to me: 421 4.3.2 too busy") != std::string::npos);
  }
  SECTION("no greeting within smtp_helo_timeout") {
    ScriptedServer server([](Script& s) { s.line(); });  // reads until the client gives up
    SmtpParams p = test_params();
    p.helo_timeout = 1;
    Outcome o = run(server, "x\r\n", p);
    CHECK(o.kind == Outcome::Kind::next);
    CHECK(o.reason.find("timed out while receiving the initial server greeting") != std::string::npos);
  }
  SECTION("nothing listens") {
    int port;
    {
      ScriptedServer closed([](Script&) {});
      port = closed.port();
    }
    QueueFixture queue("x\r\n");
    ipc::DeliveryRequest request;
    request.sender = "a@b";
    request.recipient = "c@d";
    SmtpParams p = test_params();
    Candidate candidate{"mx.example.net", "127.0.0.1", port, ""};
    Outcome o = run_session(SessionInput{p, request, *queue.reader, candidate, nullptr, std::nullopt}).front();
    CHECK(o.kind == Outcome::Kind::next);
    CHECK(o.reason.find("connect to mx.example.net[127.0.0.1]:") != std::string::npos);
  }
}

TEST_CASE("session: 5xx after the message bounces; a malformed reply defers", "[smtp_agent]") {
  SECTION("554 at end of data") {
    ScriptedServer server([](Script& s) {
      s.send("220 mx ESMTP");
      s.line();
      s.send("250 mx");
      s.line();
      s.send("250 ok");
      s.line();
      s.send("250 ok");
      s.line();
      s.send("354 go");
      s.data();
      s.send("554 5.7.1 spam");
      s.line();
      s.send("221 bye");
    });
    Outcome o = run(server);
    CHECK(o.kind == Outcome::Kind::bounce);
    CHECK(o.reason.find("(in reply to end of DATA command)") != std::string::npos);
  }
  SECTION("garbage instead of a reply to MAIL") {
    ScriptedServer server([](Script& s) {
      s.send("220 mx ESMTP");
      s.line();
      s.send("250 mx");
      s.line();
      s.send("hello there");
    });
    Outcome o = run(server);
    CHECK(o.kind == Outcome::Kind::defer);
  }
}

namespace {

// A request for every recipient of `queue`, in envelope order.
ipc::DeliveryRequest request_for(const QueueFixture& queue) {
  ipc::DeliveryRequest request;
  request.queue_id = "TESTID";
  request.sender = "alice@example.org";
  const auto& rcpts = queue.reader->envelope().recipients;
  for (std::size_t i = 0; i < rcpts.size(); ++i) {
    ipc::RequestRecipient r{rcpts[i].address, rcpts[i].address, rcpts[i].done_offset};
    if (i == 0) {
      request.recipient = r.address;
      request.orig_rcpt = r.orig_rcpt;
      request.recipient_offset = r.offset;
    } else {
      request.more_recipients.push_back(r);
    }
  }
  return request;
}

}  // namespace

TEST_CASE("session: several recipients share one transaction, each with its own RCPT result", "[smtp_agent]") {
  std::vector<std::string> rcpt_lines;
  int transactions = 0;
  ScriptedServer server([&](Script& s) {
    s.send("220 mx.example.net ESMTP");
    s.line();
    s.send("250-mx.example.net\r\n250 PIPELINING");
    s.wait_for_lines(5);  // MAIL, three RCPTs and DATA in one go
    s.line();
    for (int i = 0; i < 3; ++i) rcpt_lines.push_back(s.line());
    s.line();
    s.send("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <two@example.net>: no such user\r\n"
           "450 4.2.1 <three@example.net>: try later\r\n354 go ahead");
    s.data();
    ++transactions;
    s.send("250 2.0.0 Ok: queued as XYZ");
    s.line();
    s.send("221 bye");
  });
  QueueFixture queue("Subject: hi\r\n\r\nhello\r\n", {"one@example.net", "two@example.net", "three@example.net"});
  ipc::DeliveryRequest request = request_for(queue);
  SmtpParams params = test_params();
  Candidate candidate{"mx.example.net", "127.0.0.1", server.port(), ""};
  auto outcomes = run_session(SessionInput{params, request, *queue.reader, candidate, nullptr, std::nullopt});
  REQUIRE(outcomes.size() == 3);
  CHECK(transactions == 1);
  CHECK(rcpt_lines == std::vector<std::string>{"RCPT TO:<one@example.net>", "RCPT TO:<two@example.net>",
                                               "RCPT TO:<three@example.net>"});
  CHECK(outcomes[0].kind == Outcome::Kind::sent);
  CHECK(outcomes[0].reason == "250 2.0.0 Ok: queued as XYZ");
  CHECK(outcomes[1].kind == Outcome::Kind::bounce);
  CHECK(outcomes[1].dsn == "5.1.1");
  CHECK(outcomes[1].reason.find("(in reply to RCPT TO command)") != std::string::npos);
  CHECK(outcomes[2].kind == Outcome::Kind::defer);
  CHECK(outcomes[2].dsn == "4.2.1");
}

TEST_CASE("session: when every RCPT is refused no content is sent", "[smtp_agent]") {
  std::string after_rcpts;
  ScriptedServer server([&](Script& s) {
    s.send("220 mx ESMTP");
    s.line();
    s.send("250 mx");  // no PIPELINING
    s.line();
    s.send("250 ok");
    s.line();
    s.send("550 5.1.1 nope");
    s.line();
    s.send("451 4.3.0 later");
    after_rcpts = s.line();
    s.send("221 bye");
  });
  QueueFixture queue("x\r\n", {"a@example.net", "b@example.net"});
  ipc::DeliveryRequest request = request_for(queue);
  SmtpParams params = test_params();
  Candidate candidate{"mx", "127.0.0.1", server.port(), ""};
  auto outcomes = run_session(SessionInput{params, request, *queue.reader, candidate, nullptr, std::nullopt});
  REQUIRE(outcomes.size() == 2);
  CHECK(outcomes[0].kind == Outcome::Kind::bounce);
  CHECK(outcomes[1].kind == Outcome::Kind::defer);
  CHECK(after_rcpts == "QUIT");
}

TEST_CASE("session: LMTP answers each accepted recipient after the content", "[smtp_agent]") {
  ScriptedServer server([&](Script& s) {
    s.send("220 lmtp ready");
    s.line();
    s.send("250 lmtp");
    s.line();
    s.send("250 ok");
    for (int i = 0; i < 3; ++i) {
      s.line();
      s.send(i == 1 ? "550 5.1.1 unknown" : "250 ok");
    }
    s.line();
    s.send("354 go");
    s.data();
    s.send("250 2.0.0 one delivered\r\n452 4.2.2 three over quota");
    s.line();
    s.send("221 bye");
  });
  QueueFixture queue("x\r\n", {"one@l", "two@l", "three@l"});
  ipc::DeliveryRequest request = request_for(queue);
  SmtpParams params = test_params();
  params.lmtp = true;
  Candidate candidate{"lmtp", "127.0.0.1", server.port(), ""};
  auto outcomes = run_session(SessionInput{params, request, *queue.reader, candidate, nullptr, std::nullopt});
  REQUIRE(outcomes.size() == 3);
  CHECK(outcomes[0].kind == Outcome::Kind::sent);
  CHECK(outcomes[0].reason == "250 2.0.0 one delivered");
  CHECK(outcomes[1].kind == Outcome::Kind::bounce);
  CHECK(outcomes[2].kind == Outcome::Kind::defer);
  CHECK(outcomes[2].dsn == "4.2.2");
}

TEST_CASE("session: 8-bit content to a server without 8BITMIME goes as quoted-printable", "[smtp_agent]") {
  const std::string content = "Subject: 8bit\r\n\r\ncaf\xc3\xa9\r\n";
  struct Row {
    const char* name;
    bool server_8bitmime;
    bool disable_conversion;
    const char* mail_suffix;
    const char* body;
  };
  for (const Row& row : {Row{"no 8BITMIME: converted", false, false, "", "Subject: 8bit\nMIME-Version: 1.0\n"
                                                                     "Content-Transfer-Encoding: quoted-printable\n\n"
                                                                     "caf=C3=A9\n"},
                         Row{"disable_mime_output_conversion", false, true, "", nullptr},
                         Row{"8BITMIME announced", true, false, " BODY=8BITMIME", nullptr}}) {
    INFO(row.name);
    std::string mail, body;
    ScriptedServer server([&](Script& s) {
      s.send("220 mx ESMTP");
      s.line();
      s.send(row.server_8bitmime ? "250-mx\r\n250 8BITMIME" : "250 mx");
      mail = s.line();
      s.send("250 ok");
      s.line();
      s.send("250 ok");
      s.line();
      s.send("354 go");
      body = s.data();
      s.send("250 2.0.0 ok");
      s.line();
      s.send("221 bye");
    });
    QueueFixture queue(content, {"bob@example.net"}, "8BITMIME");
    ipc::DeliveryRequest request = request_for(queue);
    SmtpParams params = test_params();
    params.disable_mime_conversion = row.disable_conversion;
    Candidate candidate{"mx", "127.0.0.1", server.port(), ""};
    auto outcomes = run_session(SessionInput{params, request, *queue.reader, candidate, nullptr, std::nullopt});
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].kind == Outcome::Kind::sent);
    CHECK(mail == std::string("MAIL FROM:<alice@example.org>") + row.mail_suffix);
    CHECK(body == (row.body ? std::string(row.body) : "Subject: 8bit\n\ncaf\xc3\xa9\n"));
  }
}

TEST_CASE("session: a 354 after every RCPT was refused gets an empty message, not the content", "[smtp_agent]") {
  std::vector<std::string> after;
  ScriptedServer server([&](Script& s) {
    s.send("220 mx ESMTP");
    s.line();
    s.send("250-mx\r\n250 PIPELINING");
    s.wait_for_lines(3);
    for (int i = 0; i < 3; ++i) s.line();
    s.send("250 ok\r\n550 5.1.1 nope\r\n354 go ahead anyway");
    after.push_back(s.line());
    s.send("554 5.5.1 no valid recipients");
    after.push_back(s.line());
    s.send("221 bye");
  });
  QueueFixture queue("Subject: secret\r\n\r\nbody\r\n", {"a@example.net"});
  ipc::DeliveryRequest request = request_for(queue);
  SmtpParams params = test_params();
  Candidate candidate{"mx", "127.0.0.1", server.port(), ""};
  auto outcomes = run_session(SessionInput{params, request, *queue.reader, candidate, nullptr, std::nullopt});
  REQUIRE(outcomes.size() == 1);
  CHECK(outcomes[0].kind == Outcome::Kind::bounce);
  CHECK(after == std::vector<std::string>{".", "QUIT"});
}
