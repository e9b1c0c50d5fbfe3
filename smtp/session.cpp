// The SMTP/LMTP client conversation (see session.hpp). Runs in smtp/lmtp
// (mail_owner).
#include "smtp/session.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <optional>
#include <tuple>
#include <utility>
#include <variant>

#include "lib/bounce/status_log.hpp"
#include "lib/mime/downgrade.hpp"
#include "lib/smtp/command.hpp"
#include "lib/smtp/dot_stuff.hpp"
#include "lib/smtp/xtext.hpp"
#include "smtp/peer.hpp"

namespace postern::smtp {

namespace {

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Wipes a secret-bearing string before it is freed.
struct Wiped {
  std::string text;
  ~Wiped() { OPENSSL_cleanse(text.data(), text.size()); }
};

class Conversation {
 public:
  Conversation(const SessionInput& in, Peer& peer) : in_(in), peer_(peer) {}

  std::string said(const ServerReply& reply, std::string_view command) const {
    return "host " + in_.server.host + (in_.server.address.empty() ? "" : "[" + in_.server.address + "]") +
           " said: " + reply.flat() + " (in reply to " + std::string(command) + " command)";
  }
  std::string lost(const Error& error, std::string_view when) const {
    std::string what = error.sys_errno == ETIMEDOUT ? "conversation with " : "lost connection with ";
    return what + in_.server.host + (in_.server.address.empty() ? "" : "[" + in_.server.address + "]") +
           (error.sys_errno == ETIMEDOUT ? " timed out" : "") + " while " + std::string(when);
  }

  Outcome from_reply(const ServerReply& reply, std::string_view command, bool before_mail) const {
    Outcome o;
    std::string enhanced = reply.enhanced();
    o.dsn = enhanced.empty() ? default_enhanced(reply.code) : enhanced;
    o.reason = said(reply, command);
    if (before_mail) o.kind = Outcome::Kind::next;
    else o.kind = reply.code >= 500 ? Outcome::Kind::bounce : Outcome::Kind::defer;
    return o;
  }
  Outcome broken(const Error& error, std::string_view when, bool before_mail) const {
    Outcome o;
    o.kind = before_mail ? Outcome::Kind::next : Outcome::Kind::defer;
    o.dsn = "4.4.2";
    o.reason = lost(error, when);
    return o;
  }

  // Sends `line` and reads one reply; nullopt-equivalent errors become an Outcome.
  std::variant<ServerReply, Outcome> command(const std::string& line, std::string_view name, int timeout,
                                             bool before_mail, std::string_view when) {
    peer_.set_timeout(timeout);
    if (auto ok = peer_.write(line); !ok) return broken(ok.error(), when, before_mail);
    auto reply = peer_.read_reply();
    if (!reply) return broken(reply.error(), when, before_mail);
    (void)name;
    return std::move(*reply);
  }

