// The final deliveries of local: mailbox (spool mbox as root, home mbox or
// Maildir as the user, or mailbox_command), |command and /file (as the
// user or default_privs), and forwarding of non-local targets as a new
// queue file (as mail_owner). Runs in local (root).
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/log/log.hpp"
#include "lib/mailbox/maildir_writer.hpp"
#include "lib/maps/address_lookup.hpp"
#include "lib/mailbox/mbox_writer.hpp"
#include "lib/queue/queue_writer.hpp"
#include "lib/queue_tools/trigger.hpp"
#include "local/deliverer.hpp"

namespace postern::local {

namespace {

// Whether `path` (a Maildir, which may not exist yet) is on file system
// `device`; false when either is unknown, so the folder gets its fsync.
bool on_device(const std::string& path, dev_t device) {
  struct stat st{};
  return device != 0 && ::stat(path.c_str(), &st) == 0 && st.st_dev == device;
}

// Runs `command` with /bin/sh -c (or local_command_shell), feeding `input`
// from `content`. Returns a Status whose message starts with a DSN on failure.
Status run_command(const std::string& shell, const std::string& command, const std::vector<std::string>& env,
                   const std::string& prefix, const mailbox::ContentSource& content, int time_limit) {
  int in[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return sys_error("4.3.0 pipe");
  UniqueFd rd(in[0]);
  UniqueFd wr(in[1]);
  pid_t pid = ::fork();
  if (pid < 0) return sys_error("4.3.0 fork");
  if (pid == 0) {
    ::dup2(rd.get(), STDIN_FILENO);
    int devnull = ::open("/dev/null", O_WRONLY);
    if (devnull >= 0) ::dup2(devnull, STDOUT_FILENO);
    ::setsid();
    std::vector<char*> envp;
    for (const auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const char* sh = shell.empty() ? "/bin/sh" : shell.c_str();
    const char* argv[] = {sh, "-c", command.c_str(), nullptr};
    ::execve(sh, const_cast<char* const*>(argv), envp.data());
    ::_exit(126);
  }
  rd.reset();
  ::signal(SIGPIPE, SIG_IGN);  // a command that stops reading early is judged by its exit status
  Status wrote = write_all(wr.get(), prefix);
  mailbox::LineConverter convert(false);
  std::string out;
  while (wrote) {
    auto chunk = content();
    if (!chunk) {
      wrote = chunk.error();
      break;
    }
    if (chunk->empty()) break;
    out.clear();
    convert.feed(*chunk, out);
    wrote = write_all(wr.get(), out);
  }
  if (wrote) {
    out.clear();
    convert.finish(out);
    (void)write_all(wr.get(), out);
  }
  wr.reset();
  int status = 0;
  const time_t deadline = ::time(nullptr) + time_limit;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (r < 0 && errno != EINTR) return sys_error("4.3.0 waitpid");
    if (::time(nullptr) > deadline) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Error{"4.3.0 Command time limit exceeded: \"" + command + "\"", ETIMEDOUT};
    }
    struct timespec ts{0, 20 * 1000000L};
    ::nanosleep(&ts, nullptr);
  }
  if (WIFSIGNALED(status)) return Error{"4.3.0 Command died with signal " + std::to_string(WTERMSIG(status)) + ": \"" + command + "\"", EIO};
  int code = WEXITSTATUS(status);
  if (code == 0) return {};
  // sysexits: EX_TEMPFAIL (75) and friends are temporary, as in Postfix.
  bool temporary = code == 75 || code == 71 || code == 74 || code == 73 || code == 69;
  return Error{std::string(temporary ? "4.3.0" : "5.3.0") + " Command died with status " + std::to_string(code) + ": \"" + command + "\"", EIO};
}

}  // namespace

std::string Deliverer::delivered_to_header(const std::string& address, const char* kind) const {
  // Mailboxes always get one (it is the loop detector); commands, files
  // and forwards as prepend_delivered_header says.
  if (std::string(kind) != "mailbox") {
    bool wanted = false;
    for (const auto& k : params_.prepend_delivered_header) wanted = wanted || k == kind;
    if (!wanted) return "";
  }
  return address;
}

void Deliverer::deliver_mailbox(const UserIdentity& user, const std::string& address, const Frame& frame) {
  if (!done_.insert("mailbox:" + user.name).second) return;  // duplicate elimination
  mailbox::DeliveryHeaders headers{frame.sender, address, ""};
  if (!params_.mailbox_command.empty()) {
    // local's own names ($user, $home, ...) are expanded here; upper-case
    // ones ($EXTENSION) reach the shell as environment variables.
    std::string command = params_.mailbox_command;
    auto original_local = request_.recipient.substr(0, request_.recipient.rfind('@'));
    auto parts = maps::split_localpart(original_local, params_.recipient_delimiter);
    auto at = address.rfind('@');
    const std::vector<std::pair<std::string, std::string>> names = {
        {"user", user.name}, {"home", user.home}, {"shell", user.shell}, {"recipient", address},
        {"extension", parts.extension}, {"domain", at == std::string::npos ? "" : address.substr(at + 1)},
        {"local", original_local}, {"recipient_delimiter", params_.recipient_delimiter}};
    for (const auto& [name, value] : names) {
      for (const std::string& form : {"${" + name + "}", "$" + name}) {
        for (auto pos = command.find(form); pos != std::string::npos; pos = command.find(form, pos + value.size())) {
          // "$user" must not eat the start of "$username".
          std::size_t end = pos + form.size();
          if (form[1] != '{' && end < command.size() && (std::isalnum(static_cast<unsigned char>(command[end])) || command[end] == '_')) {
            pos += 1;
            continue;
          }
          command.replace(pos, form.size(), value);
        }
      }
    }
    return deliver_command(command, address, frame, user);
  }
  const auto source = content();
  std::string target;
  bool maildir = false;
  if (!params_.home_mailbox.empty()) {
    target = user.home + "/" + params_.home_mailbox;
    maildir = target.back() == '/';
  } else {
    std::string spool = params_.mail_spool_directory;
    maildir = !spool.empty() && spool.back() == '/';
    while (spool.size() > 1 && spool.back() == '/') spool.pop_back();
    target = spool + "/" + user.name + (maildir ? "/" : "");
  }
  if (maildir) {
    std::string path;
    auto work = [&]() -> Status {
      auto done = mailbox::deliver_maildir({target, headers, params_.node_name, !on_device(target, params_.queue_device), params_.unnamed_maildir_files}, source);
      if (!done) return done.error();
      path = *done;
      return {};
    };
    auto ok = run_as(user, work);
    if (!ok) return failed(address, Error{"4.2.0 cannot update maildir " + target + " for user " + user.name + ". " + ok.error().message, ok.error().sys_errno}, false);
    return sent(address, "delivered to maildir");
  }
  mailbox::MboxAppend append;
  append.path = target;
  append.lock = params_.lock;
  append.headers = headers;
  append.arrival = static_cast<std::time_t>(request_.arrival);
  append.size_limit = params_.mailbox_size_limit;
  if (privileged()) {
    append.open.owner = user.uid;
    append.open.group = user.gid;
  }
  Status ok;
  if (params_.home_mailbox.empty()) {
    // The spool folder is root's (Debian: root:mail 2775): the dotlock and
    // the create need root; the file itself must belong to the recipient.
    ok = mailbox::append_mbox(append, source);
  } else {
    ok = run_as(user, [&] { return mailbox::append_mbox(append, source); });
  }
  if (!ok) {
    const int e = ok.error().sys_errno;
    std::string dsn = (e == EFBIG || e == EDQUOT) ? "5.2.2" : "4.2.0";
    return failed(address, Error{dsn + " cannot update mailbox " + target + " for user " + user.name + ". " + ok.error().message, e}, false);
  }
  sent(address, "delivered to mailbox");
}

void Deliverer::deliver_command(const std::string& command, const std::string& address, const Frame& frame,
                                const UserIdentity& as) {
  if (!done_.insert("command:" + as.name + ":" + command).second) return;
  auto [local, domain] = std::pair{address.substr(0, address.rfind('@')), address.substr(address.rfind('@') + 1)};
  std::vector<std::string> env = {"PATH=/usr/bin:/bin", "HOME=" + as.home, "USER=" + as.name, "LOGNAME=" + as.name,
                                  "SHELL=" + (as.shell.empty() ? std::string("/bin/sh") : as.shell),
                                  "SENDER=" + frame.sender, "RECIPIENT=" + address, "LOCAL=" + local,
                                  "DOMAIN=" + domain, "ORIGINAL_RECIPIENT=" + request_.orig_rcpt};
  // EXTENSION, as `mailbox_command = procmail -a "$EXTENSION"` expects.
  auto original_local = request_.recipient.substr(0, request_.recipient.rfind('@'));
  auto parts = maps::split_localpart(original_local, params_.recipient_delimiter);
  env.push_back("EXTENSION=" + parts.extension);
  std::string prefix = mailbox::from_line(frame.sender, static_cast<std::time_t>(request_.arrival));
  std::string dt = delivered_to_header(address, "command");
  prefix += mailbox::delivery_headers({frame.sender, dt, ""});
  if (dt.empty()) prefix = prefix.substr(0, prefix.find("Delivered-To:"));
  auto source = content();
  // The user's program runs in a child that has given up root for good.
  auto ok = run_in_child_as(as, [&] {
    return run_command(params_.local_command_shell, command, env, prefix, source, params_.command_time_limit);
  });
  if (!ok) return failed(address, ok.error(), false);
  sent(address, "delivered to command: " + command);
}

void Deliverer::deliver_file(const std::string& path, const std::string& address, const Frame& frame,
                             const UserIdentity& as) {
  if (!done_.insert("file:" + path).second) return;
  mailbox::MboxAppend append;
  append.path = path;
  append.lock = params_.lock;
  append.headers = {frame.sender, delivered_to_header(address, "file"), ""};
  append.arrival = static_cast<std::time_t>(request_.arrival);
  auto source = content();
  if (path.back() == '/') {
    auto ok = run_as(as, [&]() -> Status {
      auto done = mailbox::deliver_maildir({path, append.headers, params_.node_name, !on_device(path, params_.queue_device), params_.unnamed_maildir_files}, source);
      if (!done) return done.error();
      return {};
    });
    if (!ok) return failed(address, Error{"4.2.0 cannot append to file " + path + ": " + ok.error().message, ok.error().sys_errno}, false);
    return sent(address, "delivered to file: " + path);
  }
  auto ok = run_as(as, [&] { return mailbox::append_mbox(append, source); });
  if (!ok) return failed(address, Error{"4.2.0 cannot append message to file " + path + ": " + ok.error().message, ok.error().sys_errno}, false);
  sent(address, "delivered to file: " + path);
}

void Deliverer::forward_remote() {
  for (const auto& [sender, targets] : remote_) {
    std::vector<std::string> unique;
    for (const auto& t : targets) {
      if (done_.insert("forward:" + t).second) unique.push_back(t);
    }
    if (unique.empty()) continue;
    queue::Envelope env;
    env.sender = sender;
    double now = bounce::now_seconds();
    env.arrival_seconds = static_cast<std::int64_t>(now);
    env.arrival_microseconds = static_cast<std::uint32_t>((now - static_cast<double>(env.arrival_seconds)) * 1e6);
    for (const auto& t : unique) {
      queue::Recipient r;
      r.address = t;
      r.orcpt = "rfc822;" + request_.orig_rcpt;
      env.recipients.push_back(r);
    }
    env.attributes.protocol = "local";
    auto work = [&]() -> Result<std::string> {
      queue::QueueLayout layout;
      layout.queue_directory = params_.queue_directory;
      queue::QueueIdGenerator ids;
      auto writer = queue::QueueWriter::create(layout, ids, env);
      if (!writer) return writer.error();
      std::string dt = delivered_to_header(canonical(request_.recipient), "forward");
      if (!dt.empty()) {
        if (auto ok = writer->append("Delivered-To: " + dt + "\r\n"); !ok) return ok.error();
      }
      auto source = content();
      for (;;) {
        auto chunk = source();
        if (!chunk) return chunk.error();
        if (chunk->empty()) break;
        if (auto ok = writer->append(*chunk); !ok) return ok.error();
      }
      auto id = writer->commit();
      if (!id) return id.error();
      // Wake qmgr (FIFO or UNIX socket); if it is not listening, its
      // periodic scan finds the file.
      (void)queue_tools::send_trigger(params_.queue_directory + "/public/qmgr", "A");
      return *id;
    };
    // The queue file must belong to mail_owner, who reads and moves it.
    auto owner = users_.find(params_.mail_owner);
    Result<std::string> ok = (privileged() && owner) ? run_as_value(*owner, work) : work();
    for (const auto& t : unique) {
      if (!ok) {
        defer(t, "4.3.0", "cannot forward: " + ok.error().message);
      } else {
        sent(t, "forwarded as " + *ok);
      }
    }
  }
}

}  // namespace postern::local
