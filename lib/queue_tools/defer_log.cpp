// Defer log reader for postqueue (root or mail_owner).
#include "lib/queue_tools/defer_log.hpp"

#include "lib/base/file_io.hpp"
#include "lib/queue/queue_id.hpp"

namespace postern::queue_tools {

std::map<std::string, std::string> parse_defer_log(std::string_view text) {
  std::map<std::string, std::string> reasons;
  std::string recipient, reason;
  auto flush = [&] {
    if (!recipient.empty()) reasons[recipient] = reason;
    recipient.clear();
    reason.clear();
  };
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
      continue;
    }
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = line.substr(0, eq), value = line.substr(eq + 1);
    if (name == "recipient")
      recipient = value;
    else if (name == "reason")
      reason = value;
  }
  flush();
  return reasons;
}

std::map<std::string, std::string> read_defer_log(const queue::QueueLayout& layout, std::string_view id) {
  if (!queue::valid_queue_id(id)) return {};
  auto text = read_file(layout.file_path(queue::kDefer, id));
  if (!text) return {};
  return parse_defer_log(*text);
}

}  // namespace postern::queue_tools
