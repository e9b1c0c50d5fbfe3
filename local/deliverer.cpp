// Recipient expansion for one delivery request: aliases, :include:,
// .forward, luser_relay, loop and duplicate checks, and status logging.
// The deliveries themselves are in delivery_targets.cpp. Runs in local (root).
#include "local/deliverer.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/address_lookup.hpp"

namespace postern::local {

namespace {

constexpr int kMaxDepth = 100;  // Postfix's alias/forward nesting bound

std::pair<std::string, std::string> split_address(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return {address, ""};
  return {address.substr(0, at), address.substr(at + 1)};
}

// Reads a small file owned by `uid` (or root) without following symlinks:
// .forward and :include: files.
Result<std::string> read_owned_file(const std::string& path, std::optional<uid_t> uid) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return sys_error("open " + path);
  struct stat st{};
  if (::fstat(fd.get(), &st) != 0) return sys_error("fstat " + path);
  if (!S_ISREG(st.st_mode)) return Error{"file " + path + ": not a regular file", EPERM};
  if (uid && st.st_uid != *uid && st.st_uid != 0) return Error{"file " + path + ": wrong owner", EPERM};
  if (st.st_size > 1 << 20) return Error{"file " + path + ": too large", EFBIG};
  std::string data;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error("read " + path);
    if (n == 0) break;
    data.append(buf, static_cast<std::size_t>(n));
  }
  return data;
}

}  // namespace

std::vector<std::string> split_alias_value(std::string_view value, bool file_syntax) {
  std::vector<std::string> out;
  std::string item;
  bool quoted = false;
  bool comment = false;
  bool line_start = true;
  auto finish = [&] {
    std::string t(trim(item));
    if (t.size() >= 2 && t.front() == '"' && t.back() == '"') t = t.substr(1, t.size() - 2);
    if (!t.empty()) out.push_back(t);
    item.clear();
  };
  for (char c : value) {
    if (comment) {
      if (c == '\n') comment = false, line_start = true;
      continue;
    }
    if (line_start && file_syntax && c == '#') {
      comment = true;
      continue;
    }
    line_start = c == '\n';
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ',' || c == '\n')) {
      finish();
      continue;
    }
    item += c;
  }
  finish();
  return out;
}

Deliverer::Deliverer(const LocalParams& params, maps::TableList& aliases, UserCache& users,
                     const queue::QueueReader& queue, const ipc::DeliveryRequest& request)
    : params_(params), aliases_(aliases), users_(users), queue_(queue), request_(request) {
  times_.arrival = request.arrival;
  times_.active = request.active_time;
  times_.request = request.request_time;
  times_.connected = bounce::now_seconds();
  // Delivered-To headers already in the message: the loop check.
  // Only the header is read: 8 KB holds most, a longer one is read again in
  // larger steps, up to 256 KB.
  for (std::size_t want : {8 * 1024, 64 * 1024, 256 * 1024}) {
    auto head = queue_.read_content(0, want);
    if (!head) break;
    std::string_view h = *head;
    const auto end = h.find("\r\n\r\n");
    if (end == std::string_view::npos && head->size() == want && want < 256 * 1024) continue;
    if (end != std::string_view::npos) h = h.substr(0, end + 2);
    for (const auto& line : split(h, "\r\n")) {
      if (istarts_with(line, "Delivered-To:")) delivered_to_.insert(to_lower(trim(line.substr(13))));
    }
    break;
  }
}

ipc::DeliveryReply Deliverer::run() {
  Frame top;
  top.sender = request_.sender;
  deliver_address(request_.recipient, top);
  forward_remote();
  return reply_;
}

std::string Deliverer::canonical(const std::string& address) const {
  auto [local, domain] = split_address(address);
  if (domain.empty()) return to_lower(local) + "@" + to_lower(params_.myorigin);
  return to_lower(address);
}

