#!/usr/bin/env bash
# Benchmark of the Open311 API, with its references measured in the same run.
#
# 1. GET /open311/v2/requests/{id}.json (one complaint, read from the database and rendered as
#    Open311 JSON) against nginx serving the very same bytes as a static file from the same URL,
#    both with the same number of workers on loopback. Runs alternate (nginx, sigap, nginx, ...)
#    so that drift in the machine's load falls on both. Target: sigap >= 0.6x nginx's requests/s.
# 2. Durable POST /open311/v2/requests.json (validation, routing, tracking number, duplicate
#    search, complaint row, event, notification, audit entry and performance counters, committed
#    with fsync before the answer) from many connections at once, in two scenarios (reports
#    spread over the city; every report about one spot, the duplicate search's worst case),
#    against the rate of a single-row transaction loop with one fsync'd commit per row on the
#    same disk (bench_groupcommit's reference).
#
# It is a benchmark, not a test: it exits 0 whatever the figures, non-zero only when it cannot
# run. Installs nothing. Needs: wrk (Debian package wrk), nginx (nginx-light), a built sigap and
# (for the POST reference) build/bench_groupcommit.
#
# Environment (all optional):
#   SIGAP_BIN                 sigap binary (default build/sigap under the repo root)
#   SIGAP_BENCH_THREADS       wrk threads (default 2)
#   SIGAP_BENCH_CONNECTIONS   wrk connections for GET (default 64)
#   SIGAP_BENCH_DURATION      each GET run (default 10s)
#   SIGAP_BENCH_ROUNDS        rounds of (nginx, sigap) (default 3)
#   SIGAP_BENCH_WORKERS       sigap --threads and nginx worker_processes (default 2)
#   SIGAP_BENCH_POST_DURATION each POST scenario (default 10s), SIGAP_BENCH_POST_CONNECTIONS (default 32)
#   SIGAP_BENCH_TARGET        pass mark for the GET ratio (default 0.6)
#   SIGAP_BENCH_KEEP          1: keep the temp directory and print its path
#   SIGAP_BENCH_BACKEND       sqlite (default) or postgresql: then the database is a fresh schema
#                             on the server at SIGAP_TEST_PG (dropped afterwards), and the
#                             reference loop commits to that server
#   SIGAP_BENCH_SYNC_DELAY_US SQLite only: a slower disk, simulated. Every fsync/fdatasync of
#                             sigap and of the reference loop waits this many microseconds more
#                             after the real flush (build/libslowsync.so, bench/slowsync.c); the
#                             figures are printed as simulated. Default 0: the disk as it is
#   SIGAP_BENCH_GET           0: skip the GET comparison (default 1)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bin=${SIGAP_BIN:-build/sigap}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
gc_bin=$(dirname "$bin")/bench_groupcommit
wrk_t=${SIGAP_BENCH_THREADS:-2}
wrk_c=${SIGAP_BENCH_CONNECTIONS:-64}
dur=${SIGAP_BENCH_DURATION:-10s}
rounds=${SIGAP_BENCH_ROUNDS:-3}
workers=${SIGAP_BENCH_WORKERS:-2}
post_dur=${SIGAP_BENCH_POST_DURATION:-10s}
post_c=${SIGAP_BENCH_POST_CONNECTIONS:-32}
target=${SIGAP_BENCH_TARGET:-0.6}
sync_delay=${SIGAP_BENCH_SYNC_DELAY_US:-0}
do_get=${SIGAP_BENCH_GET:-1}
slow_lib=$(dirname "$bin")/libslowsync.so

