// bench-imap-load: the IMAP load client of bench/ (one thread per client, so
// the figures measure the server, not an interpreter). Built by bench/run.sh.
//
//   bench-imap-load --port P --user U --pass W --op OP [--clients N]
//                   [--seconds S] [--word W] [--maildir DIR --uid U --gid G]
//
// OP is one of:
//   login   connect, LOGIN, SELECT INBOX, LOGOUT, again (one op = one session)
//   fetch   FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)
//   body    UID-less FETCH n BODY.PEEK[] of a random message
//   store   STORE n +FLAGS (\Flagged) / -FLAGS on a random message
//   search  SEARCH TEXT word
//   idle    every client IDLEs; this process delivers a message into
//           --maildir (tmp/ then rename into new/, as an MDA does) and one op
//           is one client seeing "* n EXISTS"
//   hold    opens --clients logged-in, selected connections, prints "ready"
//           and keeps them open until stdin closes (RSS per idle connection)
// Prints one line of JSON: ops, seconds, ops_per_s, p50_ms, p99_ms, errors.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <barrier>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 143;
  std::string user, pass, op, word = "zanzibar", maildir;
  int clients = 1;
  double seconds = 3;
  int uid = -1, gid = -1;
};

// One IMAP connection with a buffered line reader that also consumes
// literals ({n}), so a response line is always complete.
class Conn {
 public:
  explicit Conn(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) < 0) {
      ::close(fd_);
      throw std::runtime_error(std::string("connect: ") + std::strerror(errno));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    timeval tv{120, 0};  // 100 clients logging in at once on a loaded machine take a while
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string greeting = line();
    if (greeting.rfind("* OK", 0) != 0) throw std::runtime_error("greeting: " + greeting);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }

  void send(const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
      ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw std::runtime_error("write");
      }
      done += static_cast<size_t>(n);
    }
  }

  // A response line without CRLF; literals are read and dropped.
  std::string line() {
    std::string out;
    for (;;) {
      std::string part = raw_line();
      out += part;
      size_t open = part.rfind('{');
      if (!part.empty() && part.back() == '}' && open != std::string::npos) {
        size_t n = std::strtoul(part.c_str() + open + 1, nullptr, 10);
        skip(n);
        continue;
      }
      return out;
    }
  }

  // Sends "<tag> <command>" and reads to the tagged reply; returns true on OK.
  // Untagged "* n EXISTS" lines update exists().
  bool command(const std::string& cmd) {
    std::string tag = "a" + std::to_string(++tag_no_);
    send(tag + " " + cmd + "\r\n");
    return wait_tagged(tag);
  }

  bool wait_tagged(const std::string& tag) {
    for (;;) {
      std::string l = line();
      note_exists(l);
      if (l.compare(0, tag.size() + 1, tag + " ") == 0) return l.compare(tag.size() + 1, 2, "OK") == 0;
    }
  }

  std::string next_tag() { return "a" + std::to_string(++tag_no_); }
  long exists() const { return exists_; }

  // Parses "* n EXISTS"; returns true when the line was one.
  bool note_exists(const std::string& l) {
    if (l.size() > 9 && l.compare(0, 2, "* ") == 0 && l.compare(l.size() - 7, 7, " EXISTS") == 0) {
      exists_ = std::strtol(l.c_str() + 2, nullptr, 10);
      return true;
    }
    return false;
  }

 private:
  bool fill() {
    if (pos_ > 0 && pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    }
    char chunk[65536];
    for (;;) {
      ssize_t n = ::read(fd_, chunk, sizeof chunk);
      if (n > 0) {
        buf_.append(chunk, static_cast<size_t>(n));
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      throw std::runtime_error(n == 0 ? "server closed the connection" : "read timeout or error");
    }
  }

  std::string raw_line() {
    for (;;) {
      size_t nl = buf_.find('\n', pos_);
      if (nl != std::string::npos) {
        size_t end = (nl > pos_ && buf_[nl - 1] == '\r') ? nl - 1 : nl;
        std::string l = buf_.substr(pos_, end - pos_);
        pos_ = nl + 1;
        return l;
      }
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      fill();
    }
  }

  void skip(size_t n) {
    while (buf_.size() - pos_ < n) {
      n -= buf_.size() - pos_;
      buf_.clear();
      pos_ = 0;
      fill();
    }
    pos_ += n;
  }

  int fd_ = -1;
  std::string buf_;
  size_t pos_ = 0;
  long tag_no_ = 0;
  long exists_ = 0;
};

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) out += c;
  }
  return out;
}

// Logs in and selects INBOX; throws on failure.
void open_session(Conn& c, const Options& o) {
  if (!c.command("LOGIN " + quoted(o.user) + " " + quoted(o.pass))) throw std::runtime_error("LOGIN refused");
  if (!c.command("SELECT INBOX")) throw std::runtime_error("SELECT refused");
}

struct Sample {
  std::vector<double> latencies_ms;
  long errors = 0;
  std::string first_error;
};

