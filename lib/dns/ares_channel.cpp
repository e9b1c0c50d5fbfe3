// c-ares channel set-up and answer parsing; runs in any process that resolves.
#include "lib/dns/ares_channel.hpp"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netdb.h>

#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "lib/base/strings.hpp"

namespace postern::dns::detail {

namespace {
std::string join_servers(const std::vector<std::string>& servers) {
  std::string csv;
  for (const auto& s : servers) {
    if (!csv.empty()) csv += ',';
    csv += s;
  }
  return csv;
}

std::string strip_dot(std::string name) {
  if (!name.empty() && name.back() == '.') name.pop_back();
  return name;
}

const char* type_name(QueryKind kind) {
  switch (kind) {
    case QueryKind::Mx: return "MX";
    case QueryKind::A: return "A";
    case QueryKind::Aaaa: return "AAAA";
    case QueryKind::Ptr: return "PTR";
    case QueryKind::Txt: return "TXT";
    case QueryKind::Ns: return "NS";
  }
  return "?";
}
}  // namespace

AresChannel::AresChannel(const ResolverConfig& config, ares_sock_state_cb state_cb,
                         void* state_data, const char* lookups) {
  // ares_library_init is reference counted; only Windows needs it, but the
  // API asks for it.
  if (int rc = ares_library_init(ARES_LIB_INIT_ALL); rc != ARES_SUCCESS)
    throw std::runtime_error(std::string("c-ares: ") + ares_strerror(rc));
  ares_options options{};
  int mask = ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
  options.timeout = static_cast<int>(config.timeout_seconds * 1000);
  options.tries = config.tries;
  if (state_cb) {
    options.sock_state_cb = state_cb;
    options.sock_state_cb_data = state_data;
    mask |= ARES_OPT_SOCK_STATE_CB;
  }
  std::string lookup_order = lookups ? lookups : "";
  if (lookups) {
    options.lookups = lookup_order.data();
    mask |= ARES_OPT_LOOKUPS;
  }
  if (int rc = ares_init_options(&channel_, &options, mask); rc != ARES_SUCCESS) {
    ares_library_cleanup();
    throw std::runtime_error(std::string("c-ares: cannot start the resolver: ") +
                             ares_strerror(rc));
  }
  if (!config.servers.empty()) {
    std::string csv = join_servers(config.servers);
    if (int rc = ares_set_servers_ports_csv(channel_, csv.c_str()); rc != ARES_SUCCESS) {
      ares_destroy(channel_);
      ares_library_cleanup();
      throw std::runtime_error("dns_resolver_addresses: bad server list \"" + csv +
                               "\": " + ares_strerror(rc));
    }
  }
}

AresChannel::~AresChannel() {
  ares_destroy(channel_);
  ares_library_cleanup();
}

bool query_for(QueryKind kind, std::string_view name, std::string& qname, int& qtype) {
  switch (kind) {
    case QueryKind::Mx: qtype = ns_t_mx; break;
    case QueryKind::A: qtype = ns_t_a; break;
    case QueryKind::Aaaa: qtype = ns_t_aaaa; break;
    case QueryKind::Txt: qtype = ns_t_txt; break;
    case QueryKind::Ptr: qtype = ns_t_ptr; break;
    case QueryKind::Ns: qtype = ns_t_ns; break;
  }
  if (kind != QueryKind::Ptr) {
    qname = std::string(name);
    return !qname.empty();
  }
  std::string text(name);
  unsigned char bytes[16];
  char part[8];
  qname.clear();
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) {
    for (int i = 3; i >= 0; --i) {
      std::snprintf(part, sizeof part, "%u.", bytes[i]);
      qname += part;
    }
    qname += "in-addr.arpa";
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) {
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      qname += hex[bytes[i] & 0xf];
      qname += '.';
      qname += hex[bytes[i] >> 4];
      qname += '.';
    }
    qname += "ip6.arpa";
    return true;
  }
  return false;
}

DnsStatus status_from_ares(int status) {
  switch (status) {
    case ARES_SUCCESS: return DnsStatus::Found;
    case ARES_ENOTFOUND:
    case ARES_EBADNAME: return DnsStatus::NotFound;
    case ARES_ENODATA: return DnsStatus::NoData;
    default: return DnsStatus::TempFail;  // ESERVFAIL, ETIMEOUT, EREFUSED, ECONNREFUSED, ...
  }
}

