// cleanup::Session: streams a message into a private spool, then applies the
// header fix-ups and writes the durable queue file (see cleanup.hpp). Runs
// inside smtpd and pickup, as mail_owner.
#include "lib/cleanup/cleanup.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <optional>

#include "lib/cleanup/content_checks.hpp"
#include "lib/cleanup/headers.hpp"
#include "lib/cleanup/spool.hpp"
#include "lib/log/log.hpp"
#include "lib/queue/queue_writer.hpp"
#include "lib/queue_tools/trigger.hpp"

namespace postern::cleanup {

struct Session::State {
  State(const Params& p, queue::QueueIdGenerator& g, Submission s)
      : params(p),
        ids(g),
        sub(std::move(s)),
        body(p.layout.folder_path(queue::kIncoming), p.memory_spool_limit),
        checking_body(p.checks && p.checks->has_body_checks() && p.checks->body_size_limit() > 0 &&
                      sub.source != Source::requeue) {}

  const Params& params;
  queue::QueueIdGenerator& ids;
  Submission sub;
  std::vector<Header> headers;
  std::uint64_t header_bytes = 0;
  bool in_header = true;
  bool first_line = true;
  bool truncated_header = false;
  std::string line;  // current header-phase line, without <LF>
  bool line_overflow = false;
  bool last_was_cr = false;  // body phase: previous byte was <CR>
  std::uint64_t size = 0;
  bool too_big = false;
  Spool body;
  // body_checks: while the inspected part of the body lasts, lines are
  // assembled here and looked up one by one (Postfix's line_length_limit
  // pieces for longer lines); after it, bytes go straight to the spool.
  bool checking_body;
  std::string body_line;
  std::uint64_t body_inspected = 0;
  CheckVerdict body_verdict;
  std::optional<CheckOrigin> origin;

  std::uint64_t header_cap() const { return params.header_size_limit ? params.header_size_limit : 102400; }
  void header_line(std::string_view text);
  void body_bytes(std::string_view bytes);
  void store_body(std::string_view bytes);
  void check_body(std::string_view bytes);
  void check_body_piece(bool line_end);
  const CheckOrigin& cached_origin();
  void end_header() { in_header = false; }
  void add_preview_received();
  CheckOrigin check_origin() const;
};

namespace {

std::string qualify(const std::string& address, const std::string& origin) {
  if (address.empty() || address.find('@') != std::string::npos || origin.empty()) return address;
  return address + "@" + origin;
}

Outcome reject(int code, const char* enhanced, std::string text) {
  Outcome out;
  out.code = code;
  out.enhanced = enhanced;
  out.text = std::move(text);
  return out;
}

// The lines Postfix's cleanup daemon writes (message-id=, hold:, discard:,
// header_checks matches) go out under its name, so log parsers such as
// pflogsumm find them where they look.
void cleanup_log(const std::string& queue_id, const std::string& text) {
  log::write_as("cleanup", log::Level::info, queue_id + ": " + text);
}

Outcome storage_error(const std::string& what) {
  log::warning("%s", what.c_str());
  return reject(452, "4.3.1", "Insufficient system storage");
}

// Wakes qmgr through public/qmgr, a FIFO or a UNIX socket (Postfix's stock
// master.cf uses "unix"); harmless when qmgr does not run: its periodic
// scan finds the mail.
void trigger_qmgr(const std::string& queue_directory) {
  (void)queue_tools::send_trigger(queue_directory + "/public/qmgr",
                                  std::string_view(&queue_tools::kQmgrScanIncoming, 1));
}

}  // namespace

// Puts the Received this hop will add among the headers, so header_checks
// see it as Postfix's see smtpd's; its queue ID is not known yet, so they
// see a placeholder (fix_headers writes the real one).
void Session::State::add_preview_received() {
  const queue::Attributes& a = sub.attributes;
  HeaderContext preview;
  preview.source = sub.source;
  preview.queue_id = "QUEUEID";
  preview.myhostname = params.myhostname;
  preview.mail_name = params.mail_name;
  preview.helo_name = a.helo_name;
  preview.client_name = a.client_name;
  preview.client_address = a.client_address;
  preview.protocol = a.protocol.empty() ? "SMTP" : a.protocol;
  if (sub.recipients.size() == 1) preview.single_recipient = qualify(sub.recipients.front().address, params.myorigin);
  if (sub.authenticated_header) preview.authenticated_sender = a.sasl_username;
  preview.tls_summary = sub.tls_summary;
  preview.uid = sub.uid;
  preview.now = std::time(nullptr);
  headers.insert(headers.begin(), Header{received_header(preview), true});
}

// Who sent the message, for the checks' log lines.
CheckOrigin Session::State::check_origin() const {
  const queue::Attributes& a = sub.attributes;
  CheckOrigin origin;
  origin.client = sub.source == Source::smtp ? a.client_name + "[" + a.client_address + "]" : "local";
  origin.sender = qualify(sub.sender, params.myorigin);
  if (!sub.recipients.empty()) origin.recipient = qualify(sub.recipients.front().address, params.myorigin);
  if (sub.source == Source::smtp) origin.protocol = a.protocol.empty() ? "SMTP" : a.protocol;
  origin.helo = a.helo_name;
  return origin;
}

void Session::State::header_line(std::string_view text) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  const bool first = std::exchange(first_line, false);
  // sendmail input may start with an mbox "From " line; it is not a header.
  if (first && sub.source == Source::sendmail && text.substr(0, 5) == "From ") return;
  if (text.empty()) {
    end_header();
    return;
  }
  const bool continuation = (text[0] == ' ' || text[0] == '\t') && !headers.empty();
  const bool header = continuation || is_header_line(text);
  // Bounded memory: a header section this large is mostly body in disguise.
  if (!header || header_bytes + text.size() > 16 * header_cap() + 65536) {
    end_header();
    body_bytes(text);
    body_bytes("\r\n");
    return;
  }
  header_bytes += text.size() + 2;
  if (continuation) {
    Header& h = headers.back();
    if (h.text.size() + 2 + text.size() > header_cap()) {
      truncated_header = true;  // header_size_limit: the excess is discarded
      return;
    }
    h.text += "\r\n";
    h.text += text;
    return;
  }
  headers.push_back(Header{std::string(text.substr(0, header_cap()))});
  if (text.size() > header_cap()) truncated_header = true;
}

