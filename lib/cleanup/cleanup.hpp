// cleanup: every message entering the queue passes through here. It takes the
// envelope, streams the content (spooled privately until commit, so a crash
// mid-message leaves no file), applies Postfix's header fix-ups and checks,
// and writes the durable queue file through lib/queue's QueueWriter. A
// library, not a daemon: linked into smtpd and pickup, runs as mail_owner.
//
// Usage (smtpd and pickup alike):
//
//   cleanup::Params params = cleanup::Params::from_config(config);   // once
//   queue::QueueIdGenerator ids;                                      // once per process
//   cleanup::Submission sub;                  // envelope + who submitted it
//   sub.source = cleanup::Source::sendmail;  sub.sender = "alice"; ...
//   cleanup::Session session(params, ids, std::move(sub));
//   session.write(bytes); session.write(more);   // any chunking, LF or CRLF lines
//   cleanup::Outcome out = session.finish();      // fsynced before it returns
//   if (out.ok()) reply 250 ... out.queue_id; else reply out.code out.enhanced out.text
//
// finish() logs "QUEUEID: client=name[addr]" (smtp source; smtpd's line in
// Postfix) and "QUEUEID: message-id=<...>" (cleanup's line) and, after a
// successful commit, writes 'A' non-blocking to $queue_directory/public/qmgr
// when that FIFO exists (failure ignored: qmgr may not run yet).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/cleanup/message_actions.hpp"
#include "lib/queue/queue_file.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/queue/queue_layout.hpp"
#include "lib/queue/queue_writer.hpp"

namespace postern::config {
class Config;
}

namespace postern::cleanup {

class ContentChecks;

// Where a message came from; decides which fix-ups apply.
enum class Source {
  smtp,      // smtpd: Received "from helo (name [addr])", no From/Bcc changes
  sendmail,  // pickup (sendmail/postdrop): Received "by host (Postfix, from userid N)",
             // From added when missing (user@$myorigin), Bcc/Resent-Bcc removed,
             // a leading mbox "From " line dropped
  requeue,   // pickup, a queue file put back by postsuper -r: the header passed
             // through as it is (it was fixed up when the message first arrived);
             // envelope checks, limits and qualification apply again
};

// Settings from main.cf, read once per process (cheap to copy).
struct Params {
  std::string myhostname;
  std::string myorigin;                         // appended to unqualified addresses
  std::string mail_name = "Postfix";            // in Received "(Postfix)", as Postfix writes it
  std::uint64_t header_size_limit = 102400;     // per logical header; excess discarded
  std::uint64_t message_size_limit = 10240000;  // 0 = unlimited; backstop for the sendmail path
  int hopcount_limit = 50;                      // Received headers; at or over: 554 5.4.0
  queue::QueueLayout layout;                    // queue_directory, hash settings
  std::size_t memory_spool_limit = 1u << 20;    // content above this spools to an unnamed file
  std::string content_filter;                   // "transport:nexthop" every new message is routed to; "" none
  // header_checks / mime_header_checks tables (null: none), or why they
  // could not be opened: then every message is refused with 451 4.3.5
  // until the configuration is fixed, and nothing is queued unchecked.
  std::shared_ptr<ContentChecks> checks;
  std::string checks_error;

  static Params from_config(const config::Config& config);
};

// The envelope and who submitted it.
struct Submission {
  Source source = Source::smtp;
  std::string sender;                        // envelope sender; "" for <>; unqualified gets @myorigin
  std::vector<queue::Recipient> recipients;  // address, orcpt ("rfc822;x@y"), notify bits
  // client_name, client_address, protocol (SMTP/ESMTP/ESMTPS/ESMTPA/local),
  // helo_name, sasl_username, envid, ret, body, smtputf8: all kept in the file.
  queue::Attributes attributes;
  // smtp path only (not kept in the file):
  std::string sasl_method;           // "PLAIN": logged in the client= line with sasl_username
  std::string tls_summary;           // "TLSv1.3 with cipher ... (256/256 bits)": Received "(using ...)"
  bool authenticated_header = false; // smtpd_sasl_authenticated_header: Received "(Authenticated sender: u)"
  // sendmail path only:
  std::string user_name;            // submitting user (login name)
  long uid = -1;                    // submitting uid, for "from userid N"
  std::string full_name;            // sendmail -F; used in an added From:
  bool extract_recipients = false;  // sendmail -t: add To/Cc/Bcc addresses
  // requeue only: the original arrival time (0: now), so expiry still counts
  // from when the message first arrived.
  std::int64_t arrival_seconds = 0;
  std::uint32_t arrival_microseconds = 0;
  // smtp path: access actions (see Session::add_actions).
  MessageActions actions;
};

// The result of finish(): a queue ID, or a rejection worded as an SMTP reply
// that smtpd sends as is and pickup/sendmail turn into a bounce or an error.
struct Outcome {
  std::string queue_id;  // set on success
  int code = 0;          // 250 on success; 452 / 550 / 552 / 554 on failure
  std::string enhanced;  // "2.0.0", "4.3.1", "5.4.0", "5.3.4", ...
  std::string text;      // "Ok: queued as ID", "Error: too many hops", "Insufficient system storage"

