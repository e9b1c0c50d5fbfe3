// BlockingResolver: one c-ares query at a time, waited for with poll(2).
// Used by the smtp delivery agent (mail_owner, one request at a time).
#include <poll.h>

#include "lib/dns/ares_channel.hpp"

namespace postern::dns {

using detail::QueryKind;

struct BlockingResolver::Impl {
  detail::AresChannel channel;
  explicit Impl(const ResolverConfig& config) : channel(config, nullptr, nullptr) {}

  struct Outcome {
    bool done = false;
    QueryKind kind;
    std::string name;
    MxAnswer mx;
    TextAnswer text;
  };

  static void on_answer(void* arg, int status, int, unsigned char* buf, int len) {
    auto* out = static_cast<Outcome*>(arg);
    out->done = true;
    if (out->kind == QueryKind::Mx)
      out->mx = detail::parse_mx(status, buf, len, out->name);
    else
      out->text = detail::parse_text(out->kind, status, buf, len, out->name);
  }

  void wait(const Outcome& out) {
    ares_channel ch = channel.get();
    while (!out.done) {
      ares_socket_t socks[ARES_GETSOCK_MAXNUM];
      int bits = ares_getsock(ch, socks, ARES_GETSOCK_MAXNUM);
      pollfd fds[ARES_GETSOCK_MAXNUM];
      nfds_t count = 0;
      for (int i = 0; i < ARES_GETSOCK_MAXNUM; ++i) {
        short events = 0;
        if (ARES_GETSOCK_READABLE(bits, i)) events |= POLLIN;
        if (ARES_GETSOCK_WRITABLE(bits, i)) events |= POLLOUT;
        if (events) fds[count++] = {socks[i], events, 0};
      }
      timeval tv{};
      timeval* limit = ares_timeout(ch, nullptr, &tv);
      int ms = limit ? int(tv.tv_sec * 1000 + tv.tv_usec / 1000) : 1000;
      int ready = poll(fds, count, ms);
      if (ready <= 0) {
        ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
        continue;
      }
      for (nfds_t i = 0; i < count && !out.done; ++i) {
        if (!fds[i].revents) continue;
        bool readable = fds[i].revents & (POLLIN | POLLERR | POLLHUP);
        bool writable = fds[i].revents & POLLOUT;
        ares_process_fd(ch, readable ? fds[i].fd : ARES_SOCKET_BAD,
                        writable ? fds[i].fd : ARES_SOCKET_BAD);
      }
    }
  }

  Outcome run(QueryKind kind, std::string_view name) {
    Outcome out;
    out.kind = kind;
    out.name = std::string(name);
    std::string qname;
    int qtype = 0;
    if (!detail::query_for(kind, name, qname, qtype)) {
      out.mx = MxAnswer{DnsStatus::NotFound, "bad domain name \"" + out.name + "\"", {}};
      out.text = TextAnswer{DnsStatus::NotFound, "bad name or address \"" + out.name + "\"", {}};
      return out;
    }
    ares_query(channel.get(), qname.c_str(), ns_c_in, qtype, &Impl::on_answer, &out);
    wait(out);
    return out;
  }
};

BlockingResolver::BlockingResolver(const ResolverConfig& config)
    : impl_(std::make_unique<Impl>(config)) {}
BlockingResolver::~BlockingResolver() = default;

MxAnswer BlockingResolver::mx(std::string_view domain) {
  return impl_->run(QueryKind::Mx, domain).mx;
}
TextAnswer BlockingResolver::a(std::string_view name) { return impl_->run(QueryKind::A, name).text; }
TextAnswer BlockingResolver::aaaa(std::string_view name) {
  return impl_->run(QueryKind::Aaaa, name).text;
}
TextAnswer BlockingResolver::ptr(std::string_view address) {
  return impl_->run(QueryKind::Ptr, address).text;
}
TextAnswer BlockingResolver::txt(std::string_view name) {
  return impl_->run(QueryKind::Txt, name).text;
}

}  // namespace postern::dns
