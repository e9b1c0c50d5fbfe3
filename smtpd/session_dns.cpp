// Session: DNS answers for the restrictions (see session.hpp). A command
// whose check needs DNS waits and is handled again with the answer. In
// smtpd, as mail_owner.
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {

void Session::suspend_for_dns(const smtp::Line& line, bool counted, smtp::Verb verb) {
  if (counted) --counts_[verb].total;  // counted again when handled again
  dns_replay_ = line;
}

// host: A, AAAA, then MX; mail_domain: MX, A, then AAAA (Postfix's order).
void Session::lookup(const DnsQuestion& q, int step) {
  std::weak_ptr<bool> alive = alive_;
  auto next = [this, alive, q, step](dns::DnsStatus status) {
    if (alive.expired() || !*alive.lock()) return;
    if (status == dns::DnsStatus::Found) return dns_answered(DnsAnswer::found);
    if (status == dns::DnsStatus::TempFail) return dns_answered(DnsAnswer::temp_fail);
    if (step == 2) return dns_answered(DnsAnswer::not_found);
    lookup(q, step + 1);
  };
  const bool host = q.kind == DnsQuestion::Kind::host;
  const int kind = host ? (step == 0 ? 1 : step == 1 ? 2 : 0) : (step == 0 ? 0 : step == 1 ? 1 : 2);  // 0 MX 1 A 2 AAAA
  auto& r = *server_.resolver;
  if (kind == 0) r.lookup_mx(q.name, [next](dns::MxAnswer a) { next(a.status); });
  else if (kind == 1) r.lookup_a(q.name, [next](dns::TextAnswer a) { next(a.status); });
  else r.lookup_aaaa(q.name, [next](dns::TextAnswer a) { next(a.status); });
}

void Session::dns_answered(DnsAnswer answer) {
  if (finished_ || !dns_question_) return;
  dns_facts_[*dns_question_] = answer;
  dns_question_.reset();
  if (dns_replay_) {
    smtp::Line line = std::move(*dns_replay_);
    dns_replay_.reset();
    handle_line(*this, line);
  }
  flush();
  if (!finished_) process();
}

}  // namespace postern::smtpd
