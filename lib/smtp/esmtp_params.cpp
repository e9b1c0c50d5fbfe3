// ESMTP parameter parsing for MAIL and RCPT. Runs in smtpd and lmtpd (as mail_owner).
#include "lib/smtp/esmtp_params.hpp"

#include <cctype>

#include "lib/base/strings.hpp"
#include "lib/smtp/xtext.hpp"

namespace postern::smtp::detail {
namespace {

constexpr size_t kMaxEnvid = 100;  // RFC 3461 4.4
constexpr size_t kMaxOrcpt = 500;  // RFC 3461 4.2

Reply unsupported(std::string_view param) {
  return Reply{555, "5.5.4", "Unsupported option: " + std::string(param)};
}
Reply syntax(std::string_view text) { return Reply{501, "5.5.4", std::string(text)}; }
Reply duplicate(std::string_view keyword) {
  return Reply{501, "5.5.4", "Error: duplicate " + std::string(keyword) + " parameter"};
}

// esmtp-value (RFC 5321 4.1.2): %d33-60 / %d62-126, plus UTF-8 (RFC 6531).
bool valid_value(std::string_view v) {
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 33 || c == '=' || c == 127) return false;
  }
  return true;
}

// Calls fn(keyword, value, has_value, whole) for each space-separated parameter.
template <class Fn>
std::optional<Reply> each_param(std::string_view params, Fn&& fn) {
  while (true) {
    params = trim_left(params);
    if (params.empty()) return std::nullopt;
    size_t end = params.find_first_of(" \t");
    std::string_view whole = params.substr(0, end);
    params.remove_prefix(whole.size());
    size_t eq = whole.find('=');
    std::string_view keyword = whole.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : whole.substr(eq + 1);
    if (keyword.empty()) return unsupported(whole);
    if (eq != std::string_view::npos && (value.empty() || !valid_value(value))) return unsupported(whole);
    if (auto reply = fn(keyword, value, eq != std::string_view::npos, whole)) return reply;
  }
}

std::optional<unsigned> parse_notify(std::string_view value) {
  if (iequals(value, "NEVER")) return notify_never;
  unsigned flags = 0;
  for (const auto& word : split(value, ",")) {
    unsigned bit = 0;
    if (iequals(word, "SUCCESS")) bit = notify_success;
    else if (iequals(word, "FAILURE")) bit = notify_failure;
    else if (iequals(word, "DELAY")) bit = notify_delay;
    if (bit == 0 || (flags & bit)) return std::nullopt;
    flags |= bit;
  }
  // split() drops empty fields; reject "SUCCESS,,DELAY" and a trailing comma.
  if (flags == 0 || value.front() == ',' || value.back() == ',' || value.find(",,") != value.npos)
    return std::nullopt;
  return flags;
}

}  // namespace

std::optional<Reply> parse_mail_params(std::string_view params, const CommandOptions& options,
                                       MailParams& out) {
  bool seen_body = false;
  return each_param(params, [&](std::string_view key, std::string_view value, bool has_value,
                                std::string_view whole) -> std::optional<Reply> {
    if (iequals(key, "SIZE")) {
      if (out.size) return duplicate("SIZE");
      auto n = parse_long(value);
      if (!has_value || !n || *n < 0 || value.front() == '+') return syntax("Bad message size syntax");
      out.size = static_cast<std::uint64_t>(*n);
      if (options.message_size_limit && *out.size > options.message_size_limit)
        return Reply{552, "5.3.4", "Message size exceeds fixed limit"};
    } else if (iequals(key, "BODY")) {
      if (seen_body) return duplicate("BODY");
      seen_body = true;
      if (iequals(value, "7BIT")) out.body = Body::seven_bit;
      else if (iequals(value, "8BITMIME")) out.body = Body::eight_bit_mime;
      else if (iequals(value, "BINARYMIME")) out.body = Body::binary_mime;
      else return unsupported(whole);
    } else if (iequals(key, "SMTPUTF8")) {
      if (has_value || !options.smtputf8_enable) return unsupported(whole);
      out.smtputf8 = true;
    } else if (iequals(key, "RET")) {
      if (!options.dsn_enable) return Reply{501, "5.7.1", "DSN support is disabled"};
      if (out.ret != Ret::unspecified) return duplicate("RET");
      if (iequals(value, "FULL")) out.ret = Ret::full;
      else if (iequals(value, "HDRS")) out.ret = Ret::hdrs;
      else return syntax("Bad RET parameter syntax");
    } else if (iequals(key, "ENVID")) {
      if (!options.dsn_enable) return Reply{501, "5.7.1", "DSN support is disabled"};
      if (out.envid) return duplicate("ENVID");
      auto decoded = xtext_decode(value);
      if (!has_value || !decoded || value.size() > kMaxEnvid) return syntax("Bad ENVID parameter syntax");
      out.envid = std::move(*decoded);
    } else if (iequals(key, "AUTH")) {
      if (out.auth) return Reply{503, "5.5.4", "Error: multiple AUTH= options"};
      auto decoded = value == "<>" ? std::optional<std::string>("<>") : xtext_decode(value);
      if (!has_value || !decoded) return syntax("Bad AUTH parameter syntax");
      out.auth = std::move(*decoded);
    } else {
      return unsupported(whole);
    }
    return std::nullopt;
  });
}

std::optional<Reply> parse_rcpt_params(std::string_view params, const CommandOptions& options,
                                       RcptParams& out) {
  return each_param(params, [&](std::string_view key, std::string_view value, bool has_value,
                                std::string_view whole) -> std::optional<Reply> {
    if (iequals(key, "NOTIFY")) {
      if (!options.dsn_enable) return Reply{501, "5.7.1", "DSN support is disabled"};
      if (out.notify) return duplicate("NOTIFY");
      auto flags = has_value ? parse_notify(value) : std::nullopt;
      if (!flags) return syntax("Error: Bad NOTIFY parameter syntax");
      out.notify = *flags;
    } else if (iequals(key, "ORCPT")) {
      if (!options.dsn_enable) return Reply{501, "5.7.1", "DSN support is disabled"};
      if (out.orcpt) return duplicate("ORCPT");
      size_t semi = value.find(';');
      if (!has_value || semi == 0 || semi == std::string_view::npos || value.size() > kMaxOrcpt)
        return syntax("Error: Bad ORCPT parameter syntax");
      std::string_view type = value.substr(0, semi);
      for (char c : type)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-'))
          return syntax("Error: Bad ORCPT parameter syntax");
      auto decoded = xtext_decode(value.substr(semi + 1));
      if (!decoded || decoded->empty()) return syntax("Error: Bad ORCPT parameter syntax");
      out.orcpt_type = std::string(type);
      out.orcpt = std::move(*decoded);
    } else {
      return unsupported(whole);
    }
    return std::nullopt;
  });
}

}  // namespace postern::smtp::detail
