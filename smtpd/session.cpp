// Session I/O, input modes, deadlines and logging (see session.hpp). Runs in
// smtpd as mail_owner; every callback returns to the loop quickly.
#include "smtpd/session.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "lib/bounce/transcript_notice.hpp"
#include "lib/log/log.hpp"
#include "smtpd/commands.hpp"

namespace postern::smtpd {
namespace {

constexpr std::size_t kReadChunk = 65536;
constexpr std::size_t kMaxPendingOutput = 256 * 1024;  // stop reading a client that does not read replies

Client peer_of(int fd) {
  Client c;
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  char buf[INET6_ADDRSTRLEN] = {};
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0 && ss.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
    c.address = buf;
  } else if (ss.ss_family == AF_INET6) {
    auto* a6 = &reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(a6))
      inet_ntop(AF_INET, reinterpret_cast<const unsigned char*>(a6) + 12, buf, sizeof buf);
    else
      inet_ntop(AF_INET6, a6, buf, sizeof buf);
    c.address = buf;
  } else {
    // Stand-alone mode (-S) on a pipe or UNIX socket: a local client.
    c.address = "127.0.0.1";
    c.name = c.reverse_name = "localhost";
    c.from_socket = false;
  }
  return c;
}

}  // namespace

Session::Session(ServerContext& server, std::uint64_t id, UniqueFd fd, service::ClientLease lease)
    : server_(server), id_(id), fd_(std::move(fd)), lease_(std::move(lease)) {
  smtp::DataOptions data;
  data.message_size_limit = server_.params.message_size_limit;
  decoder_ = smtp::DataDecoder(data);
  bdat_ = smtp::BdatReceiver(server_.params.message_size_limit);
}

Session::~Session() = default;

void Session::start() {
  set_nonblocking(fd_.get(), true);
  client_ = peer_of(fd_.get());
  read_watch_ = net::Watcher::readable(server_.loop, fd_.get(), [this] { on_readable(); });
  write_watch_ = net::Watcher::writable(server_.loop, fd_.get(), [this] { on_writable(); });
  deadline_ = net::Watcher::timer(server_.loop, [this] { on_timeout(); });
  resume_ = net::Watcher::timer(server_.loop, [this] {
    paused_ = false;
    flush();
    process();
  });
  sasl_reaper_ = net::Watcher::timer(server_.loop, [this] { sasl_retired_.clear(); });
  lookup_peer_name();  // then greet()
}

void Session::greet() {
  log::info("connect from %s", client_.namaddr().c_str());
  if (!params().policy.delay_reject) check_client_at_connect();
  arm_deadline();
  if (params().tls_wrappermode) {
    // smtps (465): TLS from the first byte; the banner follows the handshake.
    if (server_.tls == nullptr) {
      log::warning("smtpd_tls_wrappermode = yes without a usable certificate: closing %s", client_.namaddr().c_str());
      return finish(nullptr);
    }
    return start_tls();
  }
  emit("220 " + params().banner + "\r\n");
  read_watch_.enable();
  flush();
}

std::string Session::protocol() const {
  std::string p = esmtp_ ? "ESMTP" : "SMTP";
  if (tls_active_) p += "S";
  if (!sasl_username_.empty()) p += "A";
  return p;
}

std::vector<std::string> Session::offered_mechanisms() const {
  const auto& p = params();
  if (!p.sasl_enable || (p.tls_auth_only && !tls_active_)) return {};
  const auto& options = tls_active_ ? p.sasl_tls_security_options : p.sasl_security_options;
  auto has = [&options](const char* o) { return std::find(options.begin(), options.end(), o) != options.end(); };
  std::vector<std::string> out;
  for (const auto& m : server_.sasl_mechanisms) {
    if (has("noplaintext") && (m == "PLAIN" || m == "LOGIN")) continue;
    if (has("noanonymous") && m == "ANONYMOUS") continue;
    out.push_back(m);
  }
  return out;
}

void Session::begin_starttls() {
  // CVE-2011-0411: nothing the client sent before the handshake may be
  // taken as a command afterwards.
  in_pos_ = in_.size();
  lines_.reset();
  starttls_pending_ = true;
  read_watch_.disable();
}