double ms_since(Clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

// One client of the request/response ops: runs until the deadline.
void run_client(const Options& o, int index, std::barrier<>& start, std::atomic<int64_t>& deadline_ns,
                Sample& out) {
  std::optional<Conn> conn;
  std::mt19937 rng(static_cast<unsigned>(index * 7919 + 17));
  try {
    if (o.op != "login") {
      conn.emplace(o.port);
      open_session(*conn, o);
    }
  } catch (const std::exception& e) {
    out.errors++;
    out.first_error = e.what();
  }
  start.arrive_and_wait();  // every client is logged in
  start.arrive_and_wait();  // the main thread has set the deadline
  if (o.op != "login" && !conn) return;
  auto deadline = Clock::time_point(std::chrono::nanoseconds(deadline_ns.load()));
  bool flag_on = true;
  while (Clock::now() < deadline) {
    auto t0 = Clock::now();
    bool ok = false;
    try {
      if (o.op == "login") {
        Conn c(o.port);
        open_session(c, o);
        ok = c.command("LOGOUT");
      } else {
        long n = std::max(1L, conn->exists());
        long pick = std::uniform_int_distribution<long>(1, n)(rng);
        if (o.op == "fetch") {
          ok = conn->command("FETCH 1:* (FLAGS UID RFC822.SIZE ENVELOPE)");
        } else if (o.op == "body") {
          ok = conn->command("FETCH " + std::to_string(pick) + " BODY.PEEK[]");
        } else if (o.op == "store") {
          ok = conn->command("STORE " + std::to_string(pick) + (flag_on ? " +FLAGS" : " -FLAGS") + " (\\Flagged)");
          flag_on = !flag_on;
        } else if (o.op == "search") {
          ok = conn->command("SEARCH TEXT " + quoted(o.word));
        } else {
          throw std::runtime_error("unknown op " + o.op);
        }
      }
    } catch (const std::exception& e) {
      if (out.first_error.empty()) out.first_error = e.what();
      out.errors++;
      if (o.op != "login") return;  // the connection is unusable
      continue;
    }
    if (ok) {
      out.latencies_ms.push_back(ms_since(t0));
    } else {
      out.errors++;
      if (out.first_error.empty()) out.first_error = "NO/BAD reply";
    }
  }
  if (conn) {
    try {
      conn->command("LOGOUT");
    } catch (const std::exception&) {
    }
  }
}

// Delivers one message the way an MDA does: write into tmp/, fsync, rename
// into new/. The file belongs to the mailbox owner.
void deliver(const Options& o, long seq) {
  std::string name = std::to_string(::time(nullptr)) + ".B" + std::to_string(seq) + "P" +
                     std::to_string(::getpid()) + ".bench";
  std::string tmp = o.maildir + "/tmp/" + name;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("open " + tmp + ": " + std::strerror(errno));
  std::string text = "From: idle@bench.test\r\nTo: bench@bench.test\r\nSubject: idle " + std::to_string(seq) +
                     "\r\nMessage-ID: <idle" + std::to_string(seq) + "." + name + "@bench.test>\r\n\r\nwake up\r\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  if (o.uid >= 0 && ::fchown(fd, static_cast<uid_t>(o.uid), static_cast<gid_t>(o.gid)) < 0) ok = false;
  ok = ::fsync(fd) == 0 && ok;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), (o.maildir + "/new/" + name).c_str()) < 0)
    throw std::runtime_error("delivery into " + o.maildir + " failed");
}

