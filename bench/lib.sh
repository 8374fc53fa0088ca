# bench/lib.sh: helpers shared by the benchmark scripts (sourced, not run).

# stop PID: SIGTERM, wait up to 5 s, then SIGKILL; nothing when PID is empty or gone.
stop() {
	local pid=$1
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# free_port: a free loopback port (bind port 0 and report what the kernel chose).
free_port() {
	if command -v python3 >/dev/null; then
		python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
	elif command -v node >/dev/null; then
		node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'
	else
		echo $((20000 + RANDOM % 20000))
	fi
}
