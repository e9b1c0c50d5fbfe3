// postern-pw: hashes passwords for passwd-file passdbs, like `doveadm pw`.
//   postern-pw [-s scheme] [-r rounds] [-p password] [-t hash] [-l]
// -s: scheme (default SHA512-CRYPT); -p: the password (else asked twice on
// the terminal, or read as one line from a pipe); -t: verify a hash instead
// ("(verified)", exit 0, else exit 1); -l: list schemes. Runs as any user.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "lib/auth/password_scheme.hpp"

using namespace postern;

namespace {

std::string read_secret(const char* prompt) {
  bool tty = ::isatty(STDIN_FILENO);
  termios old{};
  if (tty) {
    std::cerr << prompt << std::flush;
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (tty) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    std::cerr << "\n";
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace

int main(int argc, char** argv) {
  std::string scheme = "SHA512-CRYPT", password, test;
  int rounds = 0;
  bool have_password = false;
  int opt;
  while ((opt = ::getopt(argc, argv, "s:r:p:t:lu:V")) != -1) {
    switch (opt) {
      case 's': scheme = optarg; break;
      case 'r': rounds = std::atoi(optarg); break;
      case 'p': password = optarg; have_password = true; break;
      case 't': test = optarg; break;
      case 'l': std::cout << auth::supported_schemes() << "\n"; return 0;
      case 'u': case 'V': break;  // accepted for doveadm compatibility (user, verify)
      default:
        std::cerr << "usage: postern-pw [-l] [-p password] [-r rounds] [-s scheme] [-t hash]\n";
        return 64;
    }
  }
  if (!have_password) {
    password = read_secret("Enter new password: ");
    if (test.empty() && ::isatty(STDIN_FILENO)) {
      std::string again = read_secret("Retype new password: ");
      if (again != password) {
        std::cerr << "Passwords don't match!\n";
        return 1;
      }
      auth::wipe(again);
    }
  }
  if (password.empty() && test.empty()) {
    std::cerr << "Empty password\n";
    return 1;
  }
  if (!test.empty()) {
    auto stored = auth::split_stored(test, scheme);
    bool ok = auth::verify_password(stored, password) == auth::Verify::match;
    auth::wipe(password);
    std::cout << test << (ok ? " (verified)" : " (verify failed)") << "\n";
    return ok ? 0 : 1;
  }
  auto hashed = auth::hash_password(scheme, password, rounds);
  auth::wipe(password);
  if (!hashed) {
    std::cerr << "postern-pw: " << hashed.error().message << "\n";
    return 1;
  }
  std::cout << *hashed << "\n";
  return 0;
}
