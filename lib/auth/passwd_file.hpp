// passwd-file parsing shared by the passwd-file passdb and userdb.
// Runs in auth and pop3d; reads files the administrator made readable to them.
#pragma once

#include <string>
#include <vector>

#include "lib/auth/passdb.hpp"

namespace postern::auth {

struct PasswdFileArgs {
  std::string scheme = "CRYPT";
  std::string username_format = "%u";
  std::string path;  // may hold %variables (per-domain files)
};
PasswdFileArgs parse_passwd_file_args(const std::string& args);

struct PasswdFileEntry {
  std::string user, password, uid, gid, home;
  std::vector<std::string> extra;  // "userdb_mail=maildir:~/Maildir", "nopassword", ...
};

// Finds `user` in the file. unknown_user when absent (or the file is);
// tempfail when the file exists but cannot be read.
Lookup find_passwd_file_entry(const PasswdFileArgs& args, const std::string& user, const RequestInfo& info,
                              PasswdFileEntry& out);

}  // namespace postern::auth