// IDLE: every client waits in IDLE; the main thread delivers, then waits
// until every client has seen the new EXISTS (or 10 s pass).
Sample run_idle(const Options& o, double& elapsed_s) {
  struct Idler {
    std::optional<Conn> conn;
    std::string tag;
    std::atomic<long> seen{0};
  };
  std::vector<Idler> idlers(static_cast<size_t>(o.clients));
  Sample out;
  for (auto& i : idlers) {
    i.conn.emplace(o.port);
    open_session(*i.conn, o);
    i.seen = i.conn->exists();
    i.tag = i.conn->next_tag();
    i.conn->send(i.tag + " IDLE\r\n");
    for (;;) {
      std::string l = i.conn->line();
      if (l.rfind("+", 0) == 0) break;
      if (l.rfind(i.tag + " ", 0) == 0) throw std::runtime_error("IDLE refused: " + l);
    }
  }
  std::atomic<int64_t> sent_ns{0};
  std::atomic<bool> stop{false};
  std::mutex mu;
  std::vector<std::thread> readers;
  for (auto& i : idlers) {
    readers.emplace_back([&, ip = &i] {
      try {
        for (;;) {
          std::string l = ip->conn->line();
          if (ip->conn->note_exists(l)) {
            double ms = (Clock::now().time_since_epoch().count() - sent_ns.load()) / 1e6;
            {
              std::lock_guard lock(mu);
              out.latencies_ms.push_back(ms);
            }
            ip->seen = ip->conn->exists();
          }
          if (l.rfind(ip->tag + " ", 0) == 0) return;  // IDLE ended by DONE
        }
      } catch (const std::exception& e) {
        if (!stop) {
          std::lock_guard lock(mu);
          out.errors++;
          out.first_error = e.what();
        }
      }
    });
  }
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::duration<double>(o.seconds);
  long seq = 0;
  long expect = idlers.front().seen;
  while (Clock::now() < deadline) {
    ++expect;
    sent_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
    deliver(o, ++seq);
    auto give_up = Clock::now() + std::chrono::seconds(10);
    bool all = false;
    while (!all && Clock::now() < give_up) {
      all = std::all_of(idlers.begin(), idlers.end(), [&](const Idler& i) { return i.seen >= expect; });
      if (!all) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    if (!all) {
      std::lock_guard lock(mu);
      out.errors++;
      out.first_error = "no EXISTS within 10 s of a delivery";
      break;
    }
  }
  elapsed_s = std::chrono::duration<double>(Clock::now() - t0).count();
  stop = true;
  for (auto& i : idlers) {
    try {
      i.conn->send("DONE\r\n");
    } catch (const std::exception&) {
    }
  }
  for (auto& r : readers) r.join();
  return out;
}

// hold: N logged-in, selected, idle connections until stdin closes. Logins
// run on a few threads at once: one after the other, 1,000 of them take
// minutes against a server that forks a process per login.
int run_hold(const Options& o) {
  std::vector<std::unique_ptr<Conn>> conns(static_cast<size_t>(o.clients));
  std::atomic<long> errors{0};
  std::mutex mu;
  std::string first_error;
  std::atomic<int> next{0};
  std::vector<std::thread> openers;
  for (int t = 0; t < std::min(16, o.clients); ++t) {
    openers.emplace_back([&] {
      for (int n = next++; n < o.clients; n = next++) {
        try {
          auto c = std::make_unique<Conn>(o.port);
          open_session(*c, o);
          conns[static_cast<size_t>(n)] = std::move(c);
        } catch (const std::exception& e) {
          std::lock_guard lock(mu);
          if (first_error.empty()) first_error = e.what();
          errors++;
        }
      }
    });
  }
  for (auto& t : openers) t.join();
  size_t ready = static_cast<size_t>(std::count_if(conns.begin(), conns.end(), [](const auto& c) { return c != nullptr; }));
  std::printf("{\"ready\": %zu, \"errors\": %ld, \"first_error\": \"%s\"}\n", ready, errors.load(),
              json_escape(first_error).c_str());
  std::fflush(stdout);
  char c;
  while (::read(0, &c, 1) > 0) {
  }
  return 0;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}


Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = std::stoi(v);
    else if (k == "--user") o.user = v;
    else if (k == "--pass") o.pass = v;
    else if (k == "--op") o.op = v;
    else if (k == "--clients") o.clients = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stod(v);
    else if (k == "--word") o.word = v;
    else if (k == "--maildir") o.maildir = v;
    else if (k == "--uid") o.uid = std::stoi(v);
    else if (k == "--gid") o.gid = std::stoi(v);
    else throw std::runtime_error("unknown option " + k);
  }
  if (o.op.empty() || o.user.empty() || o.clients < 1) throw std::runtime_error("--op, --user and --clients >= 1 needed");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Options o = parse(argc, argv);
    if (o.op == "hold") return run_hold(o);
    Sample all;
    double elapsed = 0;
    if (o.op == "idle") {
      all = run_idle(o, elapsed);
    } else {
      std::vector<Sample> samples(static_cast<size_t>(o.clients));
      std::barrier start(o.clients + 1);
      std::atomic<int64_t> deadline_ns{0};
      std::vector<std::thread> threads;
      for (int i = 0; i < o.clients; ++i)
        threads.emplace_back(run_client, std::cref(o), i, std::ref(start), std::ref(deadline_ns),
                             std::ref(samples[static_cast<size_t>(i)]));
      start.arrive_and_wait();  // every client is logged in: the clock starts
      auto t0 = Clock::now();
      deadline_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        (t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds)))
                            .time_since_epoch())
                        .count();
      start.arrive_and_wait();
      for (auto& t : threads) t.join();
      elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      for (auto& s : samples) {
        all.latencies_ms.insert(all.latencies_ms.end(), s.latencies_ms.begin(), s.latencies_ms.end());
        all.errors += s.errors;
        if (all.first_error.empty()) all.first_error = s.first_error;
      }
    }
    size_t ops = all.latencies_ms.size();
    double p50 = percentile(all.latencies_ms, 0.50), p99 = percentile(all.latencies_ms, 0.99);
    std::printf(
        "{\"ops\": %zu, \"seconds\": %.4f, \"ops_per_s\": %.2f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
        "\"errors\": %ld, \"first_error\": \"%s\"}\n",
        ops, elapsed, elapsed > 0 ? static_cast<double>(ops) / elapsed : 0.0, p50, p99, all.errors,
        json_escape(all.first_error).c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-imap-load: %s\n", e.what());
    return 1;
  }
}