void Session::State::body_bytes(std::string_view bytes) {
  if (checking_body) return check_body(bytes);
  store_body(bytes);
}

const CheckOrigin& Session::State::cached_origin() {
  if (!origin) origin = check_origin();
  return *origin;
}

void Session::State::check_body(std::string_view bytes) {
  constexpr std::size_t kPiece = 2048;  // Postfix's line_length_limit default
  while (!bytes.empty()) {
    if (!checking_body) return store_body(bytes);
    const auto lf = bytes.find('\n');
    const std::string_view part = bytes.substr(0, lf);
    const std::size_t room = kPiece - body_line.size();
    if (part.size() > room) {  // a long line is checked in pieces
      body_line.append(part.substr(0, room));
      bytes.remove_prefix(room);
      check_body_piece(false);
      continue;
    }
    body_line.append(part);
    if (lf == std::string_view::npos) return;
    bytes.remove_prefix(lf + 1);
    check_body_piece(true);
  }
}

void Session::State::check_body_piece(bool line_end) {
  std::string text = std::move(body_line);
  body_line.clear();
  body_inspected += text.size() + (line_end ? 1 : 0);
  std::string key = text;
  if (line_end && !key.empty() && key.back() == '\r') key.pop_back();
  if (line_end) text += '\n';
  LineEdit edit = params.checks->check_body_line(key, cached_origin(), body_verdict);
  const char* end = line_end ? "\r\n" : "";
  switch (edit.kind) {
    case LineEdit::Kind::keep: store_body(text); break;
    case LineEdit::Kind::drop: break;
    case LineEdit::Kind::replace: store_body(edit.text + end); break;
    case LineEdit::Kind::prepend:
      store_body(edit.text + "\r\n");
      store_body(text);
      break;
  }
  if (body_inspected >= params.checks->body_size_limit() || body_verdict.refused() || body_verdict.actions.discard)
    checking_body = false;
}

void Session::State::store_body(std::string_view bytes) {
  // Bare <LF> becomes <CR><LF>; the queue stores network line endings.
  while (!bytes.empty()) {
    auto lf = bytes.find('\n');
    if (lf == std::string_view::npos) {
      (void)body.append(bytes);
      last_was_cr = bytes.back() == '\r';
      return;
    }
    std::string_view seg = bytes.substr(0, lf);
    const bool has_cr = seg.empty() ? last_was_cr : seg.back() == '\r';
    (void)body.append(seg);
    (void)body.append(has_cr ? "\n" : "\r\n");
    last_was_cr = false;
    bytes.remove_prefix(lf + 1);
  }
}

Session::Session(const Params& params, queue::QueueIdGenerator& ids, Submission submission)
    : state_(std::make_unique<State>(params, ids, std::move(submission))) {}
Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

std::uint64_t Session::size() const { return state_->size; }

void Session::add_actions(const MessageActions& actions) { state_->sub.actions.merge(actions); }

