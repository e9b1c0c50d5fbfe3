// The queue listing behind mailq / postqueue -p (Postfix's Sendmail-style
// table) and postqueue -j (Postfix's JSON lines). Reads queue files directly,
// so it runs as root or mail_owner: in postqueue or in the showq daemon.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/base/result.hpp"
#include "lib/queue/queue_layout.hpp"

namespace postern::queue_tools {

struct ListedRecipient {
  std::string address;
  std::string delay_reason;  // empty: none known
};

struct ListedMessage {
  std::string queue_name;  // maildrop, hold, incoming, active, deferred
  std::string queue_id;
  std::int64_t arrival_time = 0;
  std::uint64_t message_size = 0;
  bool forced_expire = false;
  std::string sender;                       // "" for <>
  std::vector<ListedRecipient> recipients;  // pending ones only, as Postfix shows
};

// Every complete message in maildrop, hold, incoming, active and deferred, in
// that order, each folder by arrival. A file that vanishes while we look
// (delivered meanwhile) is skipped; one that does not parse is listed with
// "(corrupt queue file)" as the delay reason of a placeholder recipient.
Result<std::vector<ListedMessage>> collect_listing(const queue::QueueLayout& layout);

// Postfix's mailq table: "Mail queue is empty\n" or the table and the
// "-- N Kbytes in M Request(s)." trailer. Times in local time (asctime form).
std::string format_mailq(const std::vector<ListedMessage>& messages);

// One JSON object per line, as postqueue -j.
std::string format_json(const std::vector<ListedMessage>& messages);

// JSON string literal (quotes included): quote, backslash and control bytes
// escaped; UTF-8 passes through as Postfix's does.
std::string json_string(const std::string& s);

}  // namespace postern::queue_tools
