// The showq protocol: a client (postqueue, any local user) connects to
// public/showq, writes one request line, and reads the report until EOF.
// Shared by the showq daemon (mail_owner, maybe chrooted) and postqueue.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "lib/base/result.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

enum class ShowqRequest { list, json };  // "list\n": mailq table; "json\n": postqueue -j

inline constexpr std::size_t kShowqMaxRequest = 64;               // bytes, newline included
inline constexpr std::string_view kShowqErrorPrefix = "error: ";  // a refused request or failed listing

// "list" or "json" (the line without its newline); anything else: nullopt.
std::optional<ShowqRequest> parse_showq_request(std::string_view line);
std::string_view showq_request_line(ShowqRequest request);  // "list\n" / "json\n"

// $queue_directory/public/showq.
std::string showq_endpoint(const queue::QueueLayout& layout);

// What showq answers: the listing as mailq or postqueue -j prints it, or an
// "error: ..." line when the queue cannot be read.
std::string showq_report(const queue::QueueLayout& layout, ShowqRequest request);

}  // namespace postern::queue_tools