void Session::start_tls() {
  auto created = tls::ServerSession::create(*server_.tls, fd_.get());
  if (!created) {
    log::warning("TLS library problem: %s", created.error().message.c_str());
    return finish("lost connection");
  }
  tls_.emplace(std::move(*created));
  tls_handshaking_ = true;
  deadline_.arm(params().starttls_timeout);
  step_handshake();
}

void Session::step_handshake() {
  switch (tls_->handshake()) {
    case tls::IoStatus::done:
      tls_handshaking_ = false;
      write_watch_.disable();
      return tls_established();
    case tls::IoStatus::want_read:
      write_watch_.disable();
      read_watch_.enable();
      return;
    case tls::IoStatus::want_write:
      write_watch_.enable();
      return;
    case tls::IoStatus::closed:
    case tls::IoStatus::failed:
      log::info("SSL_accept error from %s: %s", client_.namaddr().c_str(),
                tls_->error().empty() ? "lost connection" : tls_->error().c_str());
      tls_handshaking_ = false;
      return finish("lost connection");
  }
}

void Session::tls_established() {
  tls_active_ = true;
  tls_summary_ = tls_->summary();
  log::info("Anonymous TLS connection established from %s: %s", client_.namaddr().c_str(), tls_summary_.c_str());
  // RFC 3207 4.2: the client starts over, knowing nothing from before.
  helo_.clear();
  esmtp_ = false;
  tx_ = Transaction{};
  sasl_username_.clear();
  sasl_method_.clear();
  starttls_pending_ = false;
  in_.clear();
  in_pos_ = 0;
  arm_deadline();
  if (params().tls_wrappermode) emit("220 " + params().banner + "\r\n");
  read_watch_.enable();
  flush();
  if (!finished_) process();
}

Session::Io Session::read_some(std::string& into) {
  char buf[kReadChunk];
  if (!tls_) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Io::wait;
    if (n <= 0) return Io::eof;
    into.append(buf, static_cast<std::size_t>(n));
    return Io::ok;
  }
  tls_read_wants_write_ = false;
  bool got = false;
  do {
    std::size_t n = 0;
    switch (tls_->read(buf, sizeof buf, &n)) {
      case tls::IoStatus::done:
        into.append(buf, n);
        got = true;
        break;
      case tls::IoStatus::want_read:
        return got ? Io::ok : Io::wait;
      case tls::IoStatus::want_write:
        tls_read_wants_write_ = true;
        write_watch_.enable();
        return got ? Io::ok : Io::wait;
      case tls::IoStatus::closed:
      case tls::IoStatus::failed:
        return got ? Io::ok : Io::eof;
    }
  } while (tls_->pending() && into.size() < kReadChunk * 4);
  return Io::ok;
}

void Session::arm_deadline() { deadline_.arm(params().timeout); }

void Session::set_helo(std::string helo, bool esmtp) {
  helo_ = std::move(helo);
  esmtp_ = esmtp;
}

smtp::CommandOptions Session::command_options() const {
  smtp::CommandOptions o;
  o.strict_rfc821_envelopes = params().strict_rfc821_envelopes;
  o.smtputf8_enable = params().smtputf8_enable;
  o.smtputf8_transaction = tx_.mail.smtputf8;
  o.message_size_limit = params().message_size_limit;
  return o;
}

void Session::note_verb(smtp::Verb verb) { ++counts_[verb].total; }
void Session::count_ok(smtp::Verb verb) { ++counts_[verb].ok; }

void Session::emit(const std::string& wire) {
  out_ += wire;
  transcript_.server_text(wire);
}

void Session::reply(const smtp::Reply& r) {
  // Syntax, sequence and unknown commands (X.5.X, or 500-504 where Postfix
  // sends no enhanced code): a client protocol error.
  const bool protocol =
      r.enhanced.size() > 2 ? r.enhanced.compare(1, 3, ".5.") == 0 : r.code >= 500 && r.code <= 504;
  reply_as(r, protocol ? unsigned{bounce::kNotifyProtocol} : 0u);
}

void Session::reply_as(const smtp::Reply& r, unsigned error_class) {
  emit(r.wire());
  if (r.code < 400 || closing_) return;
  note_error(error_class);
  if (r.code == 421 || r.code == 521) {
    closing_ = true;
    return;
  }
  count_error();
}

