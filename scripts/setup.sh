#!/usr/bin/env bash
# Installs, idempotently, every Debian package that the build, the tests and
# the demo need, and creates the system accounts Postfix administrators
# expect (user "postfix", group "postdrop"). Run as root on Debian 12.
#
# Package names live in scripts/packages/*.txt, one per line ('#' comments),
# grouped by what needs them.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

mapfile -t wanted < <(cat "$here"/packages/*.txt | sed -e 's/#.*//' -e 's/[[:space:]]//g' | grep -v '^$' | sort -u)

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: these packages are missing and only root can install them: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages such as postfix and dovecot are installed only as test peers:
  # keep their services from starting (policy-rc.d), and give postfix's
  # installer its answer in advance.
  policy=/usr/sbin/policy-rc.d
  created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    created_policy=1
  fi
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi
fi

if [ "$(id -u)" -eq 0 ]; then
  getent group postdrop >/dev/null || groupadd --system postdrop
  getent group postfix >/dev/null || groupadd --system postfix
  getent passwd postfix >/dev/null ||
    useradd --system --gid postfix --home-dir /var/spool/postfix --no-create-home \
      --shell /usr/sbin/nologin postfix
fi
