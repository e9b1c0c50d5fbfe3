// smtp — the SMTP delivery agent (Postfix smtp(8)); also the relay service.
//
// Role: takes one delivery request at a time from qmgr over private/smtp
// (or private/relay; lib/ipc delivery protocol) with the next hop qmgr
// resolved, finds the servers (MX by preference, random among equals; the
// domain's A/AAAA without MX; [host] without MX lookup; null MX bounces),
// and speaks ESMTP to the first that answers: STARTTLS, AUTH, PIPELINING,
// SIZE, 8BITMIME, DSN. 2xx: sent; 4xx: deferred; 5xx: bounced, with the
// remote reply in the log and the bounce. Logs "to=<...>,
// relay=host[addr]:port, delay=, delays=, dsn=, status=sent (250 ...)".
// Privileges: mail_owner (master.cf "smtp unix - - n - - smtp"), may be
// chrooted; the message is read from the queue file qmgr names.
// Parameters: see smtp/smtp_params.cpp and docs/smtp.md (smtp_*_timeout,
// smtp_helo_name, smtp_tls_security_level, smtp_tls_CAfile, smtp_tls_CApath,
// smtp_sasl_auth_enable, smtp_sasl_password_maps, smtp_sasl_security_options,
// smtp_skip_5xx_greeting, dns_resolver_addresses).
#include "smtp/agent_main.hpp"

int main(int argc, char** argv) { return postern::smtp::agent_main(argc, argv, false); }