  bool content_rejected = false;  // refused by header_checks (Postfix's "policy" error class)

  bool ok() const { return code == 250; }
  bool temporary() const { return code >= 400 && code < 500; }
};

// The second half of Session::finish_async(): a sealed queue file waiting
// for its fsync, or an outcome that needs none. Move-only.
class PendingCommit {
 public:
  PendingCommit(Outcome final_outcome) : outcome_(std::move(final_outcome)) {}  // NOLINT: implicit on purpose

  // False: outcome() is already final (a rejection, DISCARD).
  bool needs_sync() const { return writer_.has_value() && !synced_; }
  // fsyncs and closes the queue file, then wakes qmgr (unless the message
  // is held). Touches only this object and the file system and logs
  // nothing, so it may run on a worker thread.
  void sync();
  // After sync(), on the thread that logs: the reply; a failed commit is
  // logged and becomes 452 4.3.1 (the file is gone).
  Outcome outcome();

 private:
  friend class Session;
  PendingCommit() = default;
  std::optional<queue::QueueWriter> writer_;
  std::string trigger_directory_;  // queue_directory for the qmgr wakeup; "" when held
  Outcome outcome_;                // the reply once the file is durable
  bool synced_ = false;
  std::string failure_;            // why sync() failed; "" when it did not
};

// One message in progress. Move-only. Dropping a session before finish()
// leaves nothing behind; so does a crash (the spool is an unnamed file and
// the queue file is written only inside finish()).
class Session {
 public:
  Session(const Params& params, queue::QueueIdGenerator& ids, Submission submission);
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Message bytes (header and body), in any chunking; lines end in <LF> or
  // <CR><LF> and are stored as <CR><LF>. Never fails: a storage error is
  // remembered and reported by finish() (452 4.3.1).
  void write(std::string_view bytes);

  // Ends the message: header fix-ups, hop count, queue file written, fsynced
  // and marked complete. Failures:
  //   452 4.3.1 Insufficient system storage      (ENOSPC, EIO, ... while spooling or writing)
  //   554 5.4.0 Error: too many hops              (hopcount_limit)
  //   552 5.3.4 Message file too big              (message_size_limit, sendmail path)
  //   554 5.5.1 Error: no recipients specified    (none given, or none found by -t)
  //   550 5.7.1 (text)                            (header_checks REJECT)
  //   451 4.3.5 Server configuration error        (header_checks tables unusable)
  // header_checks run here (not for requeued mail), over the headers and
  // the Received this hop adds; their actions join add_actions'.
  Outcome finish();

  // finish() without waiting for the disk: everything up to a sealed queue
  // file, with the "client=" and "message-id=" lines logged; the caller
  // runs sync() (any thread) and then outcome() (its own). finish() is
  // exactly that on one thread. smtpd uses it to fsync off its event loop.
  PendingCommit finish_async();

  // Access actions (smtpd): merged into what the submission carried; applied
  // by finish(). DISCARD answers 250 with a queue ID and stores nothing;
  // HOLD writes the file into hold/; REDIRECT replaces the recipients, BCC
  // adds one; PREPEND lines go above everything, Received included; FILTER
  // (else content_filter) is kept in the file for qmgr as the "filter"
  // attribute.
  void add_actions(const MessageActions& actions);

  // Content bytes received so far (before fix-ups).
  std::uint64_t size() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One-shot helper for tests and small callers.
Outcome enqueue_message(const Params& params, queue::QueueIdGenerator& ids, Submission submission,
                        std::string_view content);

}  // namespace postern::cleanup
