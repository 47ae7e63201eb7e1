#!/bin/sh
# docker-entrypoint.sh of quayside/postgres: what the official postgres image's
# entrypoint does, for what Quayside uses.
#
# On the first start of an empty data dir ($PGDATA, default
# /var/lib/postgresql/data) it runs initdb with POSTGRES_USER (default
# postgres) as the superuser whose password is POSTGRES_PASSWORD, creates
# POSTGRES_DB (default: POSTGRES_USER), runs /docker-entrypoint-initdb.d/*.sh
# and *.sql, and allows password logins (scram-sha-256) from every address;
# the local socket trusts. POSTGRES_PASSWORD_FILE (and _USER_FILE, _DB_FILE)
# read the value from a file; POSTGRES_INITDB_ARGS are added to initdb;
# POSTGRES_HOST_AUTH_METHOD replaces scram-sha-256 for network logins.
# Started as root, it fixes the data dir's owner and runs as postgres.
set -eu

die() {
	printf 'docker-entrypoint.sh: %s\n' "$*" >&2
	exit 1
}

# file_env sets VAR from VAR_FILE when that is given (not both).
file_env() {
	eval "v=\${$1:-} f=\${$1_FILE:-}"
	if [ -n "$v" ] && [ -n "$f" ]; then die "both $1 and $1_FILE are set; set one"; fi
	if [ -n "$f" ]; then
		[ -r "$f" ] || die "$1_FILE=$f cannot be read"
		v=$(cat "$f")
		export "$1=$v"
	fi
}

case ${1:-} in -*) set -- postgres "$@" ;; esac
[ $# -gt 0 ] || set -- postgres
[ "$1" = postgres ] || exec "$@"

PGDATA=${PGDATA:-/var/lib/postgresql/data}
export PGDATA

if [ "$(id -u)" = 0 ]; then
	mkdir -p "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
	find "$PGDATA" ! -user postgres -exec chown postgres:postgres '{}' +
	chown postgres:postgres /var/run/postgresql
	chmod 3777 /var/run/postgresql
	exec setpriv --reuid=postgres --regid=postgres --init-groups \
		env HOME=/var/lib/postgresql "$0" "$@"
fi

# init_db makes the cluster, the database and the access rules.
init_db() {
	file_env POSTGRES_USER
	file_env POSTGRES_PASSWORD
	file_env POSTGRES_DB
	POSTGRES_USER=${POSTGRES_USER:-postgres}
	POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
	auth=${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}
	if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "$auth" != trust ]; then
		die "the database is uninitialized and POSTGRES_PASSWORD is not set.
Set POSTGRES_PASSWORD (the superuser's password), or POSTGRES_HOST_AUTH_METHOD=trust to allow every connection without a password (not recommended)."
	fi
	pwfile=$(mktemp)
	printf '%s\n' "${POSTGRES_PASSWORD:-}" >"$pwfile"
	# shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of words
	initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
		--auth-host="$auth" ${POSTGRES_INITDB_ARGS:-}
	rm -f "$pwfile"
	printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

	pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
	if [ "$POSTGRES_DB" != postgres ]; then
		psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -v db="$POSTGRES_DB" <<-'SQL'
			CREATE DATABASE :"db";
		SQL
	fi
	for f in /docker-entrypoint-initdb.d/*; do
		# shellcheck disable=SC1090 # the scripts are the user's
		case $f in
		*.sh) echo "docker-entrypoint.sh: running $f" && . "$f" ;;
		*.sql) echo "docker-entrypoint.sh: running $f" &&
			psql -X -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$f" ;;
		esac
	done
	pg_ctl -D "$PGDATA" -m fast -w stop
	echo "docker-entrypoint.sh: PostgreSQL init process complete; ready for start up."
}

if [ ! -s "$PGDATA/PG_VERSION" ]; then
	init_db
fi
exec "$@"
