// Listener creation. Runs in master, as root when master is root, before any
// child exists. All descriptors are close-on-exec here; spawn.cpp moves the
// ones a child needs into place.
#include "master/listeners.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/service/privileges.hpp"

namespace postern::master {
namespace {

constexpr int kListenBacklog = 511;

struct InetAddress {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string text;  // "127.0.0.1:25" / "[::1]:25"
};

struct Protocols {
  bool ipv4 = false;
  bool ipv6 = false;
};

bool ipv6_available() {
  UniqueFd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  return fd.valid();
}

Result<Protocols> inet_protocols(const config::Config& config) {
  Protocols p;
  for (const auto& item : split_list(to_lower(config.get("inet_protocols")))) {
    if (item == "all") {
      p.ipv4 = true;
      p.ipv6 = ipv6_available();
    } else if (item == "ipv4") {
      p.ipv4 = true;
    } else if (item == "ipv6") {
      p.ipv6 = true;
    } else {
      return Error{"bad inet_protocols value: " + item};
    }
  }
  if (!p.ipv4 && !p.ipv6) return Error{"inet_protocols enables no protocol"};
  return p;
}

std::string format_address(const sockaddr* sa) {
  char host[INET6_ADDRSTRLEN] = "?";
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    return std::string(host) + ":" + std::to_string(ntohs(in->sin_port));
  }
  auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
  ::inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
  return "[" + std::string(host) + "]:" + std::to_string(ntohs(in6->sin6_port));
}

Result<std::vector<InetAddress>> resolve(const std::string& host, const std::string& port, const Protocols& p) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  hints.ai_family = (p.ipv4 && p.ipv6) ? AF_UNSPEC : (p.ipv4 ? AF_INET : AF_INET6);
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return Error{"cannot resolve " + (host.empty() ? std::string("*") : host) + ":" + port + ": " + gai_strerror(rc)};
  std::vector<InetAddress> out;
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    InetAddress a;
    std::memcpy(&a.addr, ai->ai_addr, ai->ai_addrlen);
    a.len = ai->ai_addrlen;
    a.text = format_address(ai->ai_addr);
    if (std::none_of(out.begin(), out.end(), [&](const InetAddress& o) { return o.text == a.text; }))
      out.push_back(a);
  }
  ::freeaddrinfo(res);
  return out;
}

// "host:port", "[v6]:port", "port" or a service name -> (host, port).
std::pair<std::string, std::string> split_service(const std::string& service) {
  auto colon = service.rfind(':');
  if (colon == std::string::npos) return {"", service};
  std::string host = service.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, service.substr(colon + 1)};
}

Result<std::vector<InetAddress>> inet_addresses(const config::Config& config, const ServiceSpec& spec) {
  auto protocols = inet_protocols(config);
  if (!protocols) return protocols.error();
  auto [host, port] = split_service(spec.entry.service);
  if (!parse_long(port)) {
    servent* se = ::getservbyname(port.c_str(), "tcp");
    if (!se) return Error{"unknown service name: " + port + " (not in /etc/services)"};
    port = std::to_string(ntohs(se->s_port));
  }
  std::vector<std::string> hosts;
  if (!host.empty()) {
    hosts.push_back(host);
  } else {
    for (const auto& item : split_list(config.get("inet_interfaces"))) {
      std::string lower = to_lower(item);
      if (lower == "all") {
        if (protocols->ipv4) hosts.push_back("0.0.0.0");
        if (protocols->ipv6) hosts.push_back("::");
      } else if (lower == "loopback-only") {
        if (protocols->ipv4) hosts.push_back("127.0.0.1");
        if (protocols->ipv6) hosts.push_back("::1");
      } else {
        std::string h = item;
        if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
        hosts.push_back(h);
      }
    }
  }
  std::vector<InetAddress> out;
  for (const auto& h : hosts) {
    auto addrs = resolve(h, port, *protocols);
    if (!addrs) return addrs.error();
    for (auto& a : *addrs)
      if (std::none_of(out.begin(), out.end(), [&](const InetAddress& o) { return o.text == a.text; }))
        out.push_back(a);
  }
  if (out.empty()) return Error{"no address to listen on for service " + spec.entry.service};
  return out;
}

Result<UniqueFd> open_inet(const InetAddress& a) {
  UniqueFd fd(::socket(a.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  int on = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  if (a.addr.ss_family == AF_INET6) ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&a.addr), a.len) != 0)
    return sys_error("bind " + a.text);
  if (::listen(fd.get(), kListenBacklog) != 0) return sys_error("listen " + a.text);
  return fd;
}

// Private endpoints belong to mail_owner (mode 0600); public ones are open
// to local users (the folder's group, postdrop, guards them).
void set_local_owner(const config::Config& config, const std::string& path) {
  if (::geteuid() != 0) return;
  auto owner = service::find_account(config.get("mail_owner"));
  if (owner) (void)::chown(path.c_str(), owner->uid, owner->gid);
}

