#!/usr/bin/env bash
# performance_dashboard.sh: the performance module's target. Loads N
# applications and N complaints (default 1,000,000 each) for Kota Mataram
# (52.71) through the recording API (bench/performance_gen.c, batched
# transactions of 5,000 items), starts the real server, signs in as the
# Sekda and times the dashboard page GET /t/52.71/kinerja (all OPDs, the last
# 12 months, every figure, chart and table) over HTTP with curl, plus the
# JSON API and an OPD drill-down. Runs on SQLite, and on PostgreSQL too when
# SIGAP_TEST_PG holds a postgresql:// URL (a fresh schema is made and
# dropped).
#
# Usage: bench/performance_dashboard.sh [N]     (from the repository root,
# after `ninja -C build`; SIGAP_BUILD=dir picks another build directory;
# KEEP=1 keeps the SQLite database in $WORK; SKIP_SQLITE=1 runs PostgreSQL only;
# REQS=n requests per measurement, default 30)
set -euo pipefail

N=${1:-1000000}
BUILD=${SIGAP_BUILD:-build}
SIGAP=$BUILD/sigap
WORK=${WORK:-$(mktemp -d /tmp/sigap-perf-bench-XXXXXX)}
mkdir -p "$WORK"
REQS=${REQS:-30}
PORT=${PORT:-18777}

[ -x "$SIGAP" ] || { echo "no $SIGAP: run ninja -C $BUILD first" >&2; exit 1; }
LIBS="$(pkg-config --libs libh2o-evloop openssl sqlite3 libpq jansson libsodium libutf8proc libqrencode xlsxwriter liboath libcurl) -lmagic -llinear -lstemmer -lhpdf -lm -lpthread"
gcc -std=gnu11 -D_GNU_SOURCE -DH2O_USE_LIBUV=0 -O2 -Wall -Wextra -Werror -Isrc \
	bench/performance_gen.c "$BUILD/libsigap.a" $LIBS -o "$WORK/performance_gen"

server_pid=
cleanup() {
	if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	if [ -n "${PG_SCHEMA:-}" ]; then psql -X -q "$SIGAP_TEST_PG" -c "DROP SCHEMA IF EXISTS $PG_SCHEMA CASCADE" >/dev/null 2>&1 || true; fi
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# times: prints min / median / p90 / max in ms of REQS requests of $1
timeit() {
	local url=$1 jar=$2 i bad
	curl -s -o /dev/null -b "$jar" "$url"   # warm-up (opens the reader connection)
	for i in $(seq "$REQS"); do
		curl -s -o /dev/null -b "$jar" -w '%{http_code} %{time_total}\n' "$url"
	done > "$WORK/times"
	bad=$(awk '$1 != 200' "$WORK/times" | wc -l)
	awk '{ printf "%.3f\n", $2 * 1000 }' "$WORK/times" | sort -n | awk -v name="$3" -v bad="$bad" '
		{ t[NR] = $1 }
		END {
			n = NR; p90 = int(n * 0.9); if (p90 < n * 0.9) p90++
			printf "  %-38s n=%d  min %.1f ms  median %.1f ms  p90 %.1f ms  max %.1f ms%s\n", name, n, t[1],
				t[int((n + 1) / 2)], t[p90], t[n], (bad > 0 ? "  (" bad " not 200!)" : "")
		}'
}

run_one() {
	local backend=$1 db=$2 jar="$WORK/cookies.$1" csrf
	echo "== $backend: $N applications + $N complaints"
	"$SIGAP" init --demo --db "$db" > "$WORK/init.log" 2>&1
	/usr/bin/time -f "  load: %e s wall, %M KB max RSS" "$WORK/performance_gen" --db "$db" --items "$N"
	"$SIGAP" serve --db "$db" --listen "127.0.0.1:$PORT" --access-log '' --two-factor-roles none > "$WORK/serve.log" 2>&1 &
	server_pid=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
	rm -f "$jar"
	csrf=$(curl -s -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/t/52.71/masuk" | sed -n 's/.*name="_csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1)
	curl -s -o /dev/null -c "$jar" -b "$jar" --data-urlencode "_csrf=$csrf" --data-urlencode username=sekda \
		--data-urlencode password=sigap-demo-2026 "http://127.0.0.1:$PORT/t/52.71/masuk"
	timeit "http://127.0.0.1:$PORT/t/52.71/kinerja" "$jar" "dashboard page (all OPDs, 12 months)"
	timeit "http://127.0.0.1:$PORT/t/52.71/kinerja?tren=minggu" "$jar" "dashboard page, weekly trend"
	timeit "http://127.0.0.1:$PORT/api/v1/t/52.71/kinerja" "$jar" "dashboard JSON API"
	timeit "http://127.0.0.1:$PORT/t/52.71/kinerja?opd=DINKES" "$jar" "one OPD (DINKES)"
	timeit "http://127.0.0.1:$PORT/t/52.71/kinerja/ekspor/semua.xlsx" "$jar" "xlsx export (all tables)"
	kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
}

if [ -z "${SKIP_SQLITE:-}" ]; then
	run_one sqlite "$WORK/bench.db"
	if [ -n "${KEEP:-}" ]; then echo "  database kept in $WORK/bench.db"; fi
fi
if [ -n "${SIGAP_TEST_PG:-}" ] && [ "$SIGAP_TEST_PG" != none ]; then
	PG_SCHEMA=perfbench_$$
	psql -X -q "$SIGAP_TEST_PG" -c "CREATE SCHEMA $PG_SCHEMA" >/dev/null
	sep='?'; case "$SIGAP_TEST_PG" in *\?*) sep='&' ;; esac
	run_one postgresql "${SIGAP_TEST_PG}${sep}options=-csearch_path%3D$PG_SCHEMA"
fi
