// The table of top-level Dovecot settings Postern knows, with Dovecot's
// defaults: drives "unknown setting" warnings and `doveconf`-style dumps.
// Used by every process that reads dovecot.conf; no privilege needed.
#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "lib/dovecot/dovecot_conf.hpp"

namespace postern::dovecot {
namespace {

using Row = std::pair<std::string_view, std::string_view>;

// Settings Postern acts on come first; the rest are accepted so that a stock
// Debian conf.d reads without warnings, even where Postern ignores them.
constexpr std::array kSettings = {
    Row{"protocols", ""},  // Debian's default: protocols.d or the administrator name them
    Row{"listen", "*, ::"},
    Row{"base_dir", "/var/run/dovecot"},
    Row{"instance_name", "dovecot"},
    Row{"login_greeting", "Dovecot ready."},
    Row{"login_trusted_networks", ""},
    Row{"disable_plaintext_auth", "yes"},
    Row{"auth_mechanisms", "plain"},
    Row{"auth_username_format", "%Lu"},
    Row{"auth_realms", ""},
    Row{"auth_default_realm", ""},
    Row{"auth_failure_delay", "2 secs"},
    Row{"auth_verbose", "no"},
    Row{"auth_verbose_passwords", "no"},
    Row{"auth_debug", "no"},
    Row{"auth_debug_passwords", "no"},
    Row{"auth_cache_size", "0"},
    Row{"auth_cache_ttl", "1 hour"},
    Row{"auth_cache_negative_ttl", "1 hour"},
    Row{"auth_username_chars", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@"},
    Row{"auth_username_translation", ""},
    Row{"auth_master_user_separator", ""},
    Row{"auth_anonymous_username", "anonymous"},
    Row{"auth_worker_max_count", "30"},
    Row{"auth_ssl_require_client_cert", "no"},
    Row{"auth_socket_path", "auth-userdb"},
    Row{"mail_location", ""},
    Row{"mail_privileged_group", ""},
    Row{"mail_access_groups", ""},
    Row{"mail_uid", ""},
    Row{"mail_gid", ""},
    Row{"mail_home", ""},
    Row{"mail_plugins", ""},
    Row{"mail_debug", "no"},
    Row{"mail_fsync", "optimized"},
    Row{"mail_max_userip_connections", "10"},
    Row{"mmap_disable", "no"},
    Row{"mbox_read_locks", "fcntl"},
    Row{"mbox_write_locks", "dotlock fcntl"},
    Row{"mbox_lock_timeout", "5 mins"},
    Row{"mbox_dotlock_change_timeout", "2 mins"},
    Row{"lock_method", "fcntl"},
    Row{"first_valid_uid", "500"},
    Row{"last_valid_uid", "0"},
    Row{"first_valid_gid", "1"},
    Row{"last_valid_gid", "0"},
    Row{"valid_chroot_dirs", ""},
    Row{"ssl", "yes"},
    Row{"ssl_cert", ""},
    Row{"ssl_key", ""},
    Row{"ssl_key_password", ""},
    Row{"ssl_ca", ""},
    Row{"ssl_dh", ""},
    Row{"ssl_min_protocol", "TLSv1.2"},
    Row{"ssl_cipher_list", "ALL:!kRSA:!SRP:!kDHd:!DSS:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!MD5:!PSK:!RC4:!ADH:!LOW@STRENGTH"},
    Row{"ssl_prefer_server_ciphers", "no"},
    Row{"ssl_client_ca_dir", ""},
    Row{"ssl_client_ca_file", ""},
    Row{"ssl_verify_client_cert", "no"},
    Row{"verbose_ssl", "no"},
    Row{"pop3_uidl_format", "%08Xu%08Xv"},
    Row{"pop3_no_flag_updates", "no"},
    Row{"pop3_lock_session", "no"},
    Row{"pop3_client_workarounds", ""},
    Row{"pop3_logout_format", "top=%t/%p, retr=%r/%b, del=%d/%m, size=%s"},
    Row{"pop3_fast_size_lookups", "no"},
    Row{"pop3_reuse_xuidl", "no"},
    Row{"pop3_save_uidl", "no"},
    Row{"pop3_delete_type", "default"},
    Row{"pop3_login_delay", "0"},  // Postern's own: RFC 2449 LOGIN-DELAY (docs/pop3d.md)
    Row{"imap_capability", ""},
    Row{"imap_client_workarounds", ""},
    Row{"imap_idle_notify_interval", "2 mins"},
    Row{"imap_max_line_length", "64k"},
    Row{"lmtp_save_to_detail_mailbox", "no"},
    Row{"recipient_delimiter", "+"},
    Row{"postmaster_address", ""},
    Row{"hostname", ""},
    Row{"log_path", "syslog"},
    Row{"info_log_path", ""},
    Row{"debug_log_path", ""},
    Row{"syslog_facility", "mail"},
    Row{"log_timestamp", "%b %d %H:%M:%S "},
    Row{"login_log_format_elements", "user=<%u> method=%m rip=%r lip=%l mpid=%e %c session=<%{session}>"},
    Row{"login_log_format", "%$: %s"},
    Row{"mail_log_prefix", "%s(%u)<%{pid}><%{session}>: "},
    Row{"shutdown_clients", "yes"},
    Row{"verbose_proctitle", "no"},
    Row{"default_process_limit", "100"},
    Row{"default_client_limit", "1000"},
    Row{"default_vsz_limit", "256M"},
    Row{"default_login_user", "dovenull"},
    Row{"default_internal_user", "dovecot"},
    Row{"default_internal_group", "dovecot"},
    Row{"dotlock_use_excl", "yes"},
    Row{"mail_nfs_storage", "no"},
    Row{"mail_nfs_index", "no"},
    Row{"quota_full_tempfail", "no"},
    Row{"sendmail_path", "/usr/sbin/sendmail"},
    Row{"submission_host", ""},
    Row{"deliver_log_format", "msgid=%m: %$"},
    Row{"lda_mailbox_autocreate", "no"},
    Row{"lda_mailbox_autosubscribe", "no"},
    Row{"rejection_reason", "Your message to <%t> was automatically rejected:%n%r"},
    Row{"import_environment", "TZ CORE_OUTOFMEM CORE_ERROR"},
    Row{"dict", ""},
    Row{"namespace", ""},
    Row{"mail_attachment_dir", ""},
    Row{"maildir_stat_dirs", "no"},
    Row{"maildir_very_dirty_syncs", "no"},
    Row{"mbox_very_dirty_syncs", "no"},
    Row{"mbox_dirty_syncs", "yes"},
    Row{"mbox_lazy_writes", "yes"},
};

constexpr std::array<std::string_view, 22> kSections = {
    "passdb", "userdb", "service", "inet_listener", "unix_listener", "fifo_listener",
    "protocol", "namespace", "mailbox", "plugin", "local", "remote", "dict", "auth_policy",
    "ssl_server", "metric", "event_exporter", "mail_crypt", "quota", "sieve", "inbox", "doveadm",
};

}  // namespace

std::optional<std::string_view> default_value(std::string_view key) {
  auto it = std::find_if(kSettings.begin(), kSettings.end(), [&](const Row& r) { return r.first == key; });
  if (it == kSettings.end()) return std::nullopt;
  return it->second;
}

bool is_known_section(std::string_view type) {
  return std::find(kSections.begin(), kSections.end(), type) != kSections.end();
}

std::vector<std::pair<std::string_view, std::string_view>> known_settings() {
  return {kSettings.begin(), kSettings.end()};
}

}  // namespace postern::dovecot
