#!/usr/bin/env bash
# The README's run command: installs what is needed, builds Postern (Release),
# writes a sandbox configuration under one folder and runs master in the
# foreground until Ctrl-C. Loopback only, unprivileged ports, a demo user.
#
#   POSTERN_DEMO_ROOT   where the sandbox lives (default: ./demo-root)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/setup.sh"
build="$root/build/release"
bash "$root/scripts/build.sh" "$build" -DCMAKE_BUILD_TYPE=Release -DPOSTERN_BUILD_TESTS=OFF
bin="$build/bin"

demo="${POSTERN_DEMO_ROOT:-$root/demo-root}"
mkdir -p "$demo/etc" "$demo/spool" "$demo/lib" "$demo/mail"
chmod 755 "$demo" "$demo/etc"

if [ "$(id -u)" -eq 0 ]; then owner=postfix; group=postdrop; else owner="$(id -un)"; group="$(id -gn)"; fi

cat >"$demo/etc/main.cf" <<MAIN
# Postern demo sandbox, written by scripts/demo.sh. Everything stays under
# $demo and on the loopback interface.
myhostname = mail.demo.test
mydomain = demo.test
myorigin = \$mydomain
mydestination = \$myhostname, localhost.\$mydomain, localhost, \$mydomain
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
queue_directory = $demo/spool
data_directory = $demo/lib
daemon_directory = $bin
command_directory = $bin
mail_spool_directory = $demo/mail
maillog_file = /dev/stdout
mail_owner = $owner
setgid_group = $group
MAIN

# Only the services that exist in this build are listed; later ones join here.
{
  echo "# Postern demo master.cf, written by scripts/demo.sh."
  [ -x "$bin/smtpd" ] && echo "127.0.0.1:2525 inet n - n - - smtpd"
  [ -x "$bin/smtpd" ] && echo "127.0.0.1:2587 inet n - n - - smtpd -o syslog_name=postfix/submission"
  [ -x "$bin/pickup" ] && echo "pickup unix n - n 60 1 pickup"
  [ -x "$bin/qmgr" ] && echo "qmgr unix n - n 300 1 qmgr"
  [ -x "$bin/local" ] && echo "local unix - n n - - local"
  true
} >"$demo/etc/master.cf"

# The demo user, in Dovecot's passwd-file format (used by auth, pop3d and imapd).
if [ ! -f "$demo/etc/users" ]; then
  echo "demo:{SHA512-CRYPT}$(openssl passwd -6 demo)::::::" >"$demo/etc/users"
  chmod 640 "$demo/etc/users"
fi

cat <<INFO
Postern demo — sandbox in $demo (configuration: $demo/etc)
  Demo user: demo / password: demo
INFO
[ -x "$bin/smtpd" ] && echo "  SMTP:        swaks --server 127.0.0.1:2525 --to demo@demo.test"
[ -x "$bin/smtpd" ] && echo "  Submission:  127.0.0.1:2587"
[ -x "$bin/pop3d" ] && echo "  POP3:        127.0.0.1:2110"
[ -x "$bin/imapd" ] && echo "  IMAP:        127.0.0.1:2143"
cat <<INFO
  Commands:    $bin/postfix -c $demo/etc status   (also postconf, postmap, ... with -c)
Running master in the foreground; the mail log follows. Ctrl-C stops it.
INFO
exec "$bin/postfix" -c "$demo/etc" start-fg
