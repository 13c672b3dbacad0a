#!/usr/bin/env bash
# Runs a command as an ordinary user, as the kit's users run it. Not root: the command runs as is.
# Root (CI): it runs as the dedicated account bondkit-student (created once, no password, no login
# shell), with a clean environment and Debian's PATH for an ordinary account (no /usr/sbin), after
# making sure that account can reach the checkout.
#   scripts/as_student.sh COMMAND [ARGS...]
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then exec "$@"; fi

user=bondkit-student
home=/var/lib/$user
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --create-home --home-dir "$home" --shell /usr/sbin/nologin "$user"
fi
# Every folder above the checkout must let the account pass (a clone under /root would not).
dir=$(pwd -P)
while [ "$dir" != / ]; do
  if ! setpriv --reuid="$user" --regid="$user" --clear-groups test -x "$dir"; then
    setfacl -m "u:$user:x" "$dir"
  fi
  dir=$(dirname "$dir")
done
exec setpriv --reuid="$user" --regid="$user" --init-groups \
  env -i HOME="$home" USER="$user" LOGNAME="$user" PATH=/usr/local/bin:/usr/bin:/bin \
  LANG=C.UTF-8 TMPDIR=/tmp ${CI:+CI=$CI} ${BONDKIT_REQUIRE_LAB:+BONDKIT_REQUIRE_LAB=$BONDKIT_REQUIRE_LAB} \
  ${BONDKIT_EXPECT:+BONDKIT_EXPECT=$BONDKIT_EXPECT} "$@"