// The process umask for one scope: bind() creates the socket with exactly
// the mode we want, so it never exists with a wider one. Master is single-threaded.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

// Gives the socket just bound at `path` its owner. Through an O_PATH
// descriptor checked to be a socket, never by name: mail_owner owns
// private/ and could swap the name for a link to something else.
Status chown_socket(const std::string& path, uid_t uid, gid_t gid) {
  UniqueFd fd(::open(path.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) return sys_error("open " + path);
  if (!S_ISSOCK(st.st_mode)) return Error{path + " is no longer the socket master created"};
  if (::fchownat(fd.get(), "", uid, gid, AT_EMPTY_PATH) != 0) return sys_error("chown " + path);
  return {};
}

Result<UniqueFd> open_unix(const config::Config& config, const ServiceSpec& spec, int socktype) {
  const config::MasterEntry& entry = spec.entry;
  const SocketPermissions& permissions = spec.socket_permissions;
  std::string path = local_endpoint_path(config, entry);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.size() >= sizeof sun.sun_path) return Error{"socket path too long: " + path};
  std::memcpy(sun.sun_path, path.c_str(), path.size() + 1);
  UniqueFd fd(::socket(AF_UNIX, socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return sys_error("socket");
  ::unlink(path.c_str());
  const mode_t mode = permissions.mode.value_or(entry.private_service ? 0600 : 0666);
  {
    ScopedUmask umask(~mode & 0777);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0) return sys_error("bind " + path);
  }
  if (::geteuid() == 0) {
    // mail_owner unless the unix_listener names a user or group.
    auto owner = service::find_account(config.get("mail_owner"));
    if (!owner && (!permissions.uid || !permissions.gid)) return owner.error();
    uid_t uid = permissions.uid.value_or(owner ? owner->uid : 0);
    gid_t gid = permissions.gid.value_or(owner ? owner->gid : 0);
    if (auto st = chown_socket(path, uid, gid); !st) return st.error();
  }
  // Only now can anyone connect: the socket has its final owner and mode.
  if (socktype == SOCK_STREAM && ::listen(fd.get(), kListenBacklog) != 0) return sys_error("listen " + path);
  return fd;
}

Result<UniqueFd> open_fifo(const config::Config& config, const config::MasterEntry& entry) {
  std::string path = local_endpoint_path(config, entry);
  ::unlink(path.c_str());
  if (::mkfifo(path.c_str(), entry.private_service ? 0600 : 0622) != 0) return sys_error("mkfifo " + path);
  ::chmod(path.c_str(), entry.private_service ? 0600 : 0622);
  set_local_owner(config, path);
  // O_RDWR keeps the FIFO open with a writer, so readers never see EOF.
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return sys_error("open " + path);
  return fd;
}

}  // namespace

std::string local_endpoint_path(const config::Config& config, const config::MasterEntry& entry) {
  return config.get("queue_directory") + (entry.private_service ? "/private/" : "/public/") + entry.service;
}

Result<std::string> listener_identity(const config::Config& config, const ServiceSpec& spec) {
  const auto& type = spec.entry.type;
  if (type == "inet") {
    auto addrs = inet_addresses(config, spec);
    if (!addrs) return addrs.error();
    std::vector<std::string> parts;
    for (const auto& a : *addrs) parts.push_back(a.text);
    std::sort(parts.begin(), parts.end());
    return "inet " + join(parts, " ");
  }
  std::string identity = type + " " + local_endpoint_path(config, spec.entry);
  // A changed unix_listener mode/user/group makes reload create the socket afresh.
  if (std::string permissions = spec.socket_permissions.describe(); !permissions.empty())
    identity += " " + permissions;
  return identity;
}

Result<OpenedListeners> open_listeners(const config::Config& config, const ServiceSpec& spec) {
  OpenedListeners out;
  auto identity = listener_identity(config, spec);
  if (!identity) return identity.error();
  out.identity = *identity;
  const auto& type = spec.entry.type;
  if (type == "inet") {
    auto addrs = inet_addresses(config, spec);
    if (!addrs) return addrs.error();
    for (const auto& a : *addrs) {
      auto fd = open_inet(a);
      if (!fd) return fd.error();
      out.fds.push_back(std::move(fd.value()));
    }
  } else if (type == "unix" || type == "unix-dgram") {
    auto fd = open_unix(config, spec, type == "unix" ? SOCK_STREAM : SOCK_DGRAM);
    if (!fd) return fd.error();
    out.fds.push_back(std::move(fd.value()));
  } else if (type == "fifo") {
    auto fd = open_fifo(config, spec.entry);
    if (!fd) return fd.error();
    out.fds.push_back(std::move(fd.value()));
  } else {
    return Error{"unsupported service type: " + type};
  }
  return out;
}

}  // namespace postern::master
