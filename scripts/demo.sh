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
mkdir -p "$demo/etc" "$demo/spool" "$demo/lib" "$demo/mail" "$demo/home"
chmod 755 "$demo" "$demo/etc" "$demo/home"
chmod 1777 "$demo/mail"

# Who receives the demo's mail. As root: a system account with no password
# and no shell (it cannot log in to this host), created once. Otherwise: you.
if [ "$(id -u)" -eq 0 ]; then
  owner=postfix; group=postdrop; mailuser=postern-demo
  getent passwd "$mailuser" >/dev/null ||
    useradd --system --no-create-home --home-dir "$demo/home/demo" --shell /usr/sbin/nologin "$mailuser"
else
  owner="$(id -un)"; group="$(id -gn)"; mailuser="$(id -un)"
fi
uid="$(id -u "$mailuser")"; gid="$(id -g "$mailuser")"
mkdir -p "$demo/home/demo/mail"
chown -R "$uid:$gid" "$demo/home/demo"

cat >"$demo/etc/main.cf" <<MAIN
# Postern demo sandbox, written by scripts/demo.sh. Everything stays under
# $demo and on the loopback interface.
compatibility_level = 3.6
myhostname = mail.demo.test
mydomain = demo.test
myorigin = \$mydomain
mydestination = \$myhostname, localhost.\$mydomain, localhost, \$mydomain
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps = hash:\$config_directory/aliases
alias_database = hash:\$config_directory/aliases
queue_directory = $demo/spool
data_directory = $demo/lib
daemon_directory = $bin
command_directory = $bin
mail_spool_directory = $demo/mail/
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

# demo@demo.test reaches the account above.
printf 'postmaster: root\ndemo: %s\n' "$mailuser" >"$demo/etc/aliases"
"$bin/postalias" -c "$demo/etc" "$demo/etc/aliases"

# The demo user for POP3 and IMAP, in Dovecot's passwd-file format.
echo "demo:{SHA512-CRYPT}$(openssl passwd -6 demo):$uid:$gid::$demo/home/demo::" >"$demo/etc/users"
chmod 640 "$demo/etc/users"
cat >"$demo/etc/dovecot.conf" <<DOVECOT
# Postern demo dovecot.conf, written by scripts/demo.sh.
protocols = imap pop3
listen = 127.0.0.1
disable_plaintext_auth = no
first_valid_uid = 100
mail_location = maildir:$demo/mail/$mailuser
passdb {
  driver = passwd-file
  args = scheme=CRYPT username_format=%u $demo/etc/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $demo/etc/users
}
service imap-login {
  inet_listener imap {
    port = 2143
  }
  inet_listener imaps {
    port = 0
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 2110
  }
  inet_listener pop3s {
    port = 0
  }
}
DOVECOT

cat <<INFO
Postern demo — sandbox in $demo (configuration: $demo/etc)
  Demo user: demo / password: demo  (mail for demo@demo.test)
INFO
[ -x "$bin/smtpd" ] && echo "  SMTP:        swaks --server 127.0.0.1:2525 --to demo@demo.test"
[ -x "$bin/smtpd" ] && echo "  Submission:  127.0.0.1:2587"
[ -x "$bin/pop3d" ] && echo "  POP3:        127.0.0.1:2110   (curl -u demo:demo pop3://127.0.0.1:2110/)"
[ -x "$bin/imapd" ] && echo "  IMAP:        127.0.0.1:2143   (curl -u demo:demo 'imap://127.0.0.1:2143/INBOX;UID=1')"
cat <<INFO
  Local mail:  echo hi | $bin/sendmail -C $demo/etc demo@demo.test
  Commands:    $bin/postfix -c $demo/etc status   (also postconf, mailq via postqueue -p, ... with -c)
Running master in the foreground; the mail log follows. Ctrl-C stops it.
INFO
exec "$bin/postfix" -c "$demo/etc" start-fg