bool Session::count_junk_command() {
  if (++junk_commands_ <= params().junk_command_limit) return true;
  count_error();
  return !closing_;
}

void Session::count_error() {
  ++errors_;
  if (errors_ >= params().hard_error_limit) {
    log::info("too many errors after %s from %s", stage_, client_.namaddr().c_str());
    note_error(bounce::kNotifyProtocol);
    emit(smtp::Reply{421, "4.7.0", params().myhostname + " Error: too many errors"}.wire());
    closing_ = true;
  } else if (errors_ >= params().soft_error_limit && params().error_sleep > 0) {
    // Postfix's tarpit: slow down a client that keeps making mistakes,
    // without blocking the other sessions in this process.
    paused_ = true;
    resume_.arm(params().error_sleep);
  }
}

void Session::log_reject(const char* stage, const smtp::Reply& r, const std::string& recipient) {
  std::string line = "NOQUEUE: reject: " + std::string(stage) + " from " + client_.namaddr() + ": " +
                     std::to_string(r.code) + " " + r.enhanced + " " + r.text + "; from=<" + tx_.sender + ">";
  if (!recipient.empty()) line += " to=<" + recipient + ">";
  line += " proto=" + protocol() + " helo=<" + helo_ + ">";
  log::info("%s", line.c_str());
}

CheckInput Session::check_input() const {
  CheckInput in;
  in.client_name = client_.name;
  in.reverse_name = client_.reverse_name;
  in.client_name_tempfail = client_.name_tempfail;
  in.client_address = client_.address;
  in.helo = helo_;
  if (tx_.active) in.sender = tx_.sender;
  in.sasl_username = sasl_username_;
  in.sasl_method = sasl_method_;
  in.tls = tls_active_;
  in.protocol_name = esmtp_ ? "ESMTP" : "SMTP";
  char instance[48];
  std::snprintf(instance, sizeof instance, "%lx.%llx.%x", static_cast<unsigned long>(::getpid()),
                static_cast<unsigned long long>(id_), static_cast<unsigned>(counts_.count(smtp::Verb::mail) != 0
                                                                              ? counts_.at(smtp::Verb::mail).ok
                                                                              : 0));
  in.instance = instance;
  in.recipient_count = static_cast<int>(tx_.recipients.size());
  in.size = tx_.mail.size.value_or(0);
  if (tls_active_) {
    // tls_summary_: "TLSv1.3 with cipher NAME (256/256 bits)"
    auto with = tls_summary_.find(" with cipher ");
    in.tls_protocol = tls_summary_.substr(0, with);
    if (with != std::string::npos) {
      auto open = tls_summary_.find(" (", with);
      in.tls_cipher = tls_summary_.substr(with + 13, open == std::string::npos ? std::string::npos : open - with - 13);
      if (open != std::string::npos) in.tls_bits = std::atoi(tls_summary_.c_str() + open + 2);
    }
  }
  return in;
}

bool Session::ask(const DnsQuestion& q) {
  if (q.kind == DnsQuestion::Kind::policy ? server_.policy_client == nullptr : server_.resolver == nullptr)
    return false;
  dns_question_ = q;
  if (q.kind == DnsQuestion::Kind::policy) ask_policy_server(q);
  else lookup(q, 0);
  return true;
}

void Session::check_client_at_connect() {
  // smtpd_delay_reject = no: the client restrictions run now; a refusal
  // answers HELO, MAIL and RCPT (QUIT, NOOP, RSET still work). Commands
  // wait while they ask DNS or a policy server.
  for (int round = 0; round < 16; ++round) {
    Verdict v = server_.policy.check(Stage::client, check_input(), dns_facts_);
    if (v.kind == Verdict::Kind::reject) {
      client_refusal_ = v.reply;
      log_reject("CONNECT", v.reply, "");
    } else if (v.kind == Verdict::Kind::pass) {
      session_actions_.merge(v.actions);
    }
    if (v.kind != Verdict::Kind::pending) return;
    if (ask(*v.question)) {
      dns_resume_ = [this] { check_client_at_connect(); };
      return;
    }
    dns_facts_[*v.question] = DnsAnswer::unavailable;
  }
}

