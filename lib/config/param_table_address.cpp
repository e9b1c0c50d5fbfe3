// Parameter table rows for address rewriting, tables and reject codes.
// Defaults are Postfix 3.7's strings as `postconf -d` prints them, except
// compiled-in paths and host-dependent values (see host_defaults.cpp).
#include "lib/base/build_paths.hpp"
#include "lib/config/host_defaults.hpp"
#include "lib/config/param_table_parts.hpp"

namespace postern::config {

namespace {
constexpr ParamInfo kRows[] = {
    {"access_map_defer_code", ParamType::integer, "450", 0,
     "SMTP code for access map DEFER actions", nullptr},
    {"access_map_reject_code", ParamType::integer, "554", 0,
     "SMTP code for access map REJECT actions", nullptr},
    {"alias_database", ParamType::list, "hash:/etc/aliases", 0,
     "Alias databases built by newaliases", nullptr},
    {"alias_maps", ParamType::list, "hash:/etc/aliases, nis:mail.aliases", 0,
     "Lookup tables of local aliases", nullptr},
    {"canonical_classes", ParamType::list, "envelope_sender, envelope_recipient, header_sender, header_recipient", 0,
     "Address classes subject to canonical mapping", nullptr},
    {"canonical_maps", ParamType::list, "", 0,
     "Lookup tables for canonical address mapping", nullptr},
    {"default_rbl_reply", ParamType::string, "$rbl_code Service unavailable; $rbl_class [$rbl_what] blocked using $rbl_domain${rbl_reason?; $rbl_reason}", 0,
     "Default reply template for DNS blocklist rejections", nullptr},
    {"defer_code", ParamType::integer, "450", 0,
     "SMTP code for generic defer restrictions", nullptr},
    {"fallback_transport", ParamType::string, "", 0,
     "Transport for recipients not found in the UNIX password database", nullptr},
    {"fallback_transport_maps", ParamType::list, "", 0,
     "Per-recipient fallback transport lookup tables", nullptr},
    {"invalid_hostname_reject_code", ParamType::integer, "501", 0,
     "SMTP code for syntactically invalid host names", nullptr},
    {"maps_rbl_reject_code", ParamType::integer, "554", 0,
     "SMTP code for blocklist rejections", nullptr},
    {"non_fqdn_reject_code", ParamType::integer, "504", 0,
     "SMTP code for non-FQDN host names and addresses", nullptr},
    {"permit_mx_backup_networks", ParamType::list, "", 0,
     "Networks whose MX hosts permit_mx_backup accepts", nullptr},
    {"plaintext_reject_code", ParamType::integer, "450", 0,
     "SMTP code for cleartext authentication refusal", nullptr},
    {"recipient_canonical_classes", ParamType::list, "envelope_recipient, header_recipient", 0,
     "Address classes subject to recipient canonical mapping", nullptr},
    {"recipient_canonical_maps", ParamType::list, "", 0,
     "Recipient address canonical mapping tables", nullptr},
    {"reject_code", ParamType::integer, "554", 0,
     "SMTP code for generic reject restrictions", nullptr},
    {"relay_clientcerts", ParamType::string, "", 0,
     "Client certificate fingerprints allowed to relay", nullptr},
    {"relay_domains_reject_code", ParamType::integer, "554", 0,
     "SMTP code for rejected relay attempts", nullptr},
    {"relay_recipient_maps", ParamType::list, "", 0,
     "Lookup tables of valid relay_domains recipients", nullptr},
    {"relocated_maps", ParamType::list, "", 0,
     "Lookup tables of users or domains that moved", nullptr},
    {"sender_canonical_classes", ParamType::list, "envelope_sender, header_sender", 0,
     "Address classes subject to sender canonical mapping", nullptr},
    {"sender_canonical_maps", ParamType::list, "", 0,
     "Sender address canonical mapping tables", nullptr},
    {"sender_dependent_default_transport_maps", ParamType::list, "", 0,
     "Per-sender default transport lookup tables", nullptr},
    {"sender_dependent_relayhost_maps", ParamType::list, "", 0,
     "Per-sender relayhost lookup tables", nullptr},
    {"smtpd_null_access_lookup_key", ParamType::string, "<>", 0,
     "Lookup key used for the null sender in access maps", nullptr},
    {"transport_maps", ParamType::list, "", 0,
     "Lookup tables mapping addresses to transport:nexthop", nullptr},
    {"unknown_address_reject_code", ParamType::integer, "450", 0,
     "SMTP code for unresolvable addresses", nullptr},
    {"unknown_client_reject_code", ParamType::integer, "450", 0,
     "SMTP code for clients without a valid name", nullptr},
    {"unknown_hostname_reject_code", ParamType::integer, "450", 0,
     "SMTP code for HELO names without DNS records", nullptr},
    {"unknown_local_recipient_reject_code", ParamType::integer, "550", 0,
     "SMTP code for unknown local recipients", nullptr},
    {"unknown_relay_recipient_reject_code", ParamType::integer, "550", 0,
     "SMTP code for unknown relay recipients", nullptr},
    {"unknown_virtual_alias_reject_code", ParamType::integer, "550", 0,
     "SMTP code for unknown virtual alias recipients", nullptr},
    {"unknown_virtual_mailbox_reject_code", ParamType::integer, "550", 0,
     "SMTP code for unknown virtual mailbox recipients", nullptr},
    {"unverified_recipient_reject_code", ParamType::integer, "450", 0,
     "SMTP code for recipients that failed verification", nullptr},
};
}  // namespace

std::span<const ParamInfo> params_address() { return kRows; }

}  // namespace postern::config
