#!/bin/sh
# Writes the one login pgbouncer accepts (and uses on the primary) from the environment, then runs pgbouncer in the
# foreground. In the file a password is between double quotes, a double quote in it doubled.
set -eu
: "${DB_USER:?set DB_USER}" "${DB_PASSWORD:?set DB_PASSWORD}"
umask 077
escaped_password=$(printf '%s' "$DB_PASSWORD" | sed 's/"/""/g')
printf '"%s" "%s"\n' "$DB_USER" "$escaped_password" > /etc/pgbouncer/userlist.txt
exec pgbouncer "${PGBOUNCER_INI:-/etc/pgbouncer/pgbouncer.ini}"