bool Session::check_access(Stage stage, const char* log_stage, const std::optional<std::string>& recipient) {
  CheckInput in = check_input();
  in.recipient = recipient;
  // Commands sent ahead where pipelining is not allowed: after DATA, or
  // from a client that did not see our EHLO reply's PIPELINING.
  in.unauth_pipelining = input_pending() && (!esmtp_ || stage == Stage::data);
  Verdict v;
  for (int round = 0; round < 16; ++round) {
    v = server_.policy.check(stage, in, dns_facts_);
    if (v.kind != Verdict::Kind::pending) break;
    // Ask on the event loop; the command is handled again with the answer.
    if (ask(*v.question)) return false;
    // No resolver: the DNS-based restriction cannot decide and does not
    // reject (logged once per process).
    if (!server_.dns_warned) {
      log::warning("DNS-based restrictions (reject_unknown_*_domain, reject_unknown_helo_hostname) need a resolver; "
                   "not checked");
      server_.dns_warned = true;
    }
    dns_facts_[*v.question] = DnsAnswer::unavailable;
  }
  const std::string rcpt = recipient.value_or("");
  for (const auto& [action, text] : v.notes) {
    std::string line = "NOQUEUE: " + action + ": " + log_stage + " from " + client_.namaddr() + ": " + text +
                       "; from=<" + tx_.sender + ">";
    if (!rcpt.empty()) line += " to=<" + rcpt + ">";
    line += " proto=" + protocol() + " helo=<" + helo_ + ">";
    log::info("%s", line.c_str());
  }
  if (v.kind == Verdict::Kind::pass) {
    (stage == Stage::client || stage == Stage::helo ? session_actions_ : tx_.actions).merge(v.actions);
    return true;
  }
  if (v.kind == Verdict::Kind::pending) {
    v.reply = smtp::Reply{451, "4.3.0", "Temporary lookup failure"};
    v.error_class = kErrorData;
  }
  log_reject(log_stage, v.reply, rcpt);
  // A restriction's "504 5.5.2 need fully-qualified hostname" is policy, not protocol.
  reply_as(v.reply, v.error_class != 0 ? v.error_class : kErrorPolicy);
  return false;
}

cleanup::MessageActions Session::message_actions() const {
  cleanup::MessageActions all = session_actions_;
  all.merge(tx_.actions);
  return all;
}

cleanup::Submission Session::submission() const {
  cleanup::Submission s;
  s.source = cleanup::Source::smtp;
  s.sender = tx_.sender;
  s.recipients = tx_.recipients;
  auto& a = s.attributes;
  a.client_name = client_.name;
  a.client_address = client_.address;
  // Postfix keeps the unverified PTR name in the queue file too.
  a.extra.emplace_back("reverse_client_name", client_.reverse_name);
  a.protocol = protocol();
  a.sasl_username = sasl_username_;
  s.sasl_method = sasl_method_;
  if (params().tls_received_header) s.tls_summary = tls_summary_;
  s.authenticated_header = params().sasl_authenticated_header;
  a.helo_name = helo_;
  if (tx_.mail.envid) a.envid = *tx_.mail.envid;
  if (tx_.mail.ret == smtp::Ret::full) a.ret = "FULL";
  if (tx_.mail.ret == smtp::Ret::hdrs) a.ret = "HDRS";
  if (tx_.mail.body == smtp::Body::seven_bit) a.body = "7BIT";
  if (tx_.mail.body == smtp::Body::eight_bit_mime) a.body = "8BITMIME";
  if (tx_.mail.body == smtp::Body::binary_mime) a.body = "BINARYMIME";
  a.smtputf8 = tx_.mail.smtputf8;
  return s;
}

void Session::begin_data() {
  mode_ = Mode::data;
  decoder_.reset();
  set_stage("DATA");
}

void Session::begin_bdat(std::uint64_t size, bool last, bool keep, bool first) {
  mode_ = Mode::bdat;
  bdat_keep_ = keep;
  set_stage("BDAT");
  // A refused chunk or a new message starts the size and line accounting over.
  if (!keep || first) bdat_.reset();
  bdat_.begin_chunk(size, last);
  if (size == 0) end_of_chunk(*this);
}

void Session::on_readable() {
  if (tls_handshaking_) return step_handshake();
  if (starttls_pending_) return;  // the handshake's bytes are not commands
  switch (read_some(in_)) {
    case Io::wait:
      return;
    case Io::eof:
      peer_eof_ = true;
      read_watch_.disable();
      break;
    case Io::ok:
      arm_deadline();
      break;
  }
  process();
}

