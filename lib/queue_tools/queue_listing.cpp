// mailq table and JSON lines from the queue folders; runs in postqueue as
// root or mail_owner.
#include "lib/queue_tools/queue_listing.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <ctime>

#include "lib/queue/queue_reader.hpp"
#include "lib/queue/queue_scan.hpp"
#include "lib/queue_tools/defer_log.hpp"
#include "lib/queue_tools/queue_search.hpp"

namespace postern::queue_tools {
namespace {

// Postfix prints unprintable bytes in addresses as '?', so a hostile address
// cannot move the terminal's cursor or forge extra lines.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? '?' : char(c);
  return out;
}

std::string asctime_local(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  if (!::localtime_r(&t, &tm)) return "??";
  char buf[64];
  // asctime's layout ("Sun Nov 22 12:44:17 2026") without its thread-unsafe buffer.
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

}  // namespace

Result<std::vector<ListedMessage>> collect_listing(const queue::QueueLayout& layout) {
  std::vector<ListedMessage> out;
  for (const auto& folder : message_folders()) {
    auto entries = queue::scan_folder(layout, folder);
    if (!entries) return entries.error();
    for (const auto& entry : *entries) {
      ListedMessage m;
      m.queue_name = folder;
      m.queue_id = entry.id;
      auto reader = queue::QueueReader::open(entry.path);
      if (!reader) {
        if (reader.error().sys_errno == ENOENT) continue;  // delivered while we looked
        struct stat st {};
        if (::stat(entry.path.c_str(), &st) == 0) {
          m.arrival_time = st.st_mtime;
          m.message_size = static_cast<std::uint64_t>(st.st_size);
        }
        m.recipients.push_back({"", reader.error().message});
        out.push_back(std::move(m));
        continue;
      }
      const auto& env = reader->envelope();
      m.arrival_time = env.arrival_seconds;
      m.message_size = reader->file().content_size;
      m.sender = env.sender;
      for (const auto& [name, value] : env.attributes.extra)
        if (name == "forced_expire" && value == "1") m.forced_expire = true;
      auto reasons = read_defer_log(layout, entry.id);
      for (const auto& r : env.recipients) {
        if (r.done) continue;
        auto it = reasons.find(r.address);
        m.recipients.push_back({r.address, it == reasons.end() ? "" : it->second});
      }
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::string format_mailq(const std::vector<ListedMessage>& messages) {
  if (messages.empty()) return "Mail queue is empty\n";
  std::string out;
  char line[1024];
  std::uint64_t total = 0;
  const std::string indent(42, ' ');
  std::snprintf(line, sizeof line, "%-11s %8s %-20s %s\n", "-Queue ID-", "--Size--", "----Arrival Time----",
                "-Sender/Recipient-------");
  out += line;
  bool first = true;
  for (const auto& m : messages) {
    if (!first) out += "\n";
    first = false;
    total += m.message_size;
    char status = m.queue_name == "active" ? '*' : m.queue_name == "hold" ? '!' : ' ';
    std::string id = m.queue_id + status;
    std::string sender = m.sender.empty() ? "MAILER-DAEMON" : printable(m.sender);
    std::snprintf(line, sizeof line, "%-11s %7llu %20.20s ", id.c_str(),
                  static_cast<unsigned long long>(m.message_size), asctime_local(m.arrival_time).c_str());
    out += line;
    out += sender + "\n";  // after the fixed columns, unbounded
    // Like Postfix: a reason is printed once for the run of recipients that
    // share it, right-aligned to column 78.
    std::string last_reason;
    for (const auto& r : m.recipients) {
      if (!r.delay_reason.empty() && r.delay_reason != last_reason) {
        std::string reason = printable(r.delay_reason);
        int padding = 76 - static_cast<int>(reason.size());
        out += std::string(padding > 0 ? padding : 0, ' ') + "(" + reason + ")\n";
      }
      last_reason = r.delay_reason;
      if (!r.address.empty()) out += indent + printable(r.address) + "\n";
    }
  }
  std::snprintf(line, sizeof line, "\n-- %llu Kbytes in %zu Request%s.\n",
                static_cast<unsigned long long>(total / 1024), messages.size(),
                messages.size() == 1 ? "" : "s");
  out += line;
  return out;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += char(c);
        }
    }
  }
  return out + "\"";
}

std::string format_json(const std::vector<ListedMessage>& messages) {
  std::string out;
  for (const auto& m : messages) {
    out += "{\"queue_name\": " + json_string(m.queue_name) + ", \"queue_id\": " + json_string(m.queue_id) +
           ", \"arrival_time\": " + std::to_string(m.arrival_time) +
           ", \"message_size\": " + std::to_string(m.message_size) +
           ", \"forced_expire\": " + (m.forced_expire ? "true" : "false") +
           ", \"sender\": " + json_string(m.sender) + ", \"recipients\": [";
    bool first = true;
    for (const auto& r : m.recipients) {
      if (!first) out += ", ";
      first = false;
      out += "{\"address\": " + json_string(r.address);
      if (!r.delay_reason.empty()) out += ", \"delay_reason\": " + json_string(r.delay_reason);
      out += "}";
    }
    out += "]}\n";
  }
  return out;
}

}  // namespace postern::queue_tools