die() { echo "open311.sh: $*" >&2; exit 2; }
missing=
command -v wrk >/dev/null || missing="$missing wrk"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -z "$missing" ] || die "missing tools; install them with: apt-get install -y$missing"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"
case $sync_delay in '' | *[!0-9]*) die "SIGAP_BENCH_SYNC_DELAY_US must be a number of microseconds" ;; esac
# the simulated flush time, if any, as environment for env(1): env execs the program, so a
# background job's $! is the program itself (a shell function there would be a subshell, and
# stopping it would leave sigap running)
sync_env=()
if [ "$sync_delay" -gt 0 ]; then sync_env=("LD_PRELOAD=$slow_lib" "SLOWSYNC_US=$sync_delay"); fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-open311.XXXXXX")
nginx_pid= sigap_pid=
cleanup() {
	stop "$sigap_pid"
	stop "$nginx_pid"
	if [ -n "${pg_schema:-}" ]; then psql -X -q "$SIGAP_TEST_PG" -c "DROP SCHEMA $pg_schema CASCADE" >/dev/null 2>&1 || true; fi
	if [ "${SIGAP_BENCH_KEEP:-0}" = 1 ]; then echo "open311.sh: files kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# http_get PORT PATH: the body of a GET (bash's /dev/tcp, no curl needed)
http_get() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&3 &&
		cat <&3) 2>/dev/null | sed '1,/^\r$/d'
}
wait_up() { # PORT PID LOG
	for _ in $(seq 100); do
		kill -0 "$2" 2>/dev/null || { cat "$3" >&2; return 1; }
		[ -n "$(http_get "$1" /healthz 2>/dev/null | head -c 1)" ] && return 0
		sleep 0.1
	done
	cat "$3" >&2
	return 1
}

# ---- the database: a SQLite file, or a fresh PostgreSQL schema
backend=${SIGAP_BENCH_BACKEND:-sqlite}
db=$tmp/sigap.db
pg_schema=
case $backend in
sqlite) count_complaints() { sqlite3 "$db" "SELECT COUNT(*) FROM complaints" 2>/dev/null || echo "?"; } ;;
postgresql)
	[ -n "${SIGAP_TEST_PG:-}" ] || die "SIGAP_BENCH_BACKEND=postgresql needs SIGAP_TEST_PG=postgresql://..."
	command -v psql >/dev/null || die "missing psql; install it with: apt-get install -y postgresql-client"
	pg_schema=bench311_$$
	psql -X -q "$SIGAP_TEST_PG" -c "CREATE SCHEMA $pg_schema" >/dev/null || die "cannot create a schema at $SIGAP_TEST_PG"
	sep='?'; case "$SIGAP_TEST_PG" in *\?*) sep='&' ;; esac
	db="${SIGAP_TEST_PG}${sep}options=-csearch_path%3D$pg_schema"
	count_complaints() { psql -X -tAq "$db" -c "SELECT COUNT(*) FROM complaints" 2>/dev/null || echo "?"; } ;;
*) die "SIGAP_BENCH_BACKEND must be sqlite or postgresql" ;;
esac
sim_note=
if [ "$sync_delay" -gt 0 ]; then
	sim_note=" [SIMULATED: each flush $sync_delay us slower]"
	[ "$backend" = sqlite ] || die "SIGAP_BENCH_SYNC_DELAY_US works with SQLite only (PostgreSQL flushes in its own server)"
	[ -f "$slow_lib" ] || die "$slow_lib not built (ninja -C build)"
	echo "SIMULATED DISK: every fsync/fdatasync of sigap and of the reference loop waits $sync_delay us more"
fi
echo "backend: $backend"

# ---- sigap with the demo data and an API key
"$bin" init --db "$db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
# --rate-limit 0: the benchmark files thousands of complaints a second through this one key, far
# beyond a key's default limit (complaint-limit-apikey, 120 a minute); a limit of 0 costs nothing
key=$("$bin" apikey create --tenant 52.71 --name bench --rate-limit 0 --db "$db" 2>/dev/null) || die "apikey create failed"
sigap_port=$(free_port)
env "${sync_env[@]}" "$bin" serve --db "$db" --listen "127.0.0.1:$sigap_port" --threads "$workers" --access-log '' \
	--data-dir "$tmp/files" >"$tmp/sigap.log" 2>&1 &
