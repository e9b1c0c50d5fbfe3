// One SMTP session: buffered, bounded, non-blocking I/O on the event loop
// (a slow client never blocks the others), the command/DATA/BDAT input
// modes, deadlines, error counting and Postfix's log lines. Command logic
// lives in cmd_*.cpp. Runs in smtpd as mail_owner.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/base/unique_fd.hpp"
#include "lib/cleanup/cleanup.hpp"
#include "lib/net/watcher.hpp"
#include "lib/queue/queue_id.hpp"
#include "lib/service/multi_server.hpp"
#include "lib/smtp/bdat.hpp"
#include "lib/smtp/command.hpp"
#include "lib/smtp/data_decoder.hpp"
#include "lib/dns/resolver.hpp"
#include "lib/smtp/line_reader.hpp"
#include "lib/smtp/transcript.hpp"
#include "lib/tls/server_session.hpp"
#include "smtpd/policy_client.hpp"
#include "smtpd/sasl_request.hpp"
#include "smtpd/access_policy.hpp"
#include "smtpd/peer_name.hpp"
#include "smtpd/commit_pool.hpp"
#include "smtpd/notice_sender.hpp"
#include "smtpd/recipient_check.hpp"
#include "smtpd/smtpd_params.hpp"

namespace postern::smtpd {

// What the process shares between its sessions.
struct ServerContext {
  net::EventLoop& loop;
  const SmtpdParams& params;
  queue::QueueIdGenerator& ids;
  LocalRecipientCheck& local_recipients;                       // tables opened on first use
  AccessPolicy& policy;                                        // smtpd_*_restrictions
  std::function<void(std::uint64_t session_id)> session_done;  // deferred destruction
  bool dns_warned = false;                                     // "no resolver" said once
  const tls::TlsContext* tls = nullptr;                        // null: no STARTTLS, no wrapper mode
  dns::Resolver* resolver = nullptr;                           // null: DNS-based restrictions do not check
  PolicyClient* policy_client = nullptr;                       // check_policy_service
  std::vector<std::string> sasl_mechanisms;                    // from the auth server, upper case
  NoticeSender* notices = nullptr;                             // null: no postmaster transcripts
  CommitPool* commits = nullptr;                               // null: queue files fsynced on the loop
};

struct Client {
  std::string name = "unknown";          // forward-confirmed name (session_peer.cpp), else "unknown"
  std::string reverse_name = "unknown";  // PTR name, not confirmed
  bool name_tempfail = false;            // the name lookup failed temporarily
  std::string address;
  bool from_socket = true;               // false: stand-alone mode (-S) on a pipe, nothing to look up
  std::string namaddr() const { return name + "[" + address + "]"; }
};

// The mail transaction between MAIL and the end of the message.
struct Transaction {
  bool active = false;  // MAIL accepted
  std::string sender;
  smtp::MailParams mail;
  std::vector<queue::Recipient> recipients;
  std::optional<cleanup::Session> content;  // from DATA / first BDAT
  bool bdat_started = false;
  bool bdat_failed = false;  // a chunk was rejected: discard until LAST
  cleanup::MessageActions actions;  // HOLD, DISCARD, ... from the sender/recipient/data checks
};

class Session {
 public:
  Session(ServerContext& server, std::uint64_t id, UniqueFd fd, service::ClientLease lease);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  void start();

  // For the command handlers.
  const SmtpdParams& params() const { return server_.params; }
  ServerContext& server() { return server_; }
  const Client& client() const { return client_; }
  Transaction& tx() { return tx_; }
  const std::string& helo() const { return helo_; }
  void set_helo(std::string helo, bool esmtp);
  // SMTP/ESMTP, with S after STARTTLS or in wrapper mode, A after AUTH (ESMTPSA).
  std::string protocol() const;
  const std::string& sasl_username() const { return sasl_username_; }
  bool tls_active() const { return tls_active_; }
  const std::string& sasl_method() const { return sasl_method_; }
  const std::string& tls_summary() const { return tls_summary_; }
  // STARTTLS may be offered / used now.
  bool tls_available() const { return server_.tls != nullptr && !tls_active_ && !params().tls_wrappermode; }
  // After "220 Ready to start TLS": input buffered so far is discarded
  // (CVE-2011-0411) and the handshake starts once the reply is sent.
  void begin_starttls();
  // The SASL mechanisms offered now (security options, TLS state); empty: no AUTH.
  std::vector<std::string> offered_mechanisms() const;
  // AUTH: starts the exchange with the auth server; commands wait for it.
  void begin_auth(const std::string& mechanism, const std::optional<std::string>& initial_b64);
  CheckInput check_input() const;
  // The access actions for the message in progress: those found for the
  // client and HELO (smtpd_delay_reject = no) and those of this transaction.
  cleanup::MessageActions message_actions() const;
  bool esmtp() const { return esmtp_; }

