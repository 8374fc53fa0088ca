#!/usr/bin/env bash
# Runs sigap's browser tests (tests/browser/*.test.mjs) against a real server: installs the npm
# dependencies if any that package.json lists is missing (npm ci from the committed lock:
# playwright-core with no browser download, and axe-core for a11y.test.mjs), creates a throw-away
# demo database with `sigap init --demo`, starts `sigap serve` on a free loopback port, runs the tests with Node's test runner and the base URL
# in SIGAP_BASE_URL, then stops the server with SIGTERM. Exits non-zero if anything fails.
#
# Environment:
#   SIGAP_BIN        the sigap binary (default: build/sigap under the repo root)
#   SIGAP_CHROMIUM   the browser (default: /usr/bin/chromium, Debian's package "chromium")
#   SIGAP_SCREENSHOT where the dashboard screenshot goes (default: /tmp/sigap-dashboard.png)
#   Extra arguments are passed to `node --test` (e.g. --test-name-pattern=wrong).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SIGAP_BIN:-build/sigap}
case $bin in /*) ;; *) bin=$root/$bin ;; esac

die() { echo "run.sh: $*" >&2; exit 1; }

[ -x "$bin" ] || die "sigap binary '$bin' not found; build it (ninja -C build) or set SIGAP_BIN"
command -v node >/dev/null || die "node not found; install Debian's nodejs and npm"
chrome=${SIGAP_CHROMIUM:-/usr/bin/chromium}
[ -x "$chrome" ] || die "browser '$chrome' not found; install Debian's chromium or set SIGAP_CHROMIUM"

# every package in package.json's dependencies and devDependencies must be in node_modules
missing=$(cd "$here" && node -e '
const p = require("./package.json"), fs = require("fs");
const names = Object.keys({ ...p.dependencies, ...p.devDependencies });
console.log(names.filter((n) => !fs.existsSync("node_modules/" + n + "/package.json")).join(" "));')
if [ -n "$missing" ]; then
	command -v npm >/dev/null || die "npm not found; install Debian's npm"
	echo "run.sh: installing npm dependencies (missing: $missing)" >&2
	export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
	if [ -f "$here/package-lock.json" ]; then
		(cd "$here" && npm ci --no-audit --no-fund) >&2
	else
		(cd "$here" && npm install --no-audit --no-fund) >&2
	fi
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sigap-browser.XXXXXX")
pid=
cleanup() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && { echo "run.sh: sigap ignored SIGTERM, killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; }
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$bin" init --db "$tmp/sigap.db" --demo >"$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; die "sigap init --demo failed"; }

# A free port: ask the kernel for one, then retry a few times in case another process takes it
# between the probe and sigap's bind.
free_port() {
	node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
}

url=
for attempt in 1 2 3 4 5; do
	port=$(free_port)
	# two-step sign-in only for dprd, whom twofa.test.mjs enrols (no other journey signs in as dprd)
	"$bin" serve --db "$tmp/sigap.db" --listen "127.0.0.1:$port" --threads 2 --two-factor-roles dprd >"$tmp/serve.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		if ! kill -0 "$pid" 2>/dev/null; then break; fi
		if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' \
			"http://127.0.0.1:$port/healthz" 2>/dev/null; then
			url=http://127.0.0.1:$port
			break
		fi
		sleep 0.1
	done
	[ -n "$url" ] && break
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
	echo "run.sh: sigap did not start on port $port (attempt $attempt):" >&2
	cat "$tmp/serve.log" >&2
done
[ -n "$url" ] || die "could not start sigap"
echo "run.sh: sigap is up at $url" >&2

status=0
# the database and the binary too, for a journey that needs a fresh account (sigap user add) or
# moves a row's time back (keys.test.mjs: the day between a key's retirement and the new key)
(cd "$here" && SIGAP_BASE_URL=$url SIGAP_TEST_DB=$tmp/sigap.db SIGAP_TEST_BIN=$bin node --test "$@" ./*.test.mjs) || status=$?

if [ $status -ne 0 ]; then
	echo "run.sh: browser tests failed; server log:" >&2
	tail -n 50 "$tmp/serve.log" >&2
fi
exit $status
