// The showq request grammar and report (showq daemon as mail_owner; the
// grammar also in postqueue as the invoking user).
#include "lib/queue_tools/showq_protocol.hpp"

#include "lib/queue_tools/queue_listing.hpp"

namespace postern::queue_tools {

std::optional<ShowqRequest> parse_showq_request(std::string_view line) {
  if (line == "list") return ShowqRequest::list;
  if (line == "json") return ShowqRequest::json;
  return std::nullopt;
}

std::string_view showq_request_line(ShowqRequest request) {
  return request == ShowqRequest::json ? "json\n" : "list\n";
}

std::string showq_endpoint(const queue::QueueLayout& layout) {
  return layout.queue_directory + "/public/showq";
}

std::string showq_report(const queue::QueueLayout& layout, ShowqRequest request) {
  auto listing = collect_listing(layout);
  if (!listing) return std::string(kShowqErrorPrefix) + listing.error().message + "\n";
  return request == ShowqRequest::json ? format_json(*listing) : format_mailq(*listing);
}

}  // namespace postern::queue_tools
