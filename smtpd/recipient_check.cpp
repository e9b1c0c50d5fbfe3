// LocalRecipientCheck and its helpers (see recipient_check.hpp). In smtpd,
// as mail_owner.
#include "smtpd/recipient_check.hpp"

#include <algorithm>
#include <memory>

#include "lib/base/strings.hpp"
#include "lib/log/log.hpp"
#include "lib/maps/address_lookup.hpp"

namespace postern::smtpd {
namespace {

// A table that is there but cannot answer: every lookup fails temporarily.
class UnavailableTable : public maps::Table {
 public:
  UnavailableTable(std::string spec, std::string why) : why_(std::move(why)) { spec_ = std::move(spec); }
  maps::LookupResult lookup(std::string_view) override { return maps::LookupResult::temp_fail(why_); }

 private:
  std::string why_;
};

// Finds nothing: NIS without a NIS domain.
class EmptyTable : public maps::Table {
 public:
  explicit EmptyTable(std::string spec) { spec_ = std::move(spec); }
  maps::LookupResult lookup(std::string_view) override { return maps::LookupResult::not_found(); }
};

// The tables are lists: any table knowing any key admits the recipient,
// and a table that cannot answer matters only when no other one knows it.
// A table that failed is not asked again for the other keys (a database
// that is down would cost its timeout once per key).
maps::KeyedResult found_in_any(maps::TableList& tables, const std::vector<std::string>& keys) {
  maps::KeyedResult failure{maps::LookupResult::not_found(), {}};
  std::vector<bool> failed(tables.tables().size(), false);
  for (const auto& key : keys) {
    for (std::size_t i = 0; i < tables.tables().size(); ++i) {
      if (failed[i]) continue;
      maps::LookupResult r = tables.tables()[i]->lookup(key);
      if (r.is_found()) return {std::move(r), key};
      if (!r.is_temp_fail()) continue;
      failed[i] = true;
      if (!failure.result.is_temp_fail()) failure = {std::move(r), key};
    }
  }
  return failure;
}

}  // namespace

maps::TableList open_local_recipient_tables(std::string_view list) {
  maps::TableList tables;
  for (std::string spec : maps::split_table_list(list)) {
    while (istarts_with(spec, "proxy:")) spec.erase(0, 6);
    if (istarts_with(spec, "nis:")) {
      log::warning("local_recipient_maps: %s: NIS domain name not set - NIS lookups disabled", spec.c_str());
      tables.add(std::make_unique<EmptyTable>(spec));
      continue;
    }
    auto opened = maps::open_table(spec);
    if (opened) {
      tables.add(std::move(*opened));
      continue;
    }
    log::warning("local_recipient_maps: %s is unavailable: %s", spec.c_str(), opened.error().message.c_str());
    tables.add(std::make_unique<UnavailableTable>(spec, opened.error().message));
  }
  return tables;
}

std::optional<smtp::Reply> check_local_recipient(maps::TableList& tables, std::string_view address,
                                                 std::string_view recipient_delimiter, int code) {
  // RFC 5321 4.5.1: a bare "postmaster" is always accepted (Postfix's smtpd_check_rcpt).
  if (to_lower(address) == "postmaster") return std::nullopt;
  maps::AddressLookupOptions options;
  options.recipient_delimiter = std::string(recipient_delimiter);
  auto keys = maps::address_search_keys(to_lower(address), options);
  // Only found or not counts (found_in_any), so the bare localpart forms
  // go first: that is what passwd and aliases hold, and a
  // miss in unix:passwd.byname for "user@domain" walks every NSS source
  // (about 120 us with systemd's module) for each recipient.
  std::stable_partition(keys.begin(), keys.end(), [](const std::string& k) { return k.find('@') == std::string::npos; });
  maps::KeyedResult r = found_in_any(tables, keys);
  if (r.result.is_found()) return std::nullopt;
  std::string quoted = "<" + std::string(address) + ">";
  if (r.result.is_temp_fail()) {
    log::warning("local_recipient_maps lookup error for \"%s\": %s", std::string(address).c_str(),
                 r.result.value.c_str());
    return smtp::Reply{451, "4.3.0", quoted + ": Temporary lookup failure"};
  }
  std::string enhanced = code / 100 == 4 ? "4.1.1" : "5.1.1";
  return smtp::Reply{code, enhanced,
                     quoted + ": Recipient address rejected: User unknown in local recipient table"};
}

std::optional<smtp::Reply> LocalRecipientCheck::check(std::string_view address) {
  if (!enabled()) return std::nullopt;
  if (!tables_) tables_.emplace(open_local_recipient_tables(maps_));
  return check_local_recipient(*tables_, address, delimiter_, code_);
}

}  // namespace postern::smtpd
