// Session: DNS answers and policy server answers for the restrictions (see
// session.hpp). A command whose check needs one waits and is handled again
// with the answer. In smtpd, as mail_owner.
#include <algorithm>

#include "lib/log/log.hpp"
#include "smtpd/commands.hpp"
#include "smtpd/session.hpp"

namespace postern::smtpd {
namespace {

DnsAnswer answer_of(dns::DnsStatus status) {
  if (status == dns::DnsStatus::Found) return DnsAnswer::found;
  if (status == dns::DnsStatus::TempFail) return DnsAnswer::temp_fail;
  return DnsAnswer::not_found;
}

}  // namespace

void Session::suspend_for_dns(const smtp::Line& line, bool counted, smtp::Verb verb) {
  if (counted) --counts_[verb].total;  // counted again when handled again
  dns_replay_ = line;
}

// host: A, AAAA, then MX; mail_domain: MX, A, then AAAA (Postfix's order).
void Session::lookup(const DnsQuestion& q, int step) {
  if (q.kind != DnsQuestion::Kind::host && q.kind != DnsQuestion::Kind::mail_domain) return lookup_values(q);
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

void Session::lookup_values(const DnsQuestion& q) {
  std::weak_ptr<bool> alive = alive_;
  auto live = [this, alive] { return !alive.expired() && *alive.lock() && !finished_; };
  auto text = [this, live](dns::TextAnswer a) {
    if (live()) dns_answered(DnsFact{answer_of(a.status), std::move(a.records)});
  };
  auto& r = *server_.resolver;
  switch (q.kind) {
    case DnsQuestion::Kind::addresses: return r.lookup_a(q.name, text);
    case DnsQuestion::Kind::txt: return r.lookup_txt(q.name, text);
    case DnsQuestion::Kind::ns_hosts: return r.lookup_ns(q.name, text);
    case DnsQuestion::Kind::mx_hosts:
      return r.lookup_mx(q.name, [this, live](dns::MxAnswer a) {
        if (!live()) return;
        std::stable_sort(a.records.begin(), a.records.end(),
                         [](const dns::MxRecord& x, const dns::MxRecord& y) { return x.preference < y.preference; });
        std::vector<std::string> hosts;
        for (const auto& m : a.records) hosts.push_back(std::to_string(m.preference) + " " + m.host);
        dns_answered(DnsFact{answer_of(a.status), std::move(hosts)});
      });
    case DnsQuestion::Kind::host_addresses:
      // A, then AAAA; found when either has records.
      return r.lookup_a(q.name, [this, live, name = q.name](dns::TextAnswer a) {
        if (!live()) return;
        server_.resolver->lookup_aaaa(name, [this, live, a](dns::TextAnswer aaaa) {
          if (!live()) return;
          std::vector<std::string> all = a.records;
          all.insert(all.end(), aaaa.records.begin(), aaaa.records.end());
          DnsAnswer answer = !all.empty() ? DnsAnswer::found
                             : a.status == dns::DnsStatus::TempFail || aaaa.status == dns::DnsStatus::TempFail
                                 ? DnsAnswer::temp_fail
                                 : DnsAnswer::not_found;
          dns_answered(DnsFact{answer, std::move(all)});
        });
      });
    default:
      return dns_answered(DnsAnswer::unavailable);
  }
}

void Session::ask_policy_server(const DnsQuestion& q) {
  auto nl = q.name.find('\n');
  std::string service = q.name.substr(0, nl);
  std::weak_ptr<bool> alive = alive_;
  server_.policy_client->query(service, q.name.substr(nl + 1), [this, alive, service](Result<std::string> r) {
    if (alive.expired() || !*alive.lock() || finished_) return;
    if (!r) {
      // Postfix's wording; the default action applies.
      log::warning("problem talking to server %s: %s", service.c_str(), r.error().message.c_str());
      return dns_answered(DnsAnswer::temp_fail);
    }
    dns_answered(DnsFact{DnsAnswer::found, {std::move(*r)}});
  });
}

void Session::dns_answered(DnsFact answer) {
  if (finished_ || !dns_question_) return;
  dns_facts_[*dns_question_] = std::move(answer);
  dns_question_.reset();
  if (dns_replay_) {
    smtp::Line line = std::move(*dns_replay_);
    dns_replay_.reset();
    handle_line(*this, line);
  } else if (dns_resume_) {
    auto resume = std::move(dns_resume_);
    dns_resume_ = nullptr;
    resume();
  }
  flush();
  if (!finished_) process();
}

}  // namespace postern::smtpd
