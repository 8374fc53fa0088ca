#!/usr/bin/env bash
# Benchmark: what a wave of sign-ins does to everybody else. Every sign-in costs one argon2id hash
# (about 0.1 s of CPU and 64 MiB); sigap runs those on its compute threads (--compute-threads, at
# nice +5), not on the event loops. This measures a public read, GET /open311/v2/requests/1.json,
# with wrk (requests/s and p50/p99 latency) twice in the same run, with the same server:
#   1. quiet: nothing else happening (the reference);
#   2. storm: while SIGAP_BENCH_LOGINS clients sign in over and over (each: GET the form for its
#      CSRF token, POST the right password, 303 expected).
# and prints the storm/quiet ratios and the sign-ins per second reached meanwhile.
#
# It is a benchmark, not a test: it exits 0 whatever the figures, non-zero only when it cannot
# run. Installs nothing. Needs: wrk (Debian package wrk), python3, a built sigap.
#
# Environment (all optional):
#   SIGAP_BIN                sigap binary (default build/sigap under the repo root)
#   SIGAP_BENCH_WORKERS      sigap --threads (default 2)
#   SIGAP_BENCH_COMPUTE      sigap --compute-threads (default: sigap's own default)
#   SIGAP_BENCH_CONNECTIONS  wrk connections (default 16), one wrk thread
#   SIGAP_BENCH_DURATION     each wrk run (default 10s)
#   SIGAP_BENCH_LOGINS       concurrent signing-in clients during the storm (default 4)
#   SIGAP_BENCH_KEEP         1: keep the temp directory and print its path
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
bin=${SIGAP_BIN:-build/sigap}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
workers=${SIGAP_BENCH_WORKERS:-2}
conns=${SIGAP_BENCH_CONNECTIONS:-16}
dur=${SIGAP_BENCH_DURATION:-10s}
logins=${SIGAP_BENCH_LOGINS:-4}

die() { echo "login_storm.sh: $*" >&2; exit 2; }
command -v wrk >/dev/null || die "missing wrk; install it with: apt-get install -y wrk"
command -v python3 >/dev/null || die "missing python3"
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-login-storm.XXXXXX")
sigap_pid= storm_pid=
cleanup() {
	stop "$storm_pid"
	stop "$sigap_pid"
	if [ "${SIGAP_BENCH_KEEP:-0}" = 1 ]; then echo "login_storm.sh: files kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(free_port)
"$bin" init --db "$tmp/sigap.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
extra=()
[ -n "${SIGAP_BENCH_COMPUTE:-}" ] && extra=(--compute-threads "$SIGAP_BENCH_COMPUTE")
# --trust-proxy: each signing-in client claims its own address, so the per-address lockout
# (which only counts failures anyway) stays out of the picture
"$bin" serve --db "$tmp/sigap.db" --listen "127.0.0.1:$port" --threads "$workers" --access-log '' --two-factor-roles none \
	--trust-proxy --data-dir "$tmp/files" "${extra[@]}" >"$tmp/sigap.log" 2>&1 &
sigap_pid=$!
for _ in $(seq 100); do
	python3 - "$port" <<'EOF' 2>/dev/null && break
import sys, urllib.request
urllib.request.urlopen("http://127.0.0.1:%s/healthz" % sys.argv[1], timeout=1).read()
EOF
	kill -0 "$sigap_pid" 2>/dev/null || { cat "$tmp/sigap.log" >&2; die "sigap did not start"; }
	sleep 0.1
done
url="http://127.0.0.1:$port/open311/v2/requests/1.json?jurisdiction_id=52.71"

# the signing-in clients: the end-to-end tests' HTTP client (cookies, CSRF), standard library only
cat >"$tmp/storm.py" <<'EOF'
import sys, threading, time
sys.path.insert(0, sys.argv[1])
from harness import Client, DEMO_PASSWORD, TENANT
port, n, secs = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
count, bad, lock = [0], [0], threading.Lock()
stop = time.time() + secs
def run(i):
    k = 0
    while time.time() < stop:
        k += 1
        c = Client(port, ip="10.99.%d.%d" % (i, k % 250 + 1))
        form = c.get("/t/%s/masuk" % TENANT)
        r = c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": "petugas",
                                                 "password": DEMO_PASSWORD})
        with lock:
            if r.status == 303:
                count[0] += 1
            else:
                bad[0] += 1
ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
t0 = time.time()
for t in ts: t.start()
for t in ts: t.join()
print("%d %d %.2f" % (count[0], bad[0], time.time() - t0))
EOF

summary() { # wrk output -> "req/s p50 p99" (latencies in ms)
	awk '/^Requests\/sec:/ { rps = $2 }
	     function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	     $1 == "50%" { p50 = ms($2) } $1 == "99%" { p99 = ms($2) }
	     END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' "$1"
}
secs=${dur%s}
echo "GET $url: wrk -t1 -c$conns -d$dur; sigap --threads $workers${SIGAP_BENCH_COMPUTE:+ --compute-threads $SIGAP_BENCH_COMPUTE}; $(nproc) CPUs"
wrk -t1 -c"$conns" -d2s "$url" >/dev/null 2>&1 || true
wrk -t1 -c"$conns" -d"$dur" --latency "$url" >"$tmp/quiet.txt" 2>&1 || die "wrk failed"
python3 "$tmp/storm.py" "$root/tests/e2e" "$port" "$logins" "$((secs + 2))" >"$tmp/storm.out" 2>"$tmp/storm.err" &
storm_pid=$!
sleep 1
wrk -t1 -c"$conns" -d"$dur" --latency "$url" >"$tmp/storm.txt" 2>&1 || die "wrk failed"
wait "$storm_pid" || { cat "$tmp/storm.err" >&2; die "the signing-in clients failed"; }
storm_pid=
read -r q_rps q_p50 q_p99 <<<"$(summary "$tmp/quiet.txt")"
read -r s_rps s_p50 s_p99 <<<"$(summary "$tmp/storm.txt")"
read -r n_ok n_bad n_secs <<<"$(cat "$tmp/storm.out")"
printf '%-28s %10s %9s %9s\n' run 'req/s' 'p50 ms' 'p99 ms'
printf '%-28s %10s %9s %9s\n' "quiet (reference)" "$q_rps" "$q_p50" "$q_p99"
printf '%-28s %10s %9s %9s\n' "during $logins sign-in loops" "$s_rps" "$s_p50" "$s_p99"
awk -v a="$s_rps" -v b="$q_rps" -v c="$s_p99" -v d="$q_p99" 'BEGIN {
	printf "storm/quiet: requests/s %.2fx, p99 latency %.1fx\n", (b > 0 ? a / b : 0), (d > 0 ? c / d : 0) }'
awk -v n="$n_ok" -v bad="$n_bad" -v s="$n_secs" 'BEGIN {
	printf "sign-ins meanwhile: %d in %.1f s = %.1f/s (%d not 303)\n", n, s, (s > 0 ? n / s : 0), bad }'
echo "(wrk, the signing-in clients and sigap share the same $(nproc) CPUs)"
exit 0
