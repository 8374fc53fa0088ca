#!/usr/bin/env bash
# scale.sh: read paths on a province-sized database. Builds (once) a database of about 200
# tenants and 1.2 million complaints with their events, photos, duplicates, service applications,
# proposals, notifications, users, sessions and audit chains (bench/scale_gen.py, after
# `sigap init --demo`), then starts sigap on a copy of it and times every read page and API list
# of Kota Mataram (52.71, about 200,000 complaints) for each role (bench/scale_measure.py).
# With SIGAP_REF_BIN it measures that build on its own copy of the same database first and prints
# each figure's ratio to it. See bench/README.md.
#
#   bench/scale.sh                                              # SQLite
#   SIGAP_TEST_PG=postgresql://... SIGAP_SCALE_BACKEND=both bench/scale.sh
#   SIGAP_REF_BIN=/path/to/old/sigap SIGAP_SCALE_DATA=/tmp/scale-data bench/scale.sh
#
# Exit status 0 whatever the figures (1 when it cannot run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(readlink -f "${SIGAP_BIN:-build/sigap}")
ref=${SIGAP_REF_BIN:+$(readlink -f "$SIGAP_REF_BIN")}
backend=${SIGAP_SCALE_BACKEND:-sqlite}
complaints=${SIGAP_SCALE_COMPLAINTS:-1200000}
tenants=${SIGAP_SCALE_TENANTS:-200}
repeat=${SIGAP_SCALE_REPEAT:-9}
die() { echo "scale.sh: $*" >&2; exit 1; }
[ -x "$bin" ] || die "no sigap binary at $bin (ninja -C build, or SIGAP_BIN=...)"
[ -z "$ref" ] || [ -x "$ref" ] || die "no reference binary at $SIGAP_REF_BIN"
case $backend in sqlite | postgresql | both) ;; *) die "SIGAP_SCALE_BACKEND must be sqlite, postgresql or both" ;; esac
if [ "$backend" != sqlite ]; then
	[ -n "${SIGAP_TEST_PG:-}" ] || die "SIGAP_TEST_PG must hold a postgresql:// URL for $backend"
	command -v psql >/dev/null || die "psql is needed for PostgreSQL"
fi
tmp=$(mktemp -d /tmp/scale-run.XXXXXX)
data=${SIGAP_SCALE_DATA:-$tmp}
mkdir -p "$data"
server_pid=
work_pg=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ -n "$work_pg" ]; then psql -X -q "$SIGAP_TEST_PG" -c "DROP DATABASE IF EXISTS $work_pg" >/dev/null 2>&1 || true; fi
	if [ -z "${SIGAP_SCALE_DATA:-}" ] && [ -n "${base_pg:-}" ]; then
		psql -X -q "$SIGAP_TEST_PG" -c "DROP DATABASE IF EXISTS $base_pg" >/dev/null 2>&1 || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pg_url_for() { local u=${SIGAP_TEST_PG%%\?*}; echo "${u%/*}/$1"; }

# the database is initialised by the older build when there is one: the newer migrates its copy
init_bin=${ref:-$bin}

base_sqlite() {
	local db="$data/base.db"
	if [ ! -s "$data/base.db.done" ]; then
		rm -f "$db" "$db-wal" "$db-shm"
		echo "== generating the SQLite database in $db ($complaints complaints, $tenants tenants)"
		"$init_bin" init --db "$db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
		python3 bench/scale_gen.py --db "$db" --complaints "$complaints" --tenants "$tenants" >"$data/base.db.done"
	fi
	cat "$data/base.db.done"
}

base_pg() {
	base_pg=sigap_scale_base
	local url; url=$(pg_url_for "$base_pg")
	if [ -z "${SIGAP_SCALE_DATA:-}" ] || ! psql -X -q -At "$url" -c "SELECT 1 FROM scale_gen_done" >/dev/null 2>&1; then
		psql -X -q "$SIGAP_TEST_PG" -c "DROP DATABASE IF EXISTS $base_pg" >/dev/null
		psql -X -q "$SIGAP_TEST_PG" -c "CREATE DATABASE $base_pg" >/dev/null
		echo "== generating the PostgreSQL database $base_pg ($complaints complaints, $tenants tenants)"
		"$init_bin" init --db "$url" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
		python3 bench/scale_gen.py --db "$url" --complaints "$complaints" --tenants "$tenants" >"$data/base-pg.done"
		psql -X -q "$url" -c "CREATE TABLE scale_gen_done (x BIGINT)" >/dev/null
	fi
	cat "$data/base-pg.done" 2>/dev/null || true
}

# measure BACKEND BIN LABEL [REFJSON]
measure() {
	local be=$1 b=$2 label=$3 refjson=${4:-} db port
	if [ "$be" = sqlite ]; then
		db="$tmp/work.db"
		rm -f "$db" "$db-wal" "$db-shm"
		cp "$data/base.db" "$db"
	else
		work_pg=sigap_scale_work
		psql -X -q "$SIGAP_TEST_PG" -c "DROP DATABASE IF EXISTS $work_pg" >/dev/null
		psql -X -q "$SIGAP_TEST_PG" -c "CREATE DATABASE $work_pg TEMPLATE $base_pg" >/dev/null
		db=$(pg_url_for "$work_pg")
	fi
	"$b" migrate --db "$db" >"$tmp/migrate.log" 2>&1 || { cat "$tmp/migrate.log" >&2; die "$label: sigap migrate failed"; }
	if [ "$be" != sqlite ]; then psql -X -q "$db" -c "ANALYZE" >/dev/null; fi
	port=$(free_port)
	"$b" serve --db "$db" --listen "127.0.0.1:$port" --threads 2 --access-log '' --two-factor-roles none \
		--sweep-interval 86400 >"$tmp/serve.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
	echo "== $be, $label ($b)"
	python3 bench/scale_measure.py --port "$port" --repeat "$repeat" --out "$tmp/$be-$label.json" \
		${refjson:+--ref "$refjson"} ${SIGAP_SCALE_ONLY:+--only "$SIGAP_SCALE_ONLY"} || echo "scale.sh: measurement failed" >&2
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	if [ "$be" != sqlite ]; then
		psql -X -q "$SIGAP_TEST_PG" -c "DROP DATABASE IF EXISTS $work_pg" >/dev/null
		work_pg=
	fi
}

run_backend() {
	local be=$1
	if [ "$be" = sqlite ]; then base_sqlite; else base_pg; fi
	if [ -n "$ref" ]; then
		measure "$be" "$ref" ref
		measure "$be" "$bin" new "$tmp/$be-ref.json"
	else
		measure "$be" "$bin" new
	fi
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
case $backend in
sqlite) run_backend sqlite ;;
postgresql) run_backend postgresql ;;
both) run_backend sqlite; run_backend postgresql ;;
esac
exit 0
