// passdb/userdb passwd-file: Dovecot's "user:{SCHEME}password:uid:gid:gecos:
// home:shell:extra_fields" files, re-read on each lookup (they are small, and
// an edit must apply at once). Runs in auth (passdb) and pop3d (userdb).
#include "lib/auth/passwd_file.hpp"

#include "lib/auth/vars.hpp"
#include "lib/base/file_io.hpp"
#include "lib/base/strings.hpp"

namespace postern::auth {

PasswdFileArgs parse_passwd_file_args(const std::string& args) {
  PasswdFileArgs out;
  for (const auto& word : split(args, " \t")) {
    if (word.starts_with("scheme=")) out.scheme = word.substr(7);
    else if (word.starts_with("username_format=")) out.username_format = word.substr(16);
    else if (word.find('=') == std::string::npos) out.path = word;
  }
  return out;
}

Lookup find_passwd_file_entry(const PasswdFileArgs& args, const std::string& user_in, const RequestInfo& info,
                              PasswdFileEntry& out) {
  Vars vars{user_in, "", info.service, info.rip, info.lip};
  std::string user = expand_vars(args.username_format, vars);
  vars.user = user;
  std::string path = expand_vars(args.path, vars);
  auto text = read_file(path);
  if (!text) return text.error().sys_errno == ENOENT ? Lookup::unknown_user : Lookup::tempfail;
  Lookup result = Lookup::unknown_user;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t eol = text->find('\n', pos);
    if (eol == std::string::npos) eol = text->size();
    std::string_view line = trim(std::string_view(*text).substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || line.front() == '#') continue;
    auto colon = line.find(':');
    if (line.substr(0, colon) != user) continue;
    // Fields are split by ':' but the extra fields (the 8th on) may hold ':'.
    std::vector<std::string> f;
    size_t start = 0;
    while (f.size() < 7) {
      size_t c = line.find(':', start);
      if (c == std::string_view::npos) {
        f.emplace_back(line.substr(start));
        start = line.size() + 1;
        break;
      }
      f.emplace_back(line.substr(start, c - start));
      start = c + 1;
    }
    out = PasswdFileEntry{};
    out.user = f[0];
    if (f.size() > 1) out.password = f[1];
    if (f.size() > 2) out.uid = f[2];
    if (f.size() > 3) out.gid = f[3];
    if (f.size() > 5) out.home = f[5];
    if (start < line.size()) out.extra = split(line.substr(start), " \t");
    result = Lookup::ok;
    break;
  }
  wipe(*text);
  return result;
}

}  // namespace postern::auth
