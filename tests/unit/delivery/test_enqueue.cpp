// postern-test-enqueue: test-only injector that writes one queue file into
// incoming/ with lib/queue and wakes qmgr, for delivery tests before (and
// independent of) sendmail/smtpd. Run by tests; as root it first becomes
// the given mail_owner so qmgr can read the file.
//   postern-test-enqueue QUEUE_DIR MAIL_OWNER SENDER RCPT [RCPT...] < message
// With POSTERN_TEST_COUNT=N it writes N files, "{n}" in the message
// replaced by 1..N in each (crash tests).
#include <fcntl.h>
#include <pwd.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string>

#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_writer.hpp"
#include "lib/queue_tools/trigger.hpp"

int main(int argc, char** argv) {
  using namespace postern;
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s queue_dir mail_owner sender rcpt...\n", argv[0]);
    return 2;
  }
  if (::geteuid() == 0) {
    struct passwd* pw = ::getpwnam(argv[2]);
    if (!pw || ::setgid(pw->pw_gid) != 0 || ::setuid(pw->pw_uid) != 0) {
      std::fprintf(stderr, "cannot become %s\n", argv[2]);
      return 1;
    }
  }
  std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  // The queue holds CRLF lines, as cleanup writes them.
  std::string content;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) content += '\r';
    content += text[i];
  }
  queue::Envelope env;
  struct timeval tv{};
  ::gettimeofday(&tv, nullptr);
  env.arrival_seconds = tv.tv_sec;
  env.arrival_microseconds = static_cast<std::uint32_t>(tv.tv_usec);
  env.sender = argv[3];
  env.attributes.protocol = "local";
  for (int i = 4; i < argc; ++i) {
    std::string a = argv[i];
    queue::Recipient r;
    // "addr/NOTIFY": NOTIFY bits as a number (1 NEVER, 2 SUCCESS, 4 FAILURE, 8 DELAY).
    if (auto slash = a.find('/'); slash != std::string::npos) {
      r.notify = static_cast<unsigned>(std::stoul(a.substr(slash + 1)));
      a = a.substr(0, slash);
    }
    r.address = a;
    env.recipients.push_back(r);
  }
  queue::QueueLayout layout;
  layout.queue_directory = argv[1];
  queue::QueueIdGenerator ids;
  const char* count_text = std::getenv("POSTERN_TEST_COUNT");
  const long count = count_text ? std::atol(count_text) : 1;
  for (long n = 1; n <= count; ++n) {
    std::string text_n = content;
    for (auto at = text_n.find("{n}"); at != std::string::npos; at = text_n.find("{n}")) {
      text_n.replace(at, 3, std::to_string(n));
    }
    auto id = queue::enqueue(layout, ids, env, text_n);
    if (!id) {
      std::fprintf(stderr, "enqueue: %s\n", id.error().message.c_str());
      return 1;
    }
    std::printf("%s\n", id->c_str());
  }
  // FIFO ("qmgr fifo ...") or UNIX socket ("qmgr unix ..."): both wake qmgr.
  (void)queue_tools::send_trigger(std::string(argv[1]) + "/public/qmgr", "A");
  return 0;
}
