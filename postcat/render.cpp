// postcat rendering (root or mail_owner).
#include "postcat/render.hpp"

#include <ctime>

#include "lib/queue/queue_reader.hpp"

namespace postern::postcat {
namespace {

std::string local_time(std::int64_t seconds) {
  std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  char buf[64];
  if (!::localtime_r(&t, &tm)) return "??";
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Y", &tm);
  return buf;
}

// Header and body of the stored message, with <CR><LF> shown as <LF>.
void split_message(std::string_view message, std::string& header, std::string& body) {
  bool in_header = true;
  while (!message.empty()) {
    size_t nl = message.find('\n');
    std::string_view line = message.substr(0, nl == std::string_view::npos ? message.size() : nl);
    message = nl == std::string_view::npos ? std::string_view{} : message.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (in_header && line.empty()) {
      in_header = false;
      continue;  // the blank separator line belongs to neither
    }
    std::string& out = in_header ? header : body;
    out.append(line);
    out += '\n';
  }
}

}  // namespace

Result<std::string> render_queue_file(const std::string& path, std::string_view label, const Sections& s) {
  auto reader = queue::QueueReader::open(path);
  if (!reader) return reader.error();
  const auto& file = reader->file();
  const auto& env = file.envelope;
  int selected = int(s.envelope) + int(s.header) + int(s.body);
  bool banners = selected > 1;
  const std::string lab(label);
  std::string out;
  if (s.envelope) {
    if (banners) out += "*** ENVELOPE RECORDS " + lab + " ***\n";
    if (s.offsets) out += "content_offset: " + std::to_string(file.content_offset) + "\n";
    out += "message_size: " + std::to_string(file.content_size) + "\n";
    out += "message_arrival_time: " + local_time(env.arrival_seconds) + "\n";
    out += "create_time: " + local_time(env.arrival_seconds) + "\n";
    if (!reader->complete()) out += "warning: incomplete queue file (not yet committed)\n";
    const auto& a = env.attributes;
    auto attr = [&](const char* name, const std::string& value) {
      if (!value.empty()) out += std::string("named_attribute: ") + name + "=" + value + "\n";
    };
    attr("client_name", a.client_name);
    attr("client_address", a.client_address);
    attr("protocol_name", a.protocol);
    attr("helo_name", a.helo_name);
    attr("sasl_username", a.sasl_username);
    if (a.smtputf8) attr("smtputf8", "1");
    for (const auto& [name, value] : a.extra) attr(name.c_str(), value);
    if (!a.envid.empty()) out += "dsn_envid: " + a.envid + "\n";
    if (!a.ret.empty()) out += "dsn_ret: " + a.ret + "\n";
    if (!a.body.empty()) out += "body_type: " + a.body + "\n";
    out += "sender: " + env.sender + "\n";
    for (const auto& r : env.recipients) {
      if (!r.orcpt.empty()) out += "dsn_orig_rcpt: " + r.orcpt + "\n";
      if (r.notify) out += "dsn_notify_flags: " + std::to_string(r.notify) + "\n";
      out += std::string(r.done ? "done_recipient: " : "recipient: ") + r.address + "\n";
    }
  }
  if (s.header || s.body) {
    auto content = reader->read_content();
    if (!content) return content.error();
    std::string header, body;
    split_message(*content, header, body);
    if (banners) out += "*** MESSAGE CONTENTS " + lab + " ***\n";
    if (s.header) out += header;
    if (s.header && s.body) out += "\n";
    if (s.body) out += body;
    if (banners) out += "*** HEADER EXTRACTED " + lab + " ***\n";
  }
  if (banners) out += "*** MESSAGE FILE END " + lab + " ***\n";
  return out;
}

}  // namespace postern::postcat