sigap_pid=$!
wait_up "$sigap_port" "$sigap_pid" "$tmp/sigap.log" || die "sigap did not start"
path="/open311/v2/requests/1.json?jurisdiction_id=52.71"
http_get "$sigap_port" "$path" >"$tmp/req.json"
grep -q '"service_request_id":"1"' "$tmp/req.json" || { cat "$tmp/req.json" >&2; die "sigap did not answer $path"; }

# ---- nginx serving the same bytes as a static file (its workers may run as another user)
mkdir -p "$tmp/nginx"
chmod a+rx "$tmp"
chmod a+r "$tmp/req.json"
nginx_port=$(free_port)
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes $workers;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
    access_log off; server_tokens off;
    client_body_temp_path $tmp/nginx/body; proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi; uwsgi_temp_path $tmp/nginx/uwsgi; scgi_temp_path $tmp/nginx/scgi;
    keepalive_timeout 10s; keepalive_requests 1000000; tcp_nodelay on;
    server {
        listen 127.0.0.1:$nginx_port reuseport backlog=4096;
        location = /open311/v2/requests/1.json { default_type application/json; alias $tmp/req.json; }
        location = /healthz { return 200 'ok'; }
        location / { return 404; }
    }
}
EOF
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_up "$nginx_port" "$nginx_pid" "$tmp/nginx/error.log" || die "nginx did not start"
cmp -s "$tmp/req.json" <(http_get "$nginx_port" "$path") || die "nginx does not serve the same body"

rps_of() { awk '/^Requests\/sec:/ { print $2 }' "$1"; }
errs_of() { awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
	END { print n + 0 }' "$1"; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

if [ "$do_get" = 1 ]; then
	echo "GET $path ($(wc -c <"$tmp/req.json") bytes): wrk -t$wrk_t -c$wrk_c -d$dur, $workers workers each, $(nproc) CPUs"
	wrk -t"$wrk_t" -c"$wrk_c" -d2s "http://127.0.0.1:$nginx_port$path" >/dev/null 2>&1 || true
	wrk -t"$wrk_t" -c"$wrk_c" -d2s "http://127.0.0.1:$sigap_port$path" >/dev/null 2>&1 || true
	: >"$tmp/nginx.rps"; : >"$tmp/sigap.rps"
	printf '%-6s %-6s %12s %8s\n' run server 'req/s' errors
	for i in $(seq "$rounds"); do
		for s in nginx sigap; do
			if [ $s = nginx ]; then port=$nginx_port; else port=$sigap_port; fi
			wrk -t"$wrk_t" -c"$wrk_c" -d"$dur" "http://127.0.0.1:$port$path" >"$tmp/wrk-$s-$i.txt" 2>&1 || die "wrk failed"
			printf '%-6s %-6s %12.0f %8d\n' "$i" "$s" "$(rps_of "$tmp/wrk-$s-$i.txt")" "$(errs_of "$tmp/wrk-$s-$i.txt")"
			rps_of "$tmp/wrk-$s-$i.txt" >>"$tmp/$s.rps"
		done
	done
	n_rps=$(median <"$tmp/nginx.rps"); s_rps=$(median <"$tmp/sigap.rps")
	ratio=$(awk -v s="$s_rps" -v n="$n_rps" 'BEGIN { printf "%.3f", (n > 0 ? s / n : 0) }')
	verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t ? "PASS" : "FAIL") }')
	printf '%-6s %-6s %12.0f\n%-6s %-6s %12.0f\n' median nginx "$n_rps" median sigap "$s_rps"
	echo "GET sigap/nginx requests/s = $ratio (target >= $target): $verdict"
else
	echo "GET comparison skipped (SIGAP_BENCH_GET=0)"
fi