void Session::process() {
  while (!paused_ && !finished_ && !closing_ && !sasl_waiting_ && !starttls_pending_ && !tls_handshaking_ &&
         !dns_question_ && !commit_pending_ &&
         in_pos_ < in_.size() && out_.size() < kMaxPendingOutput) {
    const std::size_t before = in_pos_;
    const Mode mode_before = mode_;
    switch (mode_) {
      case Mode::command:
        process_command_line();
        break;
      case Mode::data:
        process_data();
        break;
      case Mode::bdat:
        process_bdat();
        break;
      case Mode::sasl_response: {
        auto step = lines_.feed(std::string_view(in_).substr(in_pos_));
        in_pos_ += step.consumed;
        if (step.line) {
          transcript_.client_secret();  // a password, or what stands for one
          sasl_response_line(*step.line);
        }
        break;
      }
    }
    if (in_pos_ == before && mode_ == mode_before) break;  // nothing consumed: wait for more input
  }
  if (finished_) return;
  in_.erase(0, in_pos_);
  in_pos_ = 0;
  if (!paused_) flush();
  if (finished_ || starttls_pending_ || tls_handshaking_) return;
  // Back-pressure: a client that pipelines without reading replies waits.
  if (out_.size() >= kMaxPendingOutput || closing_ || paused_ || sasl_waiting_ || dns_question_ || commit_pending_)
    read_watch_.disable();
  else if (!peer_eof_)
    read_watch_.enable();
  if (peer_eof_ && !closing_ && !paused_ && !sasl_waiting_ && !dns_question_ && !commit_pending_ && out_.empty())
    finish("lost connection");
}

void Session::await_commit(cleanup::PendingCommit commit, std::function<void(cleanup::Outcome)> done) {
  if (!commit.needs_sync() || server_.commits == nullptr) {
    commit.sync();
    return done(commit.outcome());
  }
  commit_pending_ = true;
  read_watch_.disable();
  std::weak_ptr<bool> alive = alive_;
  server_.commits->submit(std::move(commit), [this, alive, done = std::move(done)](cleanup::Outcome out) {
    if (alive.expired() || !*alive.lock()) return;  // the session ended; the mail is queued all the same
    commit_pending_ = false;
    done(std::move(out));
    if (!finished_) process();  // the reply goes out; pipelined commands go on
  });
}

bool Session::process_command_line() {
  auto step = lines_.feed(std::string_view(in_).substr(in_pos_));
  in_pos_ += step.consumed;
  if (!step.line) return false;
  transcript_.client_line(step.line->text);
  handle_line(*this, *step.line);
  return true;
}

void Session::process_data() {
  content_chunk_.clear();
  auto step = decoder_.feed(std::string_view(in_).substr(in_pos_), content_chunk_);
  in_pos_ += step.consumed;
  if (tx_.content && !content_chunk_.empty()) tx_.content->write(content_chunk_);
  if (step.done) {
    content_chunk_ = std::string();  // an idle session holds no 64 KB buffer
    end_of_data(*this);
  }
}

void Session::process_bdat() {
  content_chunk_.clear();
  std::size_t used = bdat_.feed(std::string_view(in_).substr(in_pos_), content_chunk_);
  in_pos_ += used;
  if (bdat_keep_ && tx_.content && !content_chunk_.empty()) tx_.content->write(content_chunk_);
  if (bdat_.chunk_complete()) {
    content_chunk_ = std::string();
    end_of_chunk(*this);
  }
}

void Session::flush() {
  if (tls_handshaking_) return;
  while (!out_.empty()) {
    std::size_t sent = 0;
    if (tls_) {
      switch (tls_->write(out_, &sent)) {
        case tls::IoStatus::done:
          break;
        case tls::IoStatus::want_write:
        case tls::IoStatus::want_read:  // no renegotiation: only a stalled peer
          write_watch_.enable();
          return;
        case tls::IoStatus::closed:
        case tls::IoStatus::failed:
          out_.clear();
          return finish("lost connection");
      }
    } else {
      ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        write_watch_.enable();
        return;
      }
      if (n < 0) {
        out_.clear();
        finish("lost connection");
        return;
      }
      sent = static_cast<std::size_t>(n);
    }
    out_.erase(0, sent);
    arm_deadline();
  }
  if (!tls_read_wants_write_) write_watch_.disable();
  if (closing_) return finish(nullptr);
  // The "220 Ready to start TLS" is out: the handshake may begin.
  if (starttls_pending_ && !tls_) start_tls();
}

