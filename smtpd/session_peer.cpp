// Session: the client's host name, looked up on the event loop before the
// banner as Postfix does (smtpd_peername_lookup): the hosts file or PTR,
// then A/AAAA of that name must list the client address again. Other
// sessions keep running meanwhile; smtpd_peername_lookup_timeout bounds the
// wait so that a dead resolver delays the banner by seconds, not minutes.
// In smtpd, as mail_owner.
#include "lib/log/log.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void Session::lookup_peer_name() {
  // Postfix: "unknown" when name lookup is disabled. Stand-alone mode keeps
  // its "localhost"; without a resolver nothing can be asked.
  if (!params().peername_lookup || !client_.from_socket || server_.resolver == nullptr) return greet();
  peer_lookup_active_ = true;
  std::weak_ptr<bool> alive = alive_;
  peer_timer_ = net::Watcher::timer(server_.loop, [this] {
    log::warning("%s: hostname lookup timed out after %gs (smtpd_peername_lookup_timeout)", client_.address.c_str(),
                 params().peername_lookup_timeout);
    PeerName unknown;
    unknown.tempfail = true;
    peer_name_known(unknown, "");
  });
  peer_timer_.arm(params().peername_lookup_timeout);
  const bool ipv6 = client_.address.find(':') != std::string::npos;
  server_.resolver->lookup_host_names(client_.address, [this, alive, ipv6](dns::TextAnswer ptr) {
    if (alive.expired() || !*alive.lock() || !peer_lookup_active_) return;
    PeerName peer;
    std::string warning;
    auto name = peer_reverse_step(ptr, peer, warning);
    if (!name) return peer_name_known(peer, warning);
    server_.resolver->lookup_host_addresses(*name, ipv6, [this, alive, name = *name](dns::TextAnswer forward) {
      if (alive.expired() || !*alive.lock() || !peer_lookup_active_) return;
      PeerName peer;
      std::string warning;
      peer_confirm_step(name, client_.address, forward, peer, warning);
      peer_name_known(peer, warning);
    });
  });
}

void Session::peer_name_known(const PeerName& peer, const std::string& warning) {
  peer_lookup_active_ = false;  // a late answer (after the time limit) is ignored
  peer_timer_.disable();
  if (!warning.empty()) log::warning("%s", warning.c_str());
  client_.name = peer.name;
  client_.reverse_name = peer.reverse_name;
  client_.name_tempfail = peer.tempfail;
  greet();
}

}  // namespace postern::smtpd
