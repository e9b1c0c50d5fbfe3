// smtpd - the Postern SMTP server (RFC 5321, 5322, 3030, 3461, 6531)
//
// Role: receives mail over SMTP for the queue. One process serves many
// sessions on a libevent loop; each message goes through lib/cleanup into a
// queue file that is fsynced and marked complete before the 250 reply that
// carries its queue ID. Started by master (master.cf "smtp inet n - n - - smtpd");
// "-S" serves one session on standard input (tests).
//
// Privileges: started by master as root or an unprivileged user; the
// skeleton drops to mail_owner (and chroots when master.cf says so) before
// the first client. Nothing here runs as root.
//
// Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH.
// Extensions: PIPELINING SIZE STARTTLS AUTH 8BITMIME ENHANCEDSTATUSCODES DSN SMTPUTF8 CHUNKING.
// Access control: smtpd_*_restrictions (docs/smtpd-access.md); TLS and SASL
// (smtpd_tls_*, smtpd_sasl_*; docs/submission.md).
//
// Parameters: smtpd_banner, smtpd_timeout, smtpd_recipient_limit,
// smtpd_soft_error_limit, smtpd_hard_error_limit, smtpd_error_sleep_time,
// disable_vrfy_command, message_size_limit, queue_minfree, header_size_limit,
// hopcount_limit, smtputf8_enable, strict_rfc821_envelopes,
// smtpd_forbid_bare_newline, smtpd_forbid_bare_newline_reject_code,
// smtpd_forbid_bare_newline_exclusions, smtpd_discard_ehlo_keywords,
// mydestination, mynetworks, mynetworks_style, myhostname, myorigin,
// queue_directory, hash_queue_depth, hash_queue_names, smtpd_*_restrictions,
// smtpd_delay_reject, smtpd_helo_required, relay_domains, *_reject_code,
// smtpd_tls_*, smtpd_sasl_*, broken_sasl_auth_clients, smtpd_peername_lookup,
// smtpd_peername_lookup_timeout, dns_resolver_addresses, notify_classes,
// error_notice_recipient, bounce_notice_recipient, smtpd_history_flush_threshold
// (postmaster transcripts). See docs/smtpd.md.
#include "lib/service/heap_reuse.hpp"
#include "lib/service/multi_server.hpp"
#include "smtpd/server.hpp"

int main(int argc, char** argv) {
  postern::smtpd::Server server;
  postern::service::MultiServerHooks hooks;
  hooks.pre_drop = [&server](postern::service::DaemonContext& context) { server.prepare(context); };
  hooks.post_drop = [&server](postern::service::DaemonContext& context, postern::net::EventLoop& loop) {
    postern::service::keep_freed_heap();  // each message's DATA buffers, again and again
    server.start(context, loop);
  };
  hooks.on_client = [&server](postern::UniqueFd client, postern::service::ClientLease lease) {
    server.accept(std::move(client), std::move(lease));
  };
  return postern::service::run_multi_server(argc, argv, std::move(hooks));
}
