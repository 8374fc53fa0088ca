#!/usr/bin/env bash
# pg-test-server.sh: starts (or stops) a throwaway PostgreSQL 15 cluster for the
# store tests and end-to-end tests. The cluster lives entirely under DIR, listens
# on 127.0.0.1:PORT only, trusts every local connection (no passwords: never use
# it for real data), and has a UTF-8 database named sigap_test. On success the
# only line written to stdout is the URL to use, so a test job can do
#   export SIGAP_TEST_PG=$(scripts/pg-test-server.sh)
# Run as root, the server runs as the 'postgres' user (created by the Debian
# package); run as another user, it runs as that user.
#
# Usage:
#   scripts/pg-test-server.sh [start] [DIR [PORT]]   start; already running: just print the URL
#   scripts/pg-test-server.sh stop [DIR]             stop the cluster (the data stays in DIR)
#   scripts/pg-test-server.sh url [DIR]              print the URL of a running cluster
#   scripts/pg-test-server.sh standby DIR PORT PRIMARY_PORT
#                                                    a hot standby (read replica) streaming from the
#                                                    cluster on 127.0.0.1:PRIMARY_PORT (pg_basebackup);
#                                                    already running: just print the URL
#   scripts/pg-test-server.sh promote DIR            promote a standby to a primary (pg_ctl promote)
# DIR defaults to /tmp/sigap-pg, PORT to 55432 (also settable as $PGTEST_PORT).
# Needs the Debian package postgresql-15 (binaries in /usr/lib/postgresql/15/bin).
set -euo pipefail

cmd=start
case "${1:-}" in
start | stop | url | standby | promote) cmd=$1; shift ;;
-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac
dir=${1:-/tmp/sigap-pg}
port=${2:-${PGTEST_PORT:-55432}}
primary_port=${3:-}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
db=sigap_test
data=$dir/data

log() { echo "pg-test-server: $*" >&2; }
die() { log "$*"; exit 1; }

# Runs a command as the cluster's owner.
as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

is_running() {
	[ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" status -D "$data" >/dev/null 2>&1
}

print_url() {
	# The port of a running cluster is the one it was started with.
	[ -f "$dir/port" ] && port=$(cat "$dir/port")
	echo "postgresql://postgres@127.0.0.1:$port/$db"
}

[ -x "$bin/initdb" ] || die "no PostgreSQL 15 in $bin (apt-get install postgresql-15)"
case "$dir" in /*) ;; *) dir=$(pwd)/$dir; data=$dir/data ;; esac

case $cmd in
stop)
	if is_running; then
		as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w >/dev/null
		log "stopped the cluster in $dir"
	else
		log "no cluster running in $dir"
	fi
	exit 0
	;;
url)
	is_running || die "no cluster running in $dir"
	print_url
	exit 0
	;;
promote)
	is_running || die "no cluster running in $dir"
	[ -f "$data/standby.signal" ] || die "the cluster in $dir is not a standby"
	as_owner "$bin/pg_ctl" promote -D "$data" -w -t 60 >/dev/null || die "pg_ctl promote failed"
	rm -f "$dir/standby.conf"
	log "promoted the standby in $dir"
	exit 0
	;;
standby)
	[ -n "$primary_port" ] || die "usage: $0 standby DIR PORT PRIMARY_PORT"
	;;
esac

if is_running; then
	print_url
	exit 0
fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || die "no 'postgres' user (install the postgresql package)"
	chown postgres: "$dir"
fi
chmod 700 "$dir"

if [ "$cmd" = standby ] && [ ! -f "$data/PG_VERSION" ]; then
	log "copying the cluster on port $primary_port into $data (pg_basebackup)"
	as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$data" -R -X stream \
		-c fast >"$dir/basebackup.log" 2>&1 || {
		cat "$dir/basebackup.log" >&2
		die "pg_basebackup from port $primary_port failed"
	}
	# kept apart: the settings below rewrite postgresql.auto.conf at every start
	printf "primary_conninfo = 'host=127.0.0.1 port=%s user=postgres application_name=sigap_standby'\nhot_standby = on\n" \
		"$primary_port" >"$dir/standby.conf"
elif [ ! -f "$data/PG_VERSION" ]; then
	log "creating a cluster in $data"
	as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 \
		--locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
		cat "$dir/initdb.log" >&2
		die "initdb failed"
	}
fi

# Settings for a test server: local TCP only, sockets in DIR (not
# /var/run/postgresql, which may not exist), durable commits as in production.
as_owner tee "$data/postgresql.auto.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200   # every test server holds a few; a run starts dozens
fsync = on
synchronous_commit = on
log_min_messages = warning
EOF
if [ -f "$dir/standby.conf" ]; then
	as_owner tee -a "$data/postgresql.auto.conf" <"$dir/standby.conf" >/dev/null
fi
echo "$port" >"$dir/port"

as_owner "$bin/pg_ctl" start -D "$data" -l "$dir/server.log" -w -t 60 >/dev/null || {
	tail -n 20 "$dir/server.log" >&2 || true
	die "the server did not start (log: $dir/server.log)"
}

psql=(/usr/bin/psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
[ -x /usr/bin/psql ] || psql[0]=$bin/psql
if [ ! -f "$data/standby.signal" ] &&
	[ -z "$(as_owner "${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
	as_owner "${psql[@]}" -c "CREATE DATABASE $db ENCODING 'UTF8' TEMPLATE template0" >/dev/null
	log "created database $db"
fi
print_url
