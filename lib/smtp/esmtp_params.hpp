// ESMTP parameters of MAIL FROM and RCPT TO (RFC 1870, 6152, 3030, 3461,
// 4954, 6531). Internal to lib/smtp; smtpd uses command.hpp. Runs in smtpd
// and lmtpd (as mail_owner).
#pragma once

#include <optional>
#include <string_view>

#include "lib/smtp/command.hpp"

namespace postern::smtp::detail {

// Each returns nullopt on success or the Reply that rejects the command.
std::optional<Reply> parse_mail_params(std::string_view params, const CommandOptions& options,
                                       MailParams& out);
std::optional<Reply> parse_rcpt_params(std::string_view params, const CommandOptions& options,
                                       RcptParams& out);

}  // namespace postern::smtp::detail
