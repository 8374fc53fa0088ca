#!/usr/bin/env bash
# Benchmark of the Open311 API, with its references measured in the same run.
#
# 1. GET /open311/v2/requests/{id}.json (one complaint, read from the database and rendered as
#    Open311 JSON) against nginx serving the very same bytes as a static file from the same URL,
#    both with the same number of workers on loopback. Runs alternate (nginx, sigap, nginx, ...)
#    so that drift in the machine's load falls on both. Target: sigap >= 0.6x nginx's requests/s.
# 2. Durable POST /open311/v2/requests.json (validation, routing, tracking number, duplicate
#    search, complaint row, event, notification and audit entry, committed with fsync before the
#    answer) from many connections at once, against the rate of a single-row transaction loop
#    with one fsync'd commit per row on the same disk (bench_groupcommit's reference).
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
#   SIGAP_BENCH_POST_DURATION the POST run (default 10s), SIGAP_BENCH_POST_CONNECTIONS (default 32)
#   SIGAP_BENCH_TARGET        pass mark for the GET ratio (default 0.6)
#   SIGAP_BENCH_KEEP          1: keep the temp directory and print its path
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
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

die() { echo "open311.sh: $*" >&2; exit 2; }
missing=
command -v wrk >/dev/null || missing="$missing wrk"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -z "$missing" ] || die "missing tools; install them with: apt-get install -y$missing"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-open311.XXXXXX")
nginx_pid= sigap_pid=
stop() {
	local pid=$1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	stop "$sigap_pid"
	stop "$nginx_pid"
	if [ "${SIGAP_BENCH_KEEP:-0}" = 1 ]; then echo "open311.sh: files kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
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

# ---- sigap with the demo data and an API key
"$bin" init --db "$tmp/sigap.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
key=$("$bin" apikey create --tenant 52.71 --name bench --db "$tmp/sigap.db" 2>/dev/null) || die "apikey create failed"
sigap_port=$(free_port)
"$bin" serve --db "$tmp/sigap.db" --listen "127.0.0.1:$sigap_port" --threads "$workers" --access-log '' \
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

# ---- durable POST
cat >"$tmp/post.lua" <<EOF
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
before=$(sqlite3 "$tmp/sigap.db" "SELECT COUNT(*) FROM complaints" 2>/dev/null || echo 0)
wrk -t"$wrk_t" -c"$post_c" -d"$post_dur" -s "$tmp/post.lua" "http://127.0.0.1:$sigap_port" >"$tmp/wrk-post.txt" 2>&1 ||
	die "wrk POST failed"
post_rps=$(rps_of "$tmp/wrk-post.txt")
after=$(sqlite3 "$tmp/sigap.db" "SELECT COUNT(*) FROM complaints" 2>/dev/null || echo "?")
echo
echo "durable POST /open311/v2/requests.json: wrk -t$wrk_t -c$post_c -d$post_dur"
printf 'sigap POST            %10.0f req/s   (errors %d; complaints %s -> %s)\n' "$post_rps" "$(errs_of "$tmp/wrk-post.txt")" "$before" "$after"
if [ -x "$gc_bin" ]; then
	ref=$("$gc_bin" "$tmp/gc.db" 1 5 2>/dev/null | awk '/^reference/ { print $(NF - 1) }')
	printf 'reference fsync loop  %10s rows/s  (one single-row transaction per commit, same disk)\n' "${ref:-?}"
	[ -n "${ref:-}" ] && echo "POST/reference = $(awk -v p="$post_rps" -v r="$ref" 'BEGIN { printf "%.2f", (r > 0 ? p / r : 0) }')"
else
	echo "reference: $gc_bin not built; skipped"
fi
echo "(wrk and the servers share the same $(nproc) CPUs, load average now $(cut -d' ' -f1 /proc/loadavg))"
exit 0