void Session::write(std::string_view bytes) {
  State& s = *state_;
  s.size += bytes.size();
  if (s.params.message_size_limit != 0 && s.size > s.params.message_size_limit) s.too_big = true;
  if (s.too_big) return;  // keep nothing more; finish() reports it
  while (!bytes.empty() && s.in_header) {
    auto lf = bytes.find('\n');
    std::string_view part = bytes.substr(0, lf);
    if (!s.line_overflow) {
      std::size_t room = s.header_cap() + 2 > s.line.size() ? s.header_cap() + 2 - s.line.size() : 0;
      s.line.append(part.substr(0, room));
      if (part.size() > room) s.line_overflow = true;
    }
    if (lf == std::string_view::npos) return;
    bytes.remove_prefix(lf + 1);
    std::string text = std::move(s.line);
    s.line.clear();
    if (s.line_overflow) s.truncated_header = true;
    s.line_overflow = false;
    s.header_line(text);
  }
  if (!bytes.empty()) s.body_bytes(bytes);
}

Outcome Session::finish() {
  PendingCommit pending = finish_async();
  if (pending.needs_sync()) pending.sync();
  return pending.outcome();
}

void PendingCommit::sync() {
  if (!needs_sync()) return;
  synced_ = true;
  auto id = writer_->sync();
  if (!id) {
    failure_ = id.error().message.empty() ? "commit failed" : id.error().message;
    return;
  }
  if (!trigger_directory_.empty()) trigger_qmgr(trigger_directory_);
}

Outcome PendingCommit::outcome() {
  if (writer_ && !synced_) failure_ = "queue file not synced";  // a caller bug; never answer 250 for it
  if (failure_.empty()) return outcome_;
  return storage_error("cleanup: " + outcome_.queue_id + ": " + failure_);
}