void Deliverer::deliver_address(const std::string& raw, const Frame& frame) {
  const std::string address = canonical(raw);
  if (frame.depth > kMaxDepth) return bounce(address, "5.4.6", "alias/forward nesting too deep for " + address);
  if (delivered_to_.count(address)) return bounce(address, "5.4.6", "mail forwarding loop for " + address);
  auto [local, domain] = split_address(address);
  if (!is_local_domain(params_, domain)) {
    remote_[frame.sender].push_back(address);
    return;
  }
  auto split = maps::split_localpart(local, params_.recipient_delimiter);
  if (split.user.empty()) split.user = local;

  // Aliases: "user+ext" then "user"; a name already expanded above us means
  // "this name itself" (root: root, other) rather than a loop.
  if (!aliases_.empty()) {
    std::vector<std::string> keys;
    if (!split.extension.empty()) keys.push_back(local);
    keys.push_back(split.user);
    for (const auto& key : keys) {
      if (frame.chain.count("alias:" + key)) continue;
      auto found = aliases_.lookup(key);
      if (found.is_temp_fail()) return defer(address, "4.3.0", "alias database unavailable: " + found.value);
      if (!found.is_found()) continue;
      Frame child = frame;
      child.via = Via::alias;
      child.depth = frame.depth + 1;
      child.chain.insert("alias:" + key);
      child.privs = default_privs();
      // owner-NAME receives the errors of list NAME (expand_owner_alias aside).
      if (!istarts_with(key, "owner-")) {
        auto owner = aliases_.lookup("owner-" + key);
        if (owner.is_found()) child.sender = "owner-" + key + "@" + to_lower(params_.myorigin);
      }
      for (const auto& item : split_alias_value(found.value, false)) deliver_token(item, child);
      return;
    }
  }
  auto user = users_.find(split.user);
  if (!user) {
    if (user.error().sys_errno != ENOENT) return defer(address, "4.3.0", user.error().message);
    if (!params_.luser_relay.empty() && !frame.chain.count("luser_relay")) {
      Frame child = frame;
      child.chain.insert("luser_relay");
      child.depth = frame.depth + 1;
      std::string relay = params_.luser_relay;
      for (auto [name, value] : {std::pair{std::string("$user"), split.user}, {std::string("$local"), local}}) {
        for (auto at = relay.find(name); at != std::string::npos; at = relay.find(name)) relay.replace(at, name.size(), value);
      }
      return deliver_address(relay, child);
    }
    return bounce(address, "5.1.1", "unknown user: \"" + local + "\"");
  }
  deliver_user(*user, address, split.extension, frame);
}

void Deliverer::deliver_token(const std::string& token, const Frame& frame) {
  if (istarts_with(token, ":include:")) {
    std::string path(trim(token.substr(9)));
    if (frame.chain.count("include:" + path)) return;
    std::optional<uid_t> owner;
    if (frame.via == Via::forward && frame.privs) owner = frame.privs->uid;
    auto text = read_owned_file(path, owner);
    if (!text) return defer(canonical(request_.recipient), "4.3.0", "cannot open include file " + path + ": " + text.error().message);
    Frame child = frame;
    child.via = Via::include;
    child.depth = frame.depth + 1;
    child.chain.insert("include:" + path);
    for (const auto& item : split_alias_value(*text, true)) deliver_token(item, child);
    return;
  }
  if (token[0] == '|') {
    if (!allowed(params_.allow_mail_to_commands, frame.via)) {
      return bounce(canonical(request_.recipient), "5.7.1", "mail to command is restricted");
    }
    if (!frame.privs) return defer(canonical(request_.recipient), "4.3.0", "no privileges for command delivery");
    return deliver_command(token.substr(1), canonical(request_.recipient), frame, *frame.privs);
  }
  if (token[0] == '/') {
    if (!allowed(params_.allow_mail_to_files, frame.via)) {
      return bounce(canonical(request_.recipient), "5.7.1", "mail to file is restricted");
    }
    if (!frame.privs) return defer(canonical(request_.recipient), "4.3.0", "no privileges for file delivery");
    return deliver_file(token, canonical(request_.recipient), frame, *frame.privs);
  }
  if (token[0] == '\\') {
    // "\user": that user's mailbox, no further aliasing or forwarding.
    auto user = users_.find(to_lower(token.substr(1)));
    if (!user) return bounce(canonical(token.substr(1)), "5.1.1", "unknown user: \"" + token.substr(1) + "\"");
    return deliver_mailbox(*user, canonical(token.substr(1)), frame);
  }
  Frame child = frame;
  child.depth = frame.depth + 1;
  deliver_address(token, child);
}

void Deliverer::deliver_user(const UserIdentity& user, const std::string& address, const std::string& extension,
                             const Frame& frame) {
  if (!frame.chain.count("forward:" + user.name) && try_forward_file(user, address, extension, frame)) return;
  deliver_mailbox(user, address, frame);
}