  // Queues a reply; 4xx/5xx count as errors (soft limit: delay, hard: 421 and close).
  void reply(const smtp::Reply& reply);
  void reply(int code, const char* enhanced, const std::string& text) {
    reply(smtp::Reply{code, enhanced, text});
  }
  void send_raw(const std::string& text) { emit(text); }  // a multi-line reply
  void close_after_reply() { closing_ = true; }
  void reset_transaction() { tx_ = Transaction{}; }
  // "NOQUEUE: reject: RCPT from host[addr]: 554 5.7.1 ...; from=<a> to=<b> proto=ESMTP helo=<h>"
  void log_reject(const char* stage, const smtp::Reply& reply, const std::string& recipient);
  // Runs the access policy for `stage`; on a rejection logs it (as
  // log_reject) and sends the reply. Returns true when the command may go on.
  bool check_access(Stage stage, const char* log_stage, const std::optional<std::string>& recipient);
  // check_access() stopped for a DNS answer: the command line is handled
  // again when it arrives (handle_line calls suspend_for_dns).
  bool dns_pending() const { return dns_question_.has_value(); }
  void suspend_for_dns(const smtp::Line& line, bool counted, smtp::Verb verb);
  // The same for the end of a message: `resume` runs again with the answer.
  void suspend_for_dns(std::function<void()> resume) { dns_resume_ = std::move(resume); }
  // More client input is buffered after the command being handled.
  bool input_pending() const { return in_pos_ < in_.size(); }
  // A client restriction refused the client at connect (smtpd_delay_reject = no).
  const std::optional<smtp::Reply>& client_refusal() const { return client_refusal_; }
  void count_ok(smtp::Verb verb);  // a command succeeded (for the disconnect line)

  // The end of a message: the queue file is fsynced on the commit pool and
  // `done` runs on the loop with the outcome; no input is read meanwhile,
  // so nothing is answered out of order. A session that ends first (the
  // client left, a timeout) is simply gone: `done` does not run.
  void await_commit(cleanup::PendingCommit commit, std::function<void(cleanup::Outcome)> done);

  // Input modes entered by DATA and BDAT.
  void begin_data();
  void begin_bdat(std::uint64_t size, bool last, bool keep, bool first);
  // Back to commands after the end of a message or chunk.
  void enter_command_mode() {
    mode_ = Mode::command;
    set_stage("END-OF-MESSAGE");
  }
  smtp::DataDecoder& decoder() { return decoder_; }
  smtp::BdatReceiver& bdat() { return bdat_; }
  bool bdat_keep() const { return bdat_keep_; }
  cleanup::Submission submission() const;
  smtp::CommandOptions command_options() const;

  // For the disconnect line and "... after STAGE from ..." logs.
  void note_verb(smtp::Verb verb);
  void note_unknown() { ++unknown_; }
  // NOOP, VRFY, RSET past smtpd_junk_command_limit count as errors (Postfix);
  // false when that reached the hard limit and the session is closing.
  bool count_junk_command();
  void count_error();  // the soft limit's tarpit, the hard limit's 421
  void set_stage_name(const char* stage) { stage_ = stage; }

  // notify_classes: the session had an error of this class (lib/bounce
  // kNotify* bits). Replies with X.5.X codes mark "protocol" by themselves.
  void note_error(unsigned error_class) { error_mask_ |= error_class; }
  // At EHLO, RSET and the end of a message: a transcript longer than
  // smtpd_history_flush_threshold is sent (if its errors ask for it) and restarted.
  void flush_transcript();

