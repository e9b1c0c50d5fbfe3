// Resolver: c-ares driven by the process's libevent loop. Runs on the loop
// thread of event-driven daemons (smtpd); no privilege needed.
#include <map>
#include <utility>
#include <variant>

#include "lib/dns/ares_channel.hpp"
#include "lib/log/log.hpp"
#include "lib/net/watcher.hpp"

namespace postern::dns {

using detail::QueryKind;

struct Resolver::Impl {
  struct Query {
    Impl* owner;
    QueryKind kind;
    std::string name;
    std::variant<MxCallback, TextCallback> done;
  };
  struct Finished {
    std::variant<MxCallback, TextCallback> done;
    std::variant<MxAnswer, TextAnswer> answer;
  };
  struct SocketWatch {
    net::Watcher read;
    net::Watcher write;
  };

  net::EventLoop& loop;
  std::map<int, SocketWatch> sockets;
  net::Watcher timeout_timer;
  net::Watcher finish_timer;
  std::vector<Finished> finished;
  bool destroying = false;
  std::unique_ptr<detail::AresChannel> channel;
  std::unique_ptr<detail::AresChannel> files_only;  // the hosts file; never opens a socket

  Impl(net::EventLoop& l, const ResolverConfig& config) : loop(l) {
    timeout_timer = net::Watcher::timer(loop, [this] { on_timeout(); });
    finish_timer = net::Watcher::timer(loop, [this] { deliver_finished(); });
    channel = std::make_unique<detail::AresChannel>(config, &Impl::socket_state, this);
    files_only = std::make_unique<detail::AresChannel>(config, nullptr, nullptr, "f");
  }

  ~Impl() {
    destroying = true;
    channel.reset();  // pending callbacks see ARES_EDESTRUCTION and are dropped
  }

  // A hosts-file answer: delivered from the loop like any other.
  void finish_now(TextCallback done, std::vector<std::string> records) {
    finished.push_back(Finished{std::move(done), TextAnswer{DnsStatus::Found, "", std::move(records)}});
    finish_timer.arm(0);
  }

  static void socket_state(void* data, ares_socket_t fd, int readable, int writable) {
    auto* self = static_cast<Impl*>(data);
    if (!readable && !writable) {
      self->sockets.erase(fd);
      return;
    }
    SocketWatch& watch = self->sockets[fd];
    if (readable && !watch.read) {
      watch.read = net::Watcher::readable(self->loop, fd, [self, fd] { self->process(fd, ARES_SOCKET_BAD); });
      watch.read.enable();
    } else if (!readable) {
      watch.read = net::Watcher();
    }
    if (writable && !watch.write) {
      watch.write = net::Watcher::writable(self->loop, fd, [self, fd] { self->process(ARES_SOCKET_BAD, fd); });
      watch.write.enable();
    } else if (!writable) {
      watch.write = net::Watcher();
    }
  }

  void process(ares_socket_t read_fd, ares_socket_t write_fd) {
    ares_process_fd(channel->get(), read_fd, write_fd);
    rearm_timeout();
  }

  void on_timeout() { process(ARES_SOCKET_BAD, ARES_SOCKET_BAD); }

  void rearm_timeout() {
    timeval tv{};
    if (ares_timeout(channel->get(), nullptr, &tv)) {
      timeout_timer.arm(double(tv.tv_sec) + double(tv.tv_usec) / 1e6);
    } else {
      timeout_timer.disable();
    }
  }

  static void on_answer(void* arg, int status, int, unsigned char* buf, int len) {
    std::unique_ptr<Query> query(static_cast<Query*>(arg));
    Impl* self = query->owner;
    if (self->destroying || status == ARES_EDESTRUCTION) return;
    Finished done{std::move(query->done), TextAnswer{}};
    if (query->kind == QueryKind::Mx)
      done.answer = detail::parse_mx(status, buf, len, query->name);
    else
      done.answer = detail::parse_text(query->kind, status, buf, len, query->name);
    self->finished.push_back(std::move(done));
    self->finish_timer.arm(0);
  }

  // Callbacks run from a zero timer, never from inside lookup_*() or
  // ares_process_fd(): a callback may start a new lookup or destroy us.
  void deliver_finished() {
    auto batch = std::move(finished);
    finished.clear();
    for (auto& item : batch) {
      if (auto* mx = std::get_if<MxCallback>(&item.done))
        (*mx)(std::get<MxAnswer>(std::move(item.answer)));
      else
        std::get<TextCallback>(item.done)(std::get<TextAnswer>(std::move(item.answer)));
    }
  }

  void start(QueryKind kind, std::string_view name, std::variant<MxCallback, TextCallback> done) {
    std::string qname;
    int qtype = 0;
    if (!detail::query_for(kind, name, qname, qtype)) {
      Finished early{std::move(done), TextAnswer{}};
      std::string text = std::string(name);
      if (kind == QueryKind::Mx)
        early.answer = MxAnswer{DnsStatus::NotFound, "bad domain name \"" + text + "\"", {}};
      else
        early.answer = TextAnswer{DnsStatus::NotFound, "bad name or address \"" + text + "\"", {}};
      finished.push_back(std::move(early));
      finish_timer.arm(0);
      return;
    }
    auto query = std::make_unique<Query>(Query{this, kind, std::string(name), std::move(done)});
    ares_query(channel->get(), qname.c_str(), ns_c_in, qtype, &Impl::on_answer, query.release());
    rearm_timeout();
  }
};

Resolver::Resolver(net::EventLoop& loop, const ResolverConfig& config)
    : impl_(std::make_unique<Impl>(loop, config)) {}
Resolver::~Resolver() = default;

void Resolver::lookup_mx(std::string_view domain, MxCallback done) {
  impl_->start(QueryKind::Mx, domain, std::move(done));
}
void Resolver::lookup_a(std::string_view name, TextCallback done) {
  impl_->start(QueryKind::A, name, std::move(done));
}
void Resolver::lookup_aaaa(std::string_view name, TextCallback done) {
  impl_->start(QueryKind::Aaaa, name, std::move(done));
}
void Resolver::lookup_ptr(std::string_view address, TextCallback done) {
  impl_->start(QueryKind::Ptr, address, std::move(done));
}
void Resolver::lookup_txt(std::string_view name, TextCallback done) {
  impl_->start(QueryKind::Txt, name, std::move(done));
}
void Resolver::lookup_host_names(std::string_view address, TextCallback done) {
  auto names = detail::hosts_file_names(impl_->files_only->get(), address);
  if (!names.empty()) return impl_->finish_now(std::move(done), std::move(names));
  impl_->start(QueryKind::Ptr, address, std::move(done));
}
void Resolver::lookup_host_addresses(std::string_view name, bool ipv6, TextCallback done) {
  auto addresses = detail::hosts_file_addresses(impl_->files_only->get(), name, ipv6 ? AF_INET6 : AF_INET);
  if (!addresses.empty()) return impl_->finish_now(std::move(done), std::move(addresses));
  impl_->start(ipv6 ? QueryKind::Aaaa : QueryKind::A, name, std::move(done));
}
void Resolver::lookup_ns(std::string_view name, TextCallback done) {
  impl_->start(QueryKind::Ns, name, std::move(done));
}

}  // namespace postern::dns
