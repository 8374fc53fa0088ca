#!/usr/bin/env bash
# Benchmark of sigap's cheapest request, GET /healthz, against nginx returning the same body from
# a static `return 200` (bench/nginx-healthz.conf). It measures the fixed cost of sigap's HTTP
# request path (h2o, dispatch, headers, response) relative to a well-known fast server on the same
# machine, with the same number of workers. It starts both servers on free loopback ports with
# their files in a temp directory, runs wrk against each in turn (nginx, sigap, nginx, sigap, ...
# to spread drift over both), prints requests/s, wrk's p50/p99 latency and the server's CPU time
# per request for each run, the medians, and the ratio sigap/nginx of requests/s with PASS/FAIL
# against the target (0.8). It is a benchmark, not a
# test: it exits 0 whatever the ratio, and non-zero only when it cannot run.
#
# Installs nothing. Needs: wrk (Debian package wrk), nginx (nginx-light), a built sigap.
#
# Environment (all optional):
#   SIGAP_BIN                  sigap binary (default build/sigap under the repo root)
#   SIGAP_BENCH_THREADS        wrk threads, -t (default 2)
#   SIGAP_BENCH_CONNECTIONS    wrk connections, -c (default 64)
#   SIGAP_BENCH_DURATION       each run, -d (default 10s)
#   SIGAP_BENCH_WARMUP         warm-up before the first run of each server (default 2s, 0 = none)
#   SIGAP_BENCH_ROUNDS         rounds of (nginx, sigap) (default 3)
#   SIGAP_BENCH_WORKERS        sigap --threads and nginx worker_processes (default 2)
#   SIGAP_BENCH_TARGET         pass mark for the ratio (default 0.8)
#   SIGAP_BENCH_NGINX_HEADERS  1: nginx adds sigap's security headers too (default 0)
#   SIGAP_BENCH_KEEP           1: keep the temp directory (logs, wrk output) and print its path
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bin=${SIGAP_BIN:-build/sigap}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
wrk_t=${SIGAP_BENCH_THREADS:-2}
wrk_c=${SIGAP_BENCH_CONNECTIONS:-64}
dur=${SIGAP_BENCH_DURATION:-10s}
warmup=${SIGAP_BENCH_WARMUP:-2s}
rounds=${SIGAP_BENCH_ROUNDS:-3}
workers=${SIGAP_BENCH_WORKERS:-2}
target=${SIGAP_BENCH_TARGET:-0.8}

die() { echo "healthz.sh: $*" >&2; exit 2; }

missing=
command -v wrk >/dev/null || missing="$missing wrk"
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
[ -z "$missing" ] || die "missing tools; install them with: apt-get install -y$missing"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"
[ -f "$here/nginx-healthz.conf" ] || die "bench/nginx-healthz.conf is missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-bench.XXXXXX")
nginx_pid= sigap_pid=
cleanup() {
	stop "$sigap_pid"
	stop "$nginx_pid"
	if [ "${SIGAP_BENCH_KEEP:-0}" = 1 ]; then echo "healthz.sh: files kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# wait_up PORT PID LOG: poll until the server answers 200 (bash's /dev/tcp, no curl needed).
wait_up() {
	local port=$1 pid=$2 log=$3 reply
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; return 1; }
		reply=$( (exec 3<>"/dev/tcp/127.0.0.1/$port" &&
			printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3 &&
			head -c 12 <&3) 2>/dev/null || true)
		[ "$reply" = "HTTP/1.1 200" ] && return 0
		sleep 0.1
	done
	cat "$log" >&2
	return 1
}

# ---- nginx
mkdir -p "$tmp/nginx"
nginx_port=$(free_port)
sed -e "s|@PORT@|$nginx_port|g" -e "s|@DIR@|$tmp/nginx|g" -e "s|^worker_processes .*|worker_processes $workers;|" \
	"$here/nginx-healthz.conf" >"$tmp/nginx/nginx.conf"
[ "${SIGAP_BENCH_NGINX_HEADERS:-0}" = 1 ] && sed -i 's|#@SECHDR@ ||' "$tmp/nginx/nginx.conf"
"$nginx_bin" -t -q -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" 2>"$tmp/nginx/check.log" ||
	{ cat "$tmp/nginx/check.log" >&2; die "nginx rejected the generated configuration"; }
"$nginx_bin" -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_up "$nginx_port" "$nginx_pid" "$tmp/nginx/error.log" || die "nginx did not start on port $nginx_port"

# ---- sigap
"$bin" init --db "$tmp/sigap.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
sigap_port=$(free_port)
"$bin" serve --db "$tmp/sigap.db" --listen "127.0.0.1:$sigap_port" --threads "$workers" --access-log '' \
	>"$tmp/sigap.log" 2>&1 &
sigap_pid=$!
wait_up "$sigap_port" "$sigap_pid" "$tmp/sigap.log" || die "sigap did not start on port $sigap_port"

