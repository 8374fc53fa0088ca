#!/usr/bin/env bash
# Where a durable complaint's time goes on PostgreSQL: CPU per complaint of sigap and of the
# PostgreSQL server processes, and the statements by total execution time (pg_stat_statements),
# over a run of bench/open311.sh's "kota" scenario (reports spread over Kota Mataram).
#
# It starts a private PostgreSQL 15 cluster (scripts/pg-test-server.sh, in a temporary directory,
# with pg_stat_statements loaded) and removes it afterwards, so it never touches a shared server.
# A benchmark, not a test: it exits 0 whatever the figures, non-zero only when it cannot run.
# Needs: wrk, PostgreSQL 15 (postgresql-15, whose contrib has pg_stat_statements), a built sigap.
#
# Environment (all optional):
#   SIGAP_BIN                 sigap binary (default build/sigap under the repo root)
#   SIGAP_BENCH_POST_DURATION the measured run (default 8s), after a 3 s warm-up
#   SIGAP_BENCH_POST_CONNECTIONS wrk connections (default 32); SIGAP_BENCH_WORKERS sigap --threads (default 2)
#   SIGAP_BENCH_TOP           statements listed (default 25)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bin=${SIGAP_BIN:-build/sigap}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
dur=${SIGAP_BENCH_POST_DURATION:-8s}
conns=${SIGAP_BENCH_POST_CONNECTIONS:-32}
workers=${SIGAP_BENCH_WORKERS:-2}
top=${SIGAP_BENCH_TOP:-25}

die() { echo "pg_statements.sh: $*" >&2; exit 2; }
command -v wrk >/dev/null || die "missing wrk; install it with: apt-get install -y wrk"
command -v psql >/dev/null || die "missing psql; install it with: apt-get install -y postgresql-client"
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-pgstat.XXXXXX")
chmod 755 "$tmp"
pgdir=$tmp/pg
sigap_pid=
cleanup() {
	stop "$sigap_pid"
	"$root/scripts/pg-test-server.sh" stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# the cluster: created, stopped, given pg_stat_statements (postgresql.conf; the script rewrites
# postgresql.auto.conf at every start), started again
pg_port=$(free_port)
"$root/scripts/pg-test-server.sh" start "$pgdir" "$pg_port" >/dev/null || die "could not start PostgreSQL"
"$root/scripts/pg-test-server.sh" stop "$pgdir" >/dev/null
printf "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n" >>"$pgdir/data/postgresql.conf"
url=$("$root/scripts/pg-test-server.sh" start "$pgdir" "$pg_port" | tail -n 1)
psql -X -q "$url" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null ||
	die "pg_stat_statements is not available (Debian's postgresql-15 package has it)"

"$bin" init --db "$url" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
key=$("$bin" apikey create --tenant 52.71 --name bench --rate-limit 0 --db "$url" 2>/dev/null) || die "apikey create failed"
port=$(free_port)
"$bin" serve --db "$url" --listen "127.0.0.1:$port" --threads "$workers" --access-log '' \
	--two-factor-roles none --data-dir "$tmp/files" >"$tmp/sigap.log" 2>&1 &
sigap_pid=$!
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
	kill -0 "$sigap_pid" 2>/dev/null || { cat "$tmp/sigap.log" >&2; die "sigap did not start"; }
	sleep 0.1
done

# the kota scenario of bench/open311.sh
sed -n '/^cat >"\$tmp\/kota.lua" <<EOF$/,/^EOF$/p' "$here/open311.sh" | sed '1d;$d' | sed "s/\$key/$key/" >"$tmp/kota.lua"
grep -q "api_key=$key" "$tmp/kota.lua" || die "could not take the kota scenario from bench/open311.sh"

count() { psql -X -tAq "$url" -c "SELECT COUNT(*) FROM complaints"; }
# CPU ticks (utime + stime) of a process; of every PostgreSQL server process
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
	local t=0 p
	for p in $(pgrep -f "^postgres: " || true); do t=$((t + $(ticks "$p"))); done
	echo "$t"
}
hz=$(getconf CLK_TCK)

wrk -t2 -c"$conns" -d3s -s "$tmp/kota.lua" "http://127.0.0.1:$port" >/dev/null 2>&1 || die "wrk failed"
psql -X -q "$url" -c "SELECT pg_stat_statements_reset()" >/dev/null
c0=$(count); s0=$(ticks "$sigap_pid"); p0=$(pg_ticks)
wrk -t2 -c"$conns" -d"$dur" -s "$tmp/kota.lua" "http://127.0.0.1:$port" >"$tmp/wrk.txt" 2>&1 || die "wrk failed"
c1=$(count); s1=$(ticks "$sigap_pid"); p1=$(pg_ticks)
n=$((c1 - c0))
[ "$n" -gt 0 ] || die "no complaint was stored; sigap log: $(tail -n 5 "$tmp/sigap.log")"

echo "durable POST /open311/v2/requests.json (kota), wrk -t2 -c$conns -d$dur, sigap --threads $workers, $(nproc) CPUs"
echo "  $(awk '/^Requests\/sec:/ { print $2 }' "$tmp/wrk.txt") req/s, $n complaints stored"
awk -v s="$((s1 - s0))" -v p="$((p1 - p0))" -v n="$n" -v hz="$hz" 'BEGIN {
	printf "  CPU per complaint: sigap %.0f us, PostgreSQL server processes %.0f us\n", s * 1e6 / hz / n, p * 1e6 / hz / n }'
echo
echo "statements by total execution time (execution only: parsing, planning, the protocol and commits' WAL flushes are not in it)"
psql -X -q "$url" -P pager=off -c "
SELECT calls, round((calls::numeric / $n), 2) AS per_complaint, round(total_exec_time::numeric, 0) AS total_ms,
       round((total_exec_time / calls * 1000)::numeric, 1) AS us_each,
       left(regexp_replace(query, '\s+', ' ', 'g'), 110) AS statement
FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
ORDER BY total_exec_time DESC LIMIT $top"
echo "(wrk, sigap and PostgreSQL share the same $(nproc) CPUs, load average now $(cut -d' ' -f1 /proc/loadavg))"
exit 0
