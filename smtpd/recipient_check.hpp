// local_recipient_maps at RCPT time: a recipient in a local domain must be a
// known user, or smtpd rejects it ("User unknown in local recipient table"),
// as Postfix's smtpd_check does. In smtpd, as mail_owner.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/maps/table.hpp"
#include "lib/smtp/reply.hpp"

namespace postern::smtpd {

// Opens the items of a table list after $name expansion: "proxy:" is
// stripped (smtpd reads the tables itself), "nis:" tables find nothing (no
// NIS domain, as Postfix without one), and a table that cannot be opened
// fails every lookup temporarily (Postfix's surrogate table), never "not found".
maps::TableList open_local_recipient_tables(std::string_view list);

// Looks up `address` (already known to be in a local domain) in `tables`
// with Postfix's keys: user+ext@domain, user@domain, user+ext, user, @domain,
// case-folded; a bare "postmaster" is always known. Returns no reply when the recipient is known, else the
// rejection: `code` 5.1.1 "User unknown" or 451 4.3.0 on a temporary failure.
std::optional<smtp::Reply> check_local_recipient(maps::TableList& tables, std::string_view address,
                                                 std::string_view recipient_delimiter, int code);

// The check with its tables, opened on first use and kept for the life of
// the process (file tables re-open themselves when rebuilt).
class LocalRecipientCheck {
 public:
  // maps: local_recipient_maps, expanded; empty turns the check off.
  LocalRecipientCheck(std::string maps, std::string recipient_delimiter, int code)
      : maps_(std::move(maps)), delimiter_(std::move(recipient_delimiter)), code_(code) {}

  bool enabled() const { return maps_.find_first_not_of(" \t,") != std::string::npos; }
  std::optional<smtp::Reply> check(std::string_view address);

 private:
  std::string maps_;
  std::string delimiter_;
  int code_;
  std::optional<maps::TableList> tables_;
};

}  // namespace postern::smtpd