# ---- durable POST, two scenarios:
#  kota: reports spread over the whole city (Kota Mataram's extent), eight categories, varied
#        texts: what intake looks like;
#  satu-titik: every report about the same rubbish pile within about 1 km, nearly the same words:
#        the worst case of the duplicate search, which finds 100 candidates for every report.
cat >"$tmp/kota.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local cases = {
  { "sampah", "Sampah+menumpuk+di+TPS+dekat+pasar+belum+diangkut+sejak+minggu+lalu" },
  { "jalan", "Jalan+berlubang+besar+di+depan+sekolah+membahayakan+pengendara+motor" },
  { "pju", "Lampu+penerangan+jalan+mati+sudah+tiga+malam+gelap+dan+rawan" },
  { "drainase", "Saluran+air+tersumbat+sehingga+banjir+setiap+hujan+deras" },
  { "air", "Air+PDAM+tidak+mengalir+ke+rumah+warga+sejak+dua+hari" },
  { "parkir", "Parkir+liar+di+bahu+jalan+menyebabkan+kemacetan+setiap+sore" },
  { "ketertiban", "Pedagang+kaki+lima+menutup+trotoar+pejalan+kaki+terganggu" },
  { "lingkungan", "Pembakaran+sampah+plastik+oleh+warga+asapnya+mengganggu+pernapasan" },
}
local n = 0
request = function()
  n = n + 1
  local c = cases[math.random(#cases)]
  local body = "jurisdiction_id=52.71&api_key=$key&service_code=" .. c[1] ..
    string.format("&lat=%.6f&long=%.6f", -8.62 + math.random() * 0.07, 116.06 + math.random() * 0.09) ..
    "&description=" .. c[2] .. "+nomor+" .. n .. "+RT+" .. math.random(1, 30)
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
EOF
cat >"$tmp/satu-titik.lua" <<EOF
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local n = 0
request = function()
  n = n + 1
  local body = "jurisdiction_id=52.71&api_key=$key&service_code=sampah&lat=-8.59" .. (n % 10) ..
    "&long=116.08" .. (n % 7) .. "&description=Sampah+menumpuk+di+TPS+nomor+" .. n .. "+belum+diangkut+tiga+hari"
  return wrk.format(nil, "/open311/v2/requests.json", nil, body)
end
EOF
echo
echo "durable POST /open311/v2/requests.json: wrk -t$wrk_t -c$post_c -d$post_dur"
: >"$tmp/post.rps"
for scen in kota satu-titik; do
	before=$(count_complaints)
	wrk -t"$wrk_t" -c"$post_c" -d"$post_dur" -s "$tmp/$scen.lua" "http://127.0.0.1:$sigap_port" >"$tmp/wrk-post-$scen.txt" 2>&1 ||
		die "wrk POST failed"
	after=$(count_complaints)
	printf 'sigap POST %-10s %10.0f req/s   (errors %d; complaints %s -> %s)\n' "$scen" \
		"$(rps_of "$tmp/wrk-post-$scen.txt")" "$(errs_of "$tmp/wrk-post-$scen.txt")" "$before" "$after"
	echo "$scen $(rps_of "$tmp/wrk-post-$scen.txt")" >>"$tmp/post.rps"
done
if [ -x "$gc_bin" ]; then
	if [ "$backend" = sqlite ]; then gc_db=$tmp/gc.db; else gc_db=$db; fi
	ref=$(env "${sync_env[@]}" "$gc_bin" "$gc_db" 1 5 2>/dev/null | awk '/^reference/ { print $(NF - 1) }')
	printf 'reference fsync loop  %10s rows/s  (one single-row transaction per commit, same %s)\n' "${ref:-?}" \
		"$([ "$backend" = sqlite ] && echo disk || echo server)"
	if [ -n "${ref:-}" ]; then
		while read -r scen rps; do
			echo "POST $scen/reference = $(awk -v p="$rps" -v r="$ref" 'BEGIN { printf "%.2f", (r > 0 ? p / r : 0) }') (target >= 5)$sim_note"
		done <"$tmp/post.rps"
	fi
else
	echo "reference: $gc_bin not built; skipped"
fi
echo "(wrk and the servers share the same $(nproc) CPUs, load average now $(cut -d' ' -f1 /proc/loadavg))"
exit 0