void Session::on_writable() {
  if (tls_handshaking_) return step_handshake();
  if (tls_read_wants_write_) {
    tls_read_wants_write_ = false;
    on_readable();
    if (finished_) return;
  }
  flush();
  if (!finished_ && out_.empty() && !closing_) process();
}

void Session::on_timeout() {
  log::info("timeout after %s from %s", where().c_str(), client_.namaddr().c_str());
  emit(smtp::Reply{421, "4.4.2", params().myhostname + " Error: timeout exceeded"}.wire());
  if (!tls_) (void)::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  out_.clear();
  finish(nullptr);
}

// "DATA (1234 bytes)" mid-message, else the last command, as Postfix logs it.
std::string Session::where() const {
  std::string w = stage_;
  if (mode_ == Mode::data) w += " (" + std::to_string(decoder_.size()) + " bytes)";
  if (mode_ == Mode::bdat) w += " (" + std::to_string(bdat_.size()) + " bytes)";
  return w;
}

void Session::finish(const char* why) {
  if (finished_) return;
  finished_ = true;
  if (why != nullptr) log::info("%s after %s from %s", why, where().c_str(), client_.namaddr().c_str());
  // "disconnect from host[addr] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4", in Postfix's order.
  static constexpr smtp::Verb kOrder[] = {
      smtp::Verb::helo, smtp::Verb::ehlo, smtp::Verb::starttls, smtp::Verb::auth, smtp::Verb::mail,
      smtp::Verb::rcpt, smtp::Verb::data, smtp::Verb::bdat,     smtp::Verb::rset, smtp::Verb::noop,
      smtp::Verb::vrfy, smtp::Verb::help, smtp::Verb::quit};
  std::string line = "disconnect from " + client_.namaddr();
  int ok = 0, total = 0;
  auto item = [&line](const std::string& name, int good, int all) {
    line += " " + name + "=" + std::to_string(good);
    if (good != all) line += "/" + std::to_string(all);
  };
  for (auto verb : kOrder) {
    auto it = counts_.find(verb);
    if (it == counts_.end() || it->second.total == 0) continue;
    std::string name = smtp::verb_name(verb);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    item(name, it->second.ok, it->second.total);
    ok += it->second.ok;
    total += it->second.total;
  }
  if (unknown_ > 0) item("unknown", 0, unknown_);
  total += unknown_;
  item("commands", ok, total);
  log::info("%s", line.c_str());
  read_watch_.disable();
  write_watch_.disable();
  deadline_.disable();
  resume_.disable();
  peer_timer_.disable();
  send_notice();
  if (sasl_) sasl_retired_.push_back(std::move(sasl_));  // the reaper timer dies with the session
  *alive_ = false;                                       // pending DNS callbacks do nothing
  tx_ = Transaction{};  // drops an unfinished message: nothing reaches the queue
  server_.session_done(id_);
}

void Session::flush_transcript() {
  if (static_cast<int>(transcript_.size()) <= params().history_flush_threshold) return;
  send_notice();
  transcript_.clear();
  error_mask_ = 0;
}

void Session::send_notice() {
  const auto& policy = params().notify;
  if (server_.notices == nullptr || !bounce::wants_transcript(policy, error_mask_)) return;
  bounce::TranscriptNotice n;
  n.mail_name = params().mail_name;
  n.peer = client_.namaddr();
  n.reporting_mta = params().myhostname;
  n.to = bounce::transcript_recipient(policy, error_mask_);
  n.now = static_cast<std::int64_t>(std::time(nullptr));
  n.error_mask = error_mask_ & policy.classes;
  n.transcript = transcript_.lines();
  server_.notices->submit(n.to, bounce::build_transcript_notice(n),
                          "errors from " + n.peer + " (" + bounce::class_names(n.error_mask) + ")");
  error_mask_ = 0;
}

}  // namespace postern::smtpd