# cpu_ticks PID...: user+system CPU time of these processes (all their threads), in clock ticks.
cpu_ticks() {
	local t=0 p f
	for p in "$@"; do
		f=$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		t=$((t + ${12} + ${13}))
	done
	echo $t
}
server_pids() { # the server's processes: sigap itself, nginx's master and its workers
	if [ "$1" = nginx ]; then echo "$nginx_pid" $(ps -o pid= --ppid "$nginx_pid"); else echo "$sigap_pid"; fi
}
hz=$(getconf CLK_TCK)
alive() { # NAME: is that server still running? If not, show how it ended and keep its files.
	local pid log st
	if [ "$1" = nginx ]; then pid=$nginx_pid log=$tmp/nginx/error.log; else pid=$sigap_pid log=$tmp/sigap.log; fi
	kill -0 "$pid" 2>/dev/null && return 0
	wait "$pid" 2>/dev/null && st=0 || st=$?
	if [ "$1" = nginx ]; then nginx_pid=; else sigap_pid=; fi
	echo "healthz.sh: $1 (pid $pid) exited with status $st$([ "$st" -gt 128 ] && echo " (signal $((st - 128)))"); its log:" >&2
	tail -n 30 "$log" >&2
	SIGAP_BENCH_KEEP=1
	return 1
}

# run_wrk PORT OUT PIDS...: one wrk run; prints "rps p50_ms p99_ms errors cpu_us_per_request".
to_ms() { # wrk latency like 512.00us, 1.23ms, 1.05s -> milliseconds
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
		else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}
run_wrk() {
	local port=$1 out=$2 rps p50 p99 errs reqs c0 c1
	shift 2
	c0=$(cpu_ticks "$@")
	wrk -t"$wrk_t" -c"$wrk_c" -d"$dur" --latency "http://127.0.0.1:$port/healthz" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed"; }
	rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(",", ""); n += $4 + $6 + $8 + $10 }
		END { print n + 0 }' "$out")
	c1=$(cpu_ticks "$@")
	reqs=$(awk '/requests in/ { print $1 }' "$out")
	[ -n "$rps" ] && [ -n "$reqs" ] || { cat "$out" >&2; die "could not read wrk's output"; }
	echo "$rps $(to_ms "$p50") $(to_ms "$p99") $errs" \
		"$(awk -v d=$((c1 - c0)) -v hz="$hz" -v n="$reqs" 'BEGIN { printf "%.2f", (n > 0 ? d * 1e6 / hz / n : 0) }')"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

echo "GET /healthz: wrk -t$wrk_t -c$wrk_c -d$dur, $workers workers each, $rounds rounds on $(nproc) CPUs"
echo "nginx $("$nginx_bin" -v 2>&1 | sed 's|.*/||') on :$nginx_port, sigap $("$bin" version 2>/dev/null | head -n1 | awk '{ print $NF }') on :$sigap_port"
if [ "$warmup" != 0 ]; then
	wrk -t"$wrk_t" -c"$wrk_c" -d"$warmup" "http://127.0.0.1:$nginx_port/healthz" >/dev/null 2>&1 || true
	wrk -t"$wrk_t" -c"$wrk_c" -d"$warmup" "http://127.0.0.1:$sigap_port/healthz" >/dev/null 2>&1 || true
	alive nginx || die "nginx died during the warm-up"
	alive sigap || die "sigap died during the warm-up"
fi

printf '\n%-6s %-6s %12s %10s %10s %8s %12s\n' run server 'req/s' 'p50 ms' 'p99 ms' errors 'CPU us/req'
for s in nginx sigap; do for m in rps p50 p99 cpu; do : >"$tmp/$s.$m"; done; done
for i in $(seq "$rounds"); do
	for s in nginx sigap; do
		if [ $s = nginx ]; then port=$nginx_port; else port=$sigap_port; fi
		read -r rps p50 p99 errs cpu < <(run_wrk "$port" "$tmp/wrk-$s-$i.txt" $(server_pids $s)) || true
		alive $s || die "$s died during run $i"
		[ -n "${cpu:-}" ] || die "run $i against $s failed"
		printf '%-6s %-6s %12.0f %10.3f %10.3f %8d %12.2f\n' "$i" "$s" "$rps" "$p50" "$p99" "$errs" "$cpu"
		echo "$rps" >>"$tmp/$s.rps"; echo "$p50" >>"$tmp/$s.p50"; echo "$p99" >>"$tmp/$s.p99"; echo "$cpu" >>"$tmp/$s.cpu"
	done
done

for s in nginx sigap; do
	printf '%-6s %-6s %12.0f %10.3f %10.3f %8s %12.2f\n' median $s "$(median <"$tmp/$s.rps")" \
		"$(median <"$tmp/$s.p50")" "$(median <"$tmp/$s.p99")" '' "$(median <"$tmp/$s.cpu")"
done
n_rps=$(median <"$tmp/nginx.rps"); s_rps=$(median <"$tmp/sigap.rps")
ratio=$(awk -v s="$s_rps" -v n="$n_rps" 'BEGIN { printf "%.3f", (n > 0 ? s / n : 0) }')
cpu_ratio=$(awk -v s="$(median <"$tmp/sigap.cpu")" -v n="$(median <"$tmp/nginx.cpu")" \
	'BEGIN { printf "%.3f", (s > 0 ? n / s : 0) }')
verdict=$(awk -v r="$ratio" -v t="$target" 'BEGIN { print (r >= t ? "PASS" : "FAIL") }')
echo
echo "sigap/nginx requests/s = $ratio (target >= $target): $verdict"
echo "nginx/sigap CPU per request = $cpu_ratio (the same ratio seen as server CPU cost; steadier on a busy machine)"
echo "(wrk and both servers share the same $(nproc) CPUs, load average now $(cut -d' ' -f1 /proc/loadavg);"
echo " compare ratios, not absolute numbers, and rerun when the load is high)"
exit 0
