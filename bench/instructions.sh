#!/usr/bin/env bash
# Instructions per request, counted by valgrind's callgrind: a measure of sigap's own CPU work
# that does not drift with the machine's load the way requests per second do, for comparing two
# builds on the write path (durable POST /open311/v2/requests.json, the kota scenario of
# open311.sh) and the read path (GET /open311/v2/requests/1.json).
#
#   bench/instructions.sh                          # build/sigap alone
#   SIGAP_REF_BIN=/tmp/old/sigap bench/instructions.sh   # and a reference build, with the ratio
#
# Each binary starts on its own copy of the same warmed database (the demo data plus
# SIGAP_BENCH_WARM complaints filed natively first), runs under callgrind, takes a short warm-up,
# then the counters are zeroed and SIGAP_BENCH_POSTS POSTs (8 connections) and SIGAP_BENCH_GETS
# GETs (4 connections) are counted. It prints user-space instructions per request (the kernel's
# share, such as the network and the fsync, is not counted) and keeps the callgrind files when
# SIGAP_BENCH_KEEP=1 (callgrind_annotate FILE shows where they go). A benchmark: exits 0 whatever
# the figures. Needs valgrind and python3; about 2 minutes per binary.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
bin=${SIGAP_BIN:-$root/build/sigap}
ref=${SIGAP_REF_BIN:-}
posts=${SIGAP_BENCH_POSTS:-800}
gets=${SIGAP_BENCH_GETS:-4000}
warm=${SIGAP_BENCH_WARM:-3000}
die() { echo "instructions.sh: $*" >&2; exit 2; }
command -v valgrind >/dev/null || die "missing valgrind; install it with: apt-get install -y valgrind"
command -v callgrind_control >/dev/null || die "missing callgrind_control (package valgrind)"
[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"
[ -z "$ref" ] || [ -x "$ref" ] || die "reference binary '$ref' not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-instr.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ "${SIGAP_BENCH_KEEP:-0}" = 1 ]; then echo "instructions.sh: files kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

# the client: N requests over K keep-alive connections; prints how many got 200/201
cat >"$tmp/client.py" <<'EOF'
import http.client, random, sys, threading, urllib.parse
port, what, key, n, k = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
cases = [("sampah", "Sampah menumpuk di TPS dekat pasar belum diangkut sejak minggu lalu"),
         ("jalan", "Jalan berlubang besar di depan sekolah membahayakan pengendara motor"),
         ("pju", "Lampu penerangan jalan mati sudah tiga malam gelap dan rawan"),
         ("drainase", "Saluran air tersumbat sehingga banjir setiap hujan deras"),
         ("air", "Air PDAM tidak mengalir ke rumah warga sejak dua hari"),
         ("parkir", "Parkir liar di bahu jalan menyebabkan kemacetan setiap sore"),
         ("ketertiban", "Pedagang kaki lima menutup trotoar pejalan kaki terganggu"),
         ("lingkungan", "Pembakaran sampah plastik oleh warga asapnya mengganggu pernapasan")]
ok = [0]
lock = threading.Lock()
def worker(w, cnt):
    rnd = random.Random(w)
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    for i in range(cnt):
        if what == "post":
            cat, d = rnd.choice(cases)
            body = urllib.parse.urlencode({"jurisdiction_id": "52.71", "api_key": key, "service_code": cat,
                "lat": "%.6f" % (-8.62 + rnd.random() * 0.07), "long": "%.6f" % (116.06 + rnd.random() * 0.09),
                "description": "%s nomor %d-%d RT %d" % (d, w, i, rnd.randint(1, 30))})
            c.request("POST", "/open311/v2/requests.json", body, {"Content-Type": "application/x-www-form-urlencoded"})
        else:
            c.request("GET", "/open311/v2/requests/1.json?jurisdiction_id=52.71")
        r = c.getresponse()
        r.read()
        if r.status in (200, 201):
            with lock:
                ok[0] += 1
ts = [threading.Thread(target=worker, args=(w, n // k)) for w in range(k)]
[t.start() for t in ts]
[t.join() for t in ts]
print(ok[0])
EOF

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { # PORT PID
	for _ in $(seq 240); do
		kill -0 "$2" 2>/dev/null || return 1
		python3 -c "import http.client,sys; c=http.client.HTTPConnection('127.0.0.1',$1,timeout=2); c.request('GET','/healthz'); sys.exit(c.getresponse().status!=200)" 2>/dev/null && return 0
		sleep 0.5
	done
	return 1
}

# ---- the warmed database, made once with the binary under test
"$bin" init --db "$tmp/base.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init failed"; }
key=$("$bin" apikey create --tenant 52.71 --name bench --rate-limit 0 --db "$tmp/base.db" 2>/dev/null) || die "apikey create failed"
port=$(free_port)
"$bin" serve --db "$tmp/base.db" --listen "127.0.0.1:$port" --threads 2 --access-log '' --data-dir "$tmp/files" \
	>"$tmp/warm.log" 2>&1 &
wpid=$!
pids+=("$wpid")
wait_up "$port" "$wpid" || { cat "$tmp/warm.log" >&2; die "sigap did not start"; }
python3 "$tmp/client.py" "$port" post "$key" "$warm" 16 >/dev/null
kill "$wpid"
wait "$wpid" 2>/dev/null || true

# measure BIN TAG: prints "Ir/POST Ir/GET"
measure() {
	local b=$1 tag=$2 d=$tmp/$2 p vpid n tot_p tot_g
	mkdir -p "$d"
	cp "$tmp/base.db" "$d/p.db"
	[ ! -f "$tmp/base.db-wal" ] || cp "$tmp/base.db-wal" "$d/p.db-wal"
	p=$(free_port)
	valgrind --tool=callgrind --callgrind-out-file="$d/callgrind.out" "$b" serve --db "$d/p.db" \
		--listen "127.0.0.1:$p" --threads 2 --access-log '' --data-dir "$d/files" >"$d/serve.log" 2>&1 &
	vpid=$!
	pids+=("$vpid")
	wait_up "$p" "$vpid" || { cat "$d/serve.log" >&2; die "$tag: sigap under valgrind did not start"; }
	python3 "$tmp/client.py" "$p" post "$key" 200 8 >/dev/null
	callgrind_control -z "$vpid" >/dev/null 2>&1
	n=$(python3 "$tmp/client.py" "$p" post "$key" "$posts" 8)
	callgrind_control -d "$vpid" >/dev/null 2>&1
	[ "$n" -gt 0 ] || die "$tag: no POST succeeded"
	tot_p=$(callgrind_annotate "$d/callgrind.out.1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	python3 "$tmp/client.py" "$p" get "$key" 400 4 >/dev/null
	callgrind_control -z "$vpid" >/dev/null 2>&1
	g=$(python3 "$tmp/client.py" "$p" get "$key" "$gets" 4)
	callgrind_control -d "$vpid" >/dev/null 2>&1
	tot_g=$(callgrind_annotate "$d/callgrind.out.2" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
	kill "$vpid"
	wait "$vpid" 2>/dev/null || true
	echo "$((tot_p / n)) $((tot_g / g))"
}

echo "callgrind, user-space instructions per request ($posts POSTs over 8 connections, $gets GETs over 4; warmed with $warm complaints)"
read -r bp bg < <(measure "$bin" sigap)
printf '%-10s POST %10d   GET %8d   (%s)\n' sigap "$bp" "$bg" "$bin"
if [ -n "$ref" ]; then
	read -r rp rg < <(measure "$ref" reference)
	printf '%-10s POST %10d   GET %8d   (%s)\n' reference "$rp" "$rg" "$ref"
	echo "sigap/reference instructions: POST $(awk -v a="$bp" -v b="$rp" 'BEGIN { printf "%.3f", a / b }')," \
		"GET $(awk -v a="$bg" -v b="$rg" 'BEGIN { printf "%.3f", a / b }') (below 1: fewer)"
fi
exit 0
