// lmtp — the LMTP delivery agent (Postfix lmtp(8)): the smtp agent's code
// with LHLO and lmtp_* parameters; next hops unix:/path, inet:host:port,
// [host]:port. Privileges: mail_owner (master.cf "lmtp unix - - n - - lmtp").
#include "smtp/agent_main.hpp"

int main(int argc, char** argv) { return postern::smtp::agent_main(argc, argv, true); }