  const SessionInput& in_;
  Peer& peer_;
};

bool allowed_mechanism(const std::vector<std::string>& options, const std::string& mech) {
  for (const auto& o : options) {
    if (o == "noplaintext" && (mech == "PLAIN" || mech == "LOGIN")) return false;
  }
  return true;
}

// A conversation ready for MAIL FROM.
struct Opened {
  Peer peer;
  EhloFeatures features;
  std::string tls_info;
};

std::variant<Opened, Outcome> open_session(const SessionInput& in) {
  const SmtpParams& p = in.params;
  const Candidate& server = in.server;
  const SourceAddress source{p.bind_address, p.bind_address6, p.bind_enforce};
  auto connected = server.unix_path.empty() ? Peer::connect_inet(server.address, server.port, p.connect_timeout, source)
                                            : Peer::connect_unix(server.unix_path, p.connect_timeout);
  if (!connected) {
    Outcome o;
    o.kind = Outcome::Kind::next;
    // A source address that cannot be bound is our fault, not the server's.
    o.dsn = connected.error().message.starts_with(Peer::kBindFailure) ? "4.4.0" : "4.4.1";
    o.reason = "connect to " + server.relay() + ": " + connected.error().message;
    return o;
  }
  Peer& peer = *connected;
  Conversation c(in, peer);

  peer.set_timeout(p.helo_timeout);
  auto greeting = peer.read_reply();
  if (!greeting) return c.broken(greeting.error(), "receiving the initial server greeting", true);
  if (greeting->code != 220) {
    Outcome o = c.from_reply(*greeting, "initial greeting", true);
    o.reason = "host " + server.host + "[" + server.address + "] refused to talk to me: " + greeting->flat();
    if (greeting->code >= 500 && !p.skip_5xx_greeting) o.kind = Outcome::Kind::bounce;
    return o;
  }

  const std::string hello_verb = p.lmtp ? "LHLO" : "EHLO";
  auto ehlo = [&]() -> std::variant<ServerReply, Outcome> {
    return c.command(hello_verb + " " + p.helo_name + "\r\n", hello_verb, p.helo_timeout, true,
                     "sending " + hello_verb);
  };
  auto hello = ehlo();
  if (auto* o = std::get_if<Outcome>(&hello)) return *o;
  EhloFeatures features;
  if (std::get<ServerReply>(hello).code != 250) {
    if (p.lmtp) return c.from_reply(std::get<ServerReply>(hello), "LHLO", true);
    // A server without ESMTP: plain HELO.
    auto helo = c.command("HELO " + p.helo_name + "\r\n", "HELO", p.helo_timeout, true, "sending HELO");
    if (auto* o = std::get_if<Outcome>(&helo)) return *o;
    if (std::get<ServerReply>(helo).code != 250) return c.from_reply(std::get<ServerReply>(helo), "HELO", true);
  } else {
    features = parse_ehlo(std::get<ServerReply>(hello));
  }

  // STARTTLS by level: may = when offered; encrypt, verify, secure = required.
  const bool tls_required = p.tls_level == "encrypt" || p.tls_level == "verify" || p.tls_level == "secure";
  std::string tls_info;
  if (in.tls && (features.starttls || tls_required) && server.unix_path.empty()) {
    if (!features.starttls) {
      Outcome o;
      o.kind = Outcome::Kind::next;
      o.dsn = "4.7.4";
      o.reason = "TLS is required, but was not offered by host " + server.host + "[" + server.address + "]";
      return o;
    }
    auto starttls = c.command("STARTTLS\r\n", "STARTTLS", p.helo_timeout, true, "sending STARTTLS");
    if (auto* o = std::get_if<Outcome>(&starttls)) return *o;
    const ServerReply& answer = std::get<ServerReply>(starttls);
    if (answer.code != 220) {
      if (tls_required) {
        Outcome o = c.from_reply(answer, "STARTTLS", true);
        o.dsn = "4.7.5";
        return o;
      }
      // may: carry on in plaintext, as Postfix does.
    } else {
      std::string verify_name = p.tls_level == "verify" || p.tls_level == "secure" ? server.host : "";
      if (auto ok = peer.start_tls(*in.tls, server.host, verify_name); !ok) {
        Outcome o;
        o.kind = Outcome::Kind::next;
        o.dsn = "4.7.5";
        o.reason = "TLS handshake with " + server.relay() + " failed: " + ok.error().message;
        return o;
      }
      tls_info = peer.tls()->trust() + " TLS connection established to " + server.relay() + ": " +
                 peer.tls()->description();
      auto again = ehlo();  // RFC 3207: forget what we knew, ask again
      if (auto* o = std::get_if<Outcome>(&again)) return *o;
      if (std::get<ServerReply>(again).code != 250) return c.from_reply(std::get<ServerReply>(again), hello_verb, true);
      features = parse_ehlo(std::get<ServerReply>(again));
    }
  }

  if (in.credentials && !features.auth.empty()) {
    const auto& options = peer.tls_active() ? p.sasl_tls_security_options : p.sasl_security_options;
    std::string mech;
    for (const char* m : {"PLAIN", "LOGIN"}) {
      for (const auto& offered : features.auth)
        if (mech.empty() && offered == m && allowed_mechanism(options, m)) mech = m;
    }
    if (mech.empty()) {
      Outcome o;
      o.kind = Outcome::Kind::defer;
      o.dsn = "4.7.0";
      o.reason = "SASL authentication failed: server " + server.relay() +
                 " offered no supported authentication mechanisms (smtp_sasl_security_options)";
      return o;
    }
    std::variant<ServerReply, Outcome> step;
    if (mech == "PLAIN") {
      Wiped token{std::string(1, '\0') + in.credentials->user + std::string(1, '\0') + in.credentials->password};
      Wiped line{"AUTH PLAIN " + base64(token.text) + "\r\n"};
      step = c.command(line.text, "AUTH", p.helo_timeout, true, "authenticating");
    } else {
      step = c.command("AUTH LOGIN\r\n", "AUTH", p.helo_timeout, true, "authenticating");
      for (const std::string* secret : {&in.credentials->user, &in.credentials->password}) {
        if (std::holds_alternative<Outcome>(step) || std::get<ServerReply>(step).code != 334) break;
        Wiped line{base64(*secret) + "\r\n"};
        step = c.command(line.text, "AUTH", p.helo_timeout, true, "authenticating");
      }
    }
    if (auto* o = std::get_if<Outcome>(&step)) return *o;
    const ServerReply& auth_reply = std::get<ServerReply>(step);
    if (auth_reply.code != 235) {
      Outcome o = c.from_reply(auth_reply, "AUTH", false);
      o.reason = "SASL authentication failed; server " + server.relay() + " said: " + auth_reply.flat();
      // Postfix defers: the password may be fixed, or the server may recover.
      o.kind = Outcome::Kind::defer;
      if (o.dsn.starts_with('5')) o.dsn = "4" + o.dsn.substr(1);
      return o;
    }
  }

  return Opened{std::move(peer), std::move(features), std::move(tls_info)};
}

// The recipient's DSN words for RCPT TO (NOTIFY=, ORCPT=), from the envelope.
std::string rcpt_command(const SessionInput& in, const EhloFeatures& features, const ipc::RequestRecipient& rcpt) {
  std::string line = "RCPT TO:<" + rcpt.address + ">";
  if (features.dsn) {
    unsigned notify = 0;
    std::string orcpt;
    for (const auto& r : in.queue.envelope().recipients) {
      if (r.done_offset == rcpt.offset) {
        notify = r.notify;
        orcpt = r.orcpt;
      }
    }
    if (notify) {
      std::string words;
      if (notify & notify_never) words = "NEVER";
      for (auto [bit, word] : {std::pair{notify_success, "SUCCESS"}, {notify_failure, "FAILURE"}, {notify_delay, "DELAY"}}) {
        if ((notify & bit) && !(notify & notify_never)) words += (words.empty() ? "" : ",") + std::string(word);
      }
      line += " NOTIFY=" + words;
    }
    if (!orcpt.empty()) {
      auto semi = orcpt.find(';');
      if (semi != std::string::npos) line += " ORCPT=" + orcpt.substr(0, semi + 1) + xtext_encode(orcpt.substr(semi + 1));
    } else {
      line += " ORCPT=rfc822;" + xtext_encode(rcpt.orig_rcpt);
    }
  }
  return line + "\r\n";
}

// Sends the queue file's content, dot-stuffed; converted to 7 bit first for
// a server without 8BITMIME (unless disable_mime_output_conversion).
std::optional<Outcome> send_content(const SessionInput& in, const EhloFeatures& features, Peer& peer,
                                    const Conversation& c) {
  const std::uint64_t size = in.queue.file().content_size;
  auto read_failed = [](const std::string& why) {
    Outcome o;
    o.kind = Outcome::Kind::defer;
    o.dsn = "4.3.0";
    o.reason = "cannot read the queue file: " + why;
    return o;
  };
  DotStuffer stuffer;
  std::string wire;
  auto send = [&](std::string_view piece) -> std::optional<Outcome> {
    wire.clear();
    stuffer.feed(piece, wire);
    if (auto ok = peer.write(wire); !ok) return c.broken(ok.error(), "sending message body", false);
    return std::nullopt;
  };
  peer.set_timeout(in.params.data_xfer_timeout);
  if (!features.eightbitmime && !in.params.disable_mime_conversion) {
    // The whole message in memory (bounded by message_size_limit at entry).
    std::string content;
    content.reserve(size);
    while (content.size() < size) {
      auto piece = in.queue.read_content(content.size(), 64 * 1024);
      if (!piece || piece->empty()) return read_failed(piece ? "short read" : piece.error().message);
      content += *piece;
    }
    std::optional<std::string> converted;
    if (mime::has_8bit(content) || in.queue.envelope().attributes.body == "8BITMIME") {
      converted = mime::downgrade_to_7bit(content);
    }
    const std::string& out = converted ? *converted : content;
    for (std::size_t at = 0; at < out.size(); at += 64 * 1024) {
      if (auto failed = send(std::string_view(out).substr(at, 64 * 1024))) return failed;
    }
  } else {
    std::uint64_t offset = 0;
    while (offset < size) {
      auto piece = in.queue.read_content(offset, 64 * 1024);
      if (!piece || piece->empty()) return read_failed(piece ? "short read" : piece.error().message);
      offset += piece->size();
      if (auto failed = send(*piece)) return failed;
    }
  }
  wire.clear();
  stuffer.finish(wire);
  if (auto ok = peer.write(wire); !ok) return c.broken(ok.error(), "sending message body", false);
  return std::nullopt;
}

// MAIL, one RCPT per recipient, DATA, the content and the replies after it.
std::vector<Outcome> transaction(const SessionInput& in, Opened& session) {
  const SmtpParams& p = in.params;
  Peer& peer = session.peer;
  const EhloFeatures& features = session.features;
  const Candidate& server = in.server;
  Conversation c(in, peer);
  const std::vector<ipc::RequestRecipient> rcpts = in.request.all_recipients();
  const std::size_t n = rcpts.size();
  const double connected = bounce::now_seconds();

  std::vector<Outcome> out(n);  // kind next: not settled yet
  auto settle_rest = [&](const Outcome& o) {
    for (auto& r : out) {
      if (r.kind == Outcome::Kind::next) r = o;
    }
  };
  auto finish = [&]() {
    for (auto& r : out) {
      r.connected = connected;
      r.tls_info = session.tls_info;
    }
    return out;
  };
  auto quit = [&] {
    peer.set_timeout(p.quit_timeout);
    if (peer.write("QUIT\r\n")) (void)peer.read_reply();
  };

  // The message: SIZE checks before anything is sent.
  const std::uint64_t size = in.queue.file().content_size;
  if (features.size && *features.size > 0 && size > *features.size) {
    Outcome o;
    o.kind = Outcome::Kind::bounce;
    o.dsn = "5.3.4";
    o.reason = "message size " + std::to_string(size) + " exceeds size limit " + std::to_string(*features.size) +
               " of server " + server.relay();
    quit();
    settle_rest(o);
    return finish();
  }
  const queue::Envelope& env = in.queue.envelope();
  std::string mail = "MAIL FROM:<" + in.request.sender + ">";
  if (features.size) mail += " SIZE=" + std::to_string(size);
  // BODY=8BITMIME only to a server that announced it; to one that did not,
  // the content is converted to 7 bit (send_content).
  if (features.eightbitmime && env.attributes.body == "8BITMIME") mail += " BODY=8BITMIME";
  if (features.dsn) {
    if (!env.attributes.ret.empty()) mail += " RET=" + env.attributes.ret;
    if (!env.attributes.envid.empty()) mail += " ENVID=" + xtext_encode(env.attributes.envid);
  }
  mail += "\r\n";

  ServerReply mail_reply, data_reply;
  std::vector<ServerReply> rcpt_replies(n);
  if (features.pipelining) {
    // One write for MAIL, the RCPTs and DATA (RFC 2920); replies come in order.
    std::string batch = mail;
    for (const auto& r : rcpts) batch += rcpt_command(in, features, r);
    batch += "DATA\r\n";
    peer.set_timeout(p.mail_timeout);
    if (auto ok = peer.write(batch); !ok) {
      settle_rest(c.broken(ok.error(), "sending MAIL FROM", false));
      return finish();
    }
    auto read = [&](ServerReply& into, const char* when, int timeout) {
      peer.set_timeout(timeout);
      auto r = peer.read_reply();
      if (!r) {
        settle_rest(c.broken(r.error(), when, false));
        return false;
      }
      into = std::move(*r);
      return true;
    };
    if (!read(mail_reply, "receiving the MAIL FROM reply", p.mail_timeout)) return finish();
    for (auto& reply : rcpt_replies) {
      if (!read(reply, "receiving the RCPT TO reply", p.rcpt_timeout)) return finish();
    }
    if (!read(data_reply, "receiving the DATA reply", p.data_init_timeout)) return finish();
  } else {
    auto m = c.command(mail, "MAIL FROM", p.mail_timeout, false, "sending MAIL FROM");
    if (auto* o = std::get_if<Outcome>(&m)) {
      settle_rest(*o);
      return finish();
    }
    mail_reply = std::get<ServerReply>(m);
    if (mail_reply.positive()) {
      bool any_accepted = false;
      for (std::size_t i = 0; i < n; ++i) {
        auto r = c.command(rcpt_command(in, features, rcpts[i]), "RCPT TO", p.rcpt_timeout, false, "sending RCPT TO");
        if (auto* o = std::get_if<Outcome>(&r)) {
          settle_rest(*o);
          return finish();
        }
        rcpt_replies[i] = std::get<ServerReply>(r);
        any_accepted = any_accepted || rcpt_replies[i].positive();
      }
      if (any_accepted) {
        auto d = c.command("DATA\r\n", "DATA", p.data_init_timeout, false, "sending DATA");
        if (auto* o = std::get_if<Outcome>(&d)) {
          settle_rest(*o);
          return finish();
        }
        data_reply = std::get<ServerReply>(d);
      }
    }
  }
  if (!mail_reply.positive()) {
    quit();
    settle_rest(c.from_reply(mail_reply, "MAIL FROM", false));
    return finish();
  }
  std::vector<std::size_t> accepted;
  for (std::size_t i = 0; i < n; ++i) {
    if (rcpt_replies[i].positive()) accepted.push_back(i);
    else out[i] = c.from_reply(rcpt_replies[i], "RCPT TO", false);
  }
  if (accepted.empty()) {
    // A pipelined DATA after refused RCPTs got 503/554: end the transaction.
    // A server that said 354 anyway gets an empty message (RFC 2920).
    if (data_reply.code == 354) {
      peer.set_timeout(p.data_done_timeout);
      if (peer.write(".\r\n")) (void)peer.read_reply();
    }
    quit();
    return finish();
  }
  if (data_reply.code != 354) {
    quit();
    settle_rest(c.from_reply(data_reply, "DATA", false));
    return finish();
  }
  if (auto failed = send_content(in, features, peer, c)) {
    settle_rest(*failed);
    return finish();
  }
  // SMTP answers once for the message; LMTP once per accepted recipient,
  // in RCPT order (RFC 2033 4.2).
  const std::size_t answers = p.lmtp ? accepted.size() : 1;
  for (std::size_t k = 0; k < answers; ++k) {
    peer.set_timeout(p.data_done_timeout);
    auto done = peer.read_reply();
    if (!done) {
      settle_rest(c.broken(done.error(), "sending end of data -- message may be sent more than once", false));
      return finish();
    }
    Outcome o;
    if (done->positive()) {
      std::string enhanced = done->enhanced();
      o.kind = Outcome::Kind::sent;
      o.dsn = enhanced.empty() ? "2.0.0" : enhanced;
      o.reason = done->flat();
    } else {
      o = c.from_reply(*done, "end of DATA", false);
    }
    if (p.lmtp) out[accepted[k]] = o;
    else settle_rest(o);
  }
  quit();
  return finish();
}

}  // namespace

std::vector<Outcome> run_session(const SessionInput& in) {
  const std::size_t n = 1 + in.request.more_recipients.size();
  auto opened = open_session(in);
  if (auto* o = std::get_if<Outcome>(&opened)) return std::vector<Outcome>(n, *o);
  return transaction(in, std::get<Opened>(opened));
}

}  // namespace postern::smtp