 private:
  enum class Mode { command, data, bdat, sasl_response };

  void on_readable();
  void on_writable();
  void on_timeout();
  void process();
  bool process_command_line();
  void process_data();
  void process_bdat();
  void flush();
  void finish(const char* why);
  void arm_deadline();
  std::string where() const;
  void set_stage(const char* stage) { stage_ = stage; }
  void emit(const std::string& wire);  // output, recorded in the transcript
  void reply_as(const smtp::Reply& reply, unsigned error_class);  // reply() with its notify_classes class
  void send_notice();                  // the transcript to the postmaster, if its errors ask for it
  // Transport: plain or TLS.
  enum class Io { ok, wait, eof };
  Io read_some(std::string& into);
  void start_tls();
  void step_handshake();
  void tls_established();
  // SASL.
  void on_sasl_event(const auth::ExchangeEvent& event);
  void sasl_response_line(const smtp::Line& line);
  void end_sasl();

  ServerContext& server_;
  std::uint64_t id_;
  UniqueFd fd_;
  service::ClientLease lease_;
  net::Watcher read_watch_;
  net::Watcher write_watch_;
  net::Watcher deadline_;
  net::Watcher resume_;  // error sleep
  Client client_;
  std::string helo_;
  std::optional<smtp::Reply> client_refusal_;
  cleanup::MessageActions session_actions_;  // from the client/helo checks run before MAIL
  std::string sasl_username_, sasl_method_;  // after a successful AUTH
  bool tls_active_ = false;
  std::optional<tls::ServerSession> tls_;
  std::string tls_summary_;          // "TLSv1.3 with cipher ... (256/256 bits)"
  bool tls_handshaking_ = false;
  bool starttls_pending_ = false;    // 220 queued, handshake not started
  bool tls_read_wants_write_ = false;
  std::unique_ptr<SaslRequest> sasl_;
  std::vector<std::unique_ptr<SaslRequest>> sasl_retired_;  // destroyed from sasl_reaper_
  net::Watcher sasl_reaper_;
  std::string sasl_pending_method_;
  bool sasl_waiting_ = false;  // the auth server has not answered yet: commands wait
  DnsFacts dns_facts_;  // answers for the DNS-based restrictions, per session
  std::optional<DnsQuestion> dns_question_;  // being looked up
  std::optional<smtp::Line> dns_replay_;     // the command to handle again
  std::function<void()> dns_resume_;         // or the end of the message to finish again
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // DNS callbacks check it
  void lookup(const DnsQuestion& q, int step);
  void lookup_values(const DnsQuestion& q);  // the kinds whose answer carries values
  void ask_policy_server(const DnsQuestion& q);
  bool ask(const DnsQuestion& q);  // false: nobody to ask (no resolver / policy client)
  void check_client_at_connect();
  void dns_answered(DnsFact answer);
  // The client's host name (session_peer.cpp): looked up before the banner.
  void lookup_peer_name();
  void peer_name_known(const PeerName& peer, const std::string& warning);
  void greet();  // "connect from", connect-time restrictions, the banner
  net::Watcher peer_timer_;
  bool peer_lookup_active_ = false;
  bool esmtp_ = false;
  Transaction tx_;

  Mode mode_ = Mode::command;
  std::string in_;
  std::size_t in_pos_ = 0;
  std::string content_chunk_;  // decoded DATA/BDAT bytes of one read; its buffer is reused until the message (BDAT: chunk) ends
  std::string out_;
  smtp::LineReader lines_{512};
  smtp::DataDecoder decoder_;
  smtp::BdatReceiver bdat_;
  bool bdat_keep_ = false;
  bool closing_ = false;
  bool finished_ = false;
  bool paused_ = false;  // error sleep in progress
  bool commit_pending_ = false;  // a queue file is being fsynced: no input until its reply
  bool peer_eof_ = false;
  int errors_ = 0;
  int junk_commands_ = 0;
  const char* stage_ = "CONNECT";

  struct Count {
    int ok = 0;
    int total = 0;
  };
  std::map<smtp::Verb, Count> counts_;
  int unknown_ = 0;

  smtp::Transcript transcript_;
  unsigned error_mask_ = 0;
};

}  // namespace postern::smtpd
