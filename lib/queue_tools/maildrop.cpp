// Maildrop stream encoding, checks and the maildrop/ writer. Runs in sendmail
// (the user), postdrop (setgid postdrop) and pickup (mail_owner).
#include "lib/queue_tools/maildrop.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"
#include "lib/base/sys_error.hpp"
#include "lib/base/unique_fd.hpp"
#include "lib/queue/queue_writer.hpp"

namespace postern::queue_tools {
namespace {

bool clean_text(std::string_view s, bool allow_space) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
    if (c == ' ' && !allow_space) return false;
  }
  return true;
}

Status check_address(std::string_view what, std::string_view address) {
  if (address.size() > kMaxAddress) return Error{std::string(what) + " address too long"};
  // Quoted local parts may hold spaces; control bytes are never allowed.
  if (!clean_text(address, true)) return Error{std::string(what) + " address has control characters"};
  return {};
}

}  // namespace

std::string encode_maildrop(const queue::Envelope& envelope, std::string_view content) {
  std::string out = queue::encode_envelope(envelope, content.size());
  out += content;
  out += char(queue::rec_end);
  out.append(4, '\0');
  return out;
}

Status check_maildrop(const queue::QueueFile& file, std::uint64_t size_limit) {
  const auto& env = file.envelope;
  if (auto s = check_address("sender", env.sender); !s) return s;
  if (env.recipients.empty()) return Error{"no recipients"};
  if (env.recipients.size() > kMaxRecipients) return Error{"too many recipients"};
  for (const auto& r : env.recipients) {
    if (r.address.empty()) return Error{"empty recipient address"};
    if (auto s = check_address("recipient", r.address); !s) return s;
    if (r.done) return Error{"recipient marked done"};
    if (!r.orcpt.empty() && (r.orcpt.size() > kMaxAddress || !clean_text(r.orcpt, true)))
      return Error{"bad original recipient"};
    if (r.notify > 15) return Error{"bad NOTIFY flags"};
  }
  const auto& a = env.attributes;
  // The local submitter cannot claim to be a network client or an
  // authenticated user: those attributes are smtpd's to set.
  if (!a.client_name.empty() || !a.client_address.empty() || !a.helo_name.empty() || !a.sasl_username.empty())
    return Error{"client attributes are not allowed in local submissions"};
  if (!a.protocol.empty() && a.protocol != "local" && a.protocol != "ESMTP" && a.protocol != "SMTP")
    return Error{"bad protocol attribute"};
  if (!a.ret.empty() && a.ret != "FULL" && a.ret != "HDRS") return Error{"bad ret attribute"};
  if (!a.body.empty() && a.body != "7BIT" && a.body != "8BITMIME" && a.body != "BINARYMIME")
    return Error{"bad body attribute"};
  if (a.envid.size() > 100 || !clean_text(a.envid, false)) return Error{"bad envid attribute"};
  for (const auto& [name, value] : a.extra) {
    if (name == kAttrFullName) {
      if (value.size() > kMaxFullName || !clean_text(value, true)) return Error{"bad full name"};
    } else if (name == kAttrUid) {
      if (!parse_long(value)) return Error{"bad uid attribute"};
    } else {
      return Error{"unknown attribute " + name};
    }
  }
  if (size_limit && file.content_size > size_limit) return Error{"message file too big"};
  return {};
}

Result<std::string> write_maildrop(const queue::QueueLayout& layout, queue::QueueIdGenerator& ids,
                                   std::string_view bytes) {
  const std::string dir = layout.folder_path(queue::kMaildrop);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string id = ids.next();
    std::string path = dir + "/" + id;
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) {
      if (errno == EEXIST) continue;
      return sys_error("create file " + path);
    }
    auto fail = [&](Error e) -> Result<std::string> {
      ::unlink(path.c_str());
      return e;
    };
    if (auto s = write_all(fd.get(), bytes); !s) return fail(s.error());
    if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + path));
    // Complete mark last, as in lib/queue: a crash leaves an incomplete file.
    if (::fchmod(fd.get(), 0744) != 0) return fail(sys_error("fchmod " + path));
    if (::fsync(fd.get()) != 0) return fail(sys_error("fsync " + path));
    if (::close(fd.release()) != 0) return fail(sys_error("close " + path));
    if (auto s = queue::fsync_directory(dir); !s && s.error().sys_errno != EACCES) return fail(s.error());
    return id;
  }
  return Error{"cannot create a unique file in " + dir};
}

}  // namespace postern::queue_tools