PendingCommit Session::finish_async() {
  State& s = *state_;
  if (s.too_big) return reject(552, "5.3.4", "Message file too big");
  if (s.in_header && !s.line.empty()) {  // a last header line without <LF>
    std::string text = std::move(s.line);
    s.line.clear();
    s.header_line(text);
  }
  if (!s.body_line.empty()) s.body_bytes("\n");  // a last line without <LF>, held for body_checks
  if (!s.body.empty() && s.body.last_byte() != '\n') s.body_bytes("\n");
  if (!s.body.status()) return storage_error("cleanup: " + s.body.status().error().message);

  if (count_hops(s.headers) >= s.params.hopcount_limit && s.params.hopcount_limit > 0)
    return reject(554, "5.4.0", "Error: too many hops");
  if (s.truncated_header) log::info("cleanup: header longer than header_size_limit was truncated");

  // header_checks: refused or discarded mail never gets a queue file; the
  // log lines wait for the queue ID the message will have.
  std::vector<std::string> check_logs;
  const bool checked = s.sub.source != Source::requeue && (s.params.checks || !s.params.checks_error.empty());
  if (checked) {
    if (!s.params.checks_error.empty()) {
      log::warning("cleanup: %s", s.params.checks_error.c_str());
      return reject(451, "4.3.5", "Server configuration error");
    }
    s.add_preview_received();
    CheckVerdict verdict;
    s.params.checks->check_headers(s.headers, s.cached_origin(), verdict);
    // body_checks ran while the body arrived; a header's verdict comes first.
    if (!verdict.refused() && !verdict.actions.discard) {
      verdict.logs.insert(verdict.logs.end(), s.body_verdict.logs.begin(), s.body_verdict.logs.end());
      if (s.body_verdict.refused()) {
        verdict.code = s.body_verdict.code;
        verdict.enhanced = s.body_verdict.enhanced;
        verdict.text = s.body_verdict.text;
      }
      verdict.actions.merge(s.body_verdict.actions);
    }
    check_logs = std::move(verdict.logs);
    if (verdict.refused()) {
      const std::string id = s.ids.next();
      for (const auto& line : check_logs) cleanup_log(id, line);
      Outcome out = reject(verdict.code, verdict.enhanced.c_str(), verdict.text);
      out.content_rejected = verdict.code == 550;
      return out;
    }
    s.sub.actions.merge(verdict.actions);
  }

  // The envelope, qualified and without duplicates (Postfix's duplicate filter).
  queue::Envelope env;
  std::timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  env.arrival_seconds = now.tv_sec;
  env.arrival_microseconds = static_cast<std::uint32_t>(now.tv_nsec / 1000);
  if (s.sub.source == Source::requeue && s.sub.arrival_seconds > 0) {
    env.arrival_seconds = s.sub.arrival_seconds;
    env.arrival_microseconds = s.sub.arrival_microseconds;
  }
  env.sender = qualify(s.sub.sender, s.params.myorigin);
  env.attributes = s.sub.attributes;
  auto add = [&](queue::Recipient r) {
    r.address = qualify(r.address, s.params.myorigin);
    for (const auto& have : env.recipients)
      if (have.address == r.address && have.orcpt == r.orcpt) return;
    r.done = false;
    env.recipients.push_back(std::move(r));
  };
  const MessageActions& acts = s.sub.actions;
  for (auto& r : s.sub.recipients) add(r);
  if (s.sub.extract_recipients)
    for (auto& a : extract_recipients(s.headers)) add(queue::Recipient{a, "", 0, false, 0});
  if (env.recipients.empty()) return reject(554, "5.5.1", "Error: no recipients specified");
  if (acts.discard) {
    // DISCARD: the client hears "queued"; nothing is kept.
    std::string id = s.ids.next();
    for (const auto& line : check_logs) cleanup_log(id, line);
    cleanup_log(id, "discard: " + *acts.discard);
    Outcome out;
    out.queue_id = id;
    out.code = 250;
    out.enhanced = "2.0.0";
    out.text = "Ok: queued as " + id;
    return out;
  }
  if (!acts.redirect.empty()) {
    // REDIRECT: one recipient instead of all; the first original address
    // stays as the original recipient (DSN ORCPT, X-Original-To).
    queue::Recipient r = env.recipients.front();
    if (r.orcpt.empty()) r.orcpt = "rfc822;" + r.address;
    r.address = qualify(acts.redirect, s.params.myorigin);
    env.recipients.assign(1, std::move(r));
  }
  if (!acts.bcc.empty()) add(queue::Recipient{acts.bcc, "", 0, false, 0});
  const std::string& filter = !acts.filter.empty() ? acts.filter : s.params.content_filter;
  if (!filter.empty()) {
    std::erase_if(env.attributes.extra, [](const auto& kv) { return kv.first == queue::kFilterAttribute; });
    env.attributes.extra.emplace_back(std::string(queue::kFilterAttribute), filter);
  }

  auto writer = queue::QueueWriter::create(s.params.layout, s.ids, env, acts.hold ? queue::kHold : queue::kIncoming);
  if (!writer) return storage_error("cleanup: create queue file: " + writer.error().message);

  for (const auto& line : check_logs) cleanup_log(writer->queue_id(), line);

  HeaderContext cx;
  cx.received_in_headers = checked;
  cx.source = s.sub.source;
  cx.queue_id = writer->queue_id();
  cx.myhostname = s.params.myhostname;
  cx.mail_name = s.params.mail_name;
  cx.helo_name = env.attributes.helo_name;
  cx.client_name = env.attributes.client_name;
  cx.client_address = env.attributes.client_address;
  cx.protocol = env.attributes.protocol.empty() ? "SMTP" : env.attributes.protocol;
  if (env.recipients.size() == 1) cx.single_recipient = env.recipients.front().address;
  cx.sender = env.sender;
  cx.uid = s.sub.uid;
  cx.full_name = s.sub.full_name;
  cx.tls_summary = s.sub.tls_summary;
  if (s.sub.authenticated_header) cx.authenticated_sender = s.sub.attributes.sasl_username;
  cx.now = now.tv_sec;
  std::string message_id;
  std::string header = s.sub.source == Source::requeue ? pass_headers(s.headers, &message_id)
                                                       : fix_headers(s.headers, cx, &message_id);

  if (!acts.prepend.empty()) {
    // PREPEND: above everything, our Received included (Postfix's order).
    std::string top;
    for (const auto& line : acts.prepend) top += line + "\r\n";
    header.insert(0, top);
  }
  Status st = writer->append(header);
  if (st) st = s.body.read_back([&](std::string_view chunk) { return writer->append(chunk); });
  if (!st) return storage_error("cleanup: " + cx.queue_id + ": " + st.error().message);
  if (auto sealed = writer->seal(); !sealed)
    return storage_error("cleanup: " + cx.queue_id + ": " + sealed.error().message);
  const std::string& id = writer->queue_id();
  if (s.sub.source == Source::smtp) {
    std::string line = id + ": client=" + cx.client_name + "[" + cx.client_address + "]";
    if (!s.sub.attributes.sasl_username.empty())
      line += ", sasl_method=" + s.sub.sasl_method + ", sasl_username=" + s.sub.attributes.sasl_username;
    log::info("%s", line.c_str());
  }
  cleanup_log(id, "message-id=" + message_id);
  if (acts.hold) cleanup_log(id, "hold: " + *acts.hold);

  PendingCommit pending;
  pending.outcome_.queue_id = id;
  pending.outcome_.code = 250;
  pending.outcome_.enhanced = "2.0.0";
  pending.outcome_.text = "Ok: queued as " + id;
  if (!acts.hold) pending.trigger_directory_ = s.params.layout.queue_directory;
  pending.writer_.emplace(std::move(*writer));
  return pending;
}

Outcome enqueue_message(const Params& params, queue::QueueIdGenerator& ids, Submission submission,
                        std::string_view content) {
  Session session(params, ids, std::move(submission));
  session.write(content);
  return session.finish();
}

}  // namespace postern::cleanup