bool Deliverer::try_forward_file(const UserIdentity& user, const std::string& address, const std::string& extension,
                                 const Frame& frame) {
  // Without an extension the default forward_path names $home/.forward
  // twice; it is read once.
  std::vector<std::string> tried;
  for (std::string path : params_.forward_path) {
    const std::string delim = extension.empty() ? std::string() : params_.recipient_delimiter.substr(0, 1);
    for (auto [name, value] : {std::pair{std::string("${recipient_delimiter}"), delim},
                               {std::string("${extension}"), extension}, {std::string("$home"), user.home},
                               {std::string("$user"), user.name}, {std::string("$extension"), extension},
                               {std::string("$recipient_delimiter"), delim}}) {
      for (auto at = path.find(name); at != std::string::npos; at = path.find(name)) path.replace(at, name.size(), value);
    }
    if (path.find('$') != std::string::npos) continue;  // an expansion we do not offer
    if (std::find(tried.begin(), tried.end(), path) != tried.end()) continue;
    tried.push_back(path);
    auto text = read_owned_file(path, user.uid);
    if (!text) {
      if (text.error().sys_errno == ENOENT) continue;
      log::warning("%s: %s", request_.queue_id.c_str(), text.error().message.c_str());
      continue;
    }
    auto items = split_alias_value(*text, true);
    if (items.empty()) continue;
    Frame child = frame;
    child.via = Via::forward;
    child.depth = frame.depth + 1;
    child.chain.insert("forward:" + user.name);
    child.chain.insert("alias:" + user.name);  // "user" in one's own .forward means one's mailbox
    child.privs = user;
    for (const auto& item : items) {
      if (item == user.name || item == "\\" + user.name) {
        deliver_mailbox(user, address, child);
      } else {
        deliver_token(item, child);
      }
    }
    return true;
  }
  return false;
}

bool Deliverer::allowed(const std::vector<std::string>& classes, Via via) const {
  const char* name = via == Via::alias ? "alias" : via == Via::forward ? "forward" : via == Via::include ? "include" : "";
  for (const auto& c : classes) {
    if (c == name) return true;
  }
  return false;
}

std::optional<UserIdentity> Deliverer::default_privs() {
  if (!privileged()) {
    UserIdentity self{"", ::getuid(), ::getgid(), "/", ""};
    return self;
  }
  auto who = users_.find(params_.default_privs);
  if (!who || who->uid == 0) return std::nullopt;  // never run alias commands as root
  return *who;
}

void Deliverer::sent(const std::string& to, const std::string& reason, const std::string& dsn) {
  bounce::StatusLine line{request_.queue_id, to, canonical(request_.orig_rcpt.empty() ? request_.recipient : request_.orig_rcpt),
                          "local", times_, dsn, "sent", reason};
  line.times.done = bounce::now_seconds();
  log::info("%s", bounce::format_status(line).c_str());
  if (!reply_.deferred) {
    reply_.dsn = dsn;
    reply_.reason = reason;
  }
}

void Deliverer::defer(const std::string& to, const std::string& dsn, const std::string& reason) {
  bounce::StatusLine line{request_.queue_id, to, canonical(request_.orig_rcpt.empty() ? request_.recipient : request_.orig_rcpt),
                          "local", times_, dsn, "deferred", reason};
  line.times.done = bounce::now_seconds();
  log::info("%s", bounce::format_status(line).c_str());
  reply_.deferred = true;
  reply_.dsn = dsn;
  reply_.reason = reason;
}

void Deliverer::bounce(const std::string& to, const std::string& dsn, const std::string& reason) {
  bounce::StatusLine line{request_.queue_id, to, canonical(request_.orig_rcpt.empty() ? request_.recipient : request_.orig_rcpt),
                          "local", times_, dsn, "bounced", reason};
  line.times.done = bounce::now_seconds();
  log::info("%s", bounce::format_status(line).c_str());
  reply_.failed.push_back({to, dsn, reason});
  if (!reply_.deferred) {
    reply_.dsn = dsn;
    reply_.reason = reason;
  }
}

void Deliverer::failed(const std::string& to, const Error& error, bool permanent_default) {
  const std::string& m = error.message;
  // "5.2.2 text" / "4.3.0 text": the DSN chosen where the failure happened.
  if (m.size() > 6 && (m[0] == '4' || m[0] == '5') && m[1] == '.' && m.find(' ') != std::string::npos) {
    auto space = m.find(' ');
    if (m[0] == '5') return bounce(to, m.substr(0, space), m.substr(space + 1));
    return defer(to, m.substr(0, space), m.substr(space + 1));
  }
  if (error.sys_errno == EFBIG || error.sys_errno == EDQUOT) return bounce(to, "5.2.2", m);
  if (permanent_default) return bounce(to, "5.3.0", m);
  defer(to, "4.2.0", m);
}

mailbox::ContentSource Deliverer::content() const {
  auto offset = std::make_shared<std::uint64_t>(0);
  const queue::QueueReader* q = &queue_;
  return [q, offset]() -> Result<std::string> {
    if (*offset >= q->file().content_size) return std::string();
    auto chunk = q->read_content(*offset, 64 * 1024);
    if (!chunk) return chunk.error();
    if (chunk->empty()) return Error{"queue file truncated", EIO};
    *offset += chunk->size();
    return chunk;
  };
}

}  // namespace postern::local