std::string error_text(int status, std::string_view name, std::string_view type) {
  std::string text = "Host or domain name not found. Name service error for name=";
  text += name;
  text += " type=";
  text += type;
  text += ": ";
  switch (status_from_ares(status)) {
    case DnsStatus::NotFound: text += "Host not found"; break;
    case DnsStatus::NoData: text += "No address associated with hostname"; break;
    default: text += "Host not found, try again"; break;
  }
  text += " (";
  text += ares_strerror(status);
  text += ")";
  return text;
}

MxAnswer parse_mx(int status, const unsigned char* buf, int len, std::string_view name) {
  MxAnswer answer;
  if (status == ARES_SUCCESS) {
    ares_mx_reply* reply = nullptr;
    status = ares_parse_mx_reply(buf, len, &reply);
    for (ares_mx_reply* r = reply; r; r = r->next)
      answer.records.push_back({r->priority, strip_dot(r->host ? r->host : "")});
    if (reply) ares_free_data(reply);
    if (status == ARES_SUCCESS && answer.records.empty()) status = ARES_ENODATA;
  }
  answer.status = status_from_ares(status);
  if (!answer.found()) answer.error = error_text(status, name, "MX");
  return answer;
}

TextAnswer parse_text(QueryKind kind, int status, const unsigned char* buf, int len,
                      std::string_view name) {
  TextAnswer answer;
  if (status == ARES_SUCCESS) {
    char text[INET6_ADDRSTRLEN];
    if (kind == QueryKind::A) {
      ares_addrttl addrs[64];
      int count = 64;
      status = ares_parse_a_reply(buf, len, nullptr, addrs, &count);
      for (int i = 0; status == ARES_SUCCESS && i < count; ++i)
        if (inet_ntop(AF_INET, &addrs[i].ipaddr, text, sizeof text))
          answer.records.emplace_back(text);
    } else if (kind == QueryKind::Aaaa) {
      ares_addr6ttl addrs[64];
      int count = 64;
      status = ares_parse_aaaa_reply(buf, len, nullptr, addrs, &count);
      for (int i = 0; status == ARES_SUCCESS && i < count; ++i)
        if (inet_ntop(AF_INET6, &addrs[i].ip6addr, text, sizeof text))
          answer.records.emplace_back(text);
    } else if (kind == QueryKind::Ptr) {
      hostent* host = nullptr;
      // The address arguments only fill hostent's address list; the names
      // come from the answer.
      unsigned char none[4] = {0, 0, 0, 0};
      status = ares_parse_ptr_reply(buf, len, none, sizeof none, AF_INET, &host);
      if (status == ARES_SUCCESS && host) {
        if (host->h_name) answer.records.push_back(strip_dot(host->h_name));
        for (char** alias = host->h_aliases; alias && *alias; ++alias) {
          std::string extra = strip_dot(*alias);
          if (extra != answer.records.front()) answer.records.push_back(extra);
        }
      }
      if (host) ares_free_hostent(host);
    } else if (kind == QueryKind::Ns) {
      hostent* host = nullptr;
      status = ares_parse_ns_reply(buf, len, &host);  // the name servers are the aliases
      for (char** ns = host ? host->h_aliases : nullptr; ns && *ns; ++ns) answer.records.push_back(strip_dot(*ns));
      if (host) ares_free_hostent(host);
    } else {
      ares_txt_ext* reply = nullptr;
      status = ares_parse_txt_reply_ext(buf, len, &reply);
      for (ares_txt_ext* r = reply; r; r = r->next) {
        std::string piece(reinterpret_cast<const char*>(r->txt), r->length);
        if (r->record_start || answer.records.empty())
          answer.records.push_back(std::move(piece));
        else
          answer.records.back() += piece;
      }
      if (reply) ares_free_data(reply);
    }
    if (status == ARES_SUCCESS && answer.records.empty()) status = ARES_ENODATA;
  }
  answer.status = status_from_ares(status);
  if (!answer.found()) answer.error = error_text(status, name, type_name(kind));
  return answer;
}

}  // namespace postern::dns::detail
