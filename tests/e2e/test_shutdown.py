"""
test_shutdown.py: graceful shutdown. A SIGTERM while requests are in
flight lets them finish with their normal answers, refuses new
connections, and the process exits 0 within the grace period; idle
keep-alive connections do not hold the shutdown up.
"""
import http.client
import signal
import socket
import threading
import time
import urllib.parse

from harness import DEMO_PASSWORD, TENANT, Client, known_bug, raw_statuses


def _slow_request(port, head, body, results, i, started):
    """Sends head and the first byte of body, waits for the go, sends the rest."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=15)
        s.sendall(head + body[:1])
        started.release()
        time.sleep(0.6)                  # the SIGTERM arrives in this pause
        s.sendall(body[1:])
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
            if b"\r\n\r\n" in out:
                hdr, _, rest = out.partition(b"\r\n\r\n")
                for line in hdr.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:") and len(rest) >= int(line.split(b":")[1]):
                        s.close()
                        results[i] = (raw_statuses(out), out)
                        return
        s.close()
        results[i] = (raw_statuses(out), out)
    except Exception as e:  # reported by the test
        results[i] = ([], repr(e).encode())
        started.release()


def test_sigterm_lets_in_flight_requests_finish(env):
    srv = env.start_server(args=["--shutdown-grace", "8"])
    port = srv.port
    body = b'{"nik":"5271015508900001"}'
    head = (b"POST /api/v1/nik/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body))
    n = 4
    results = [None] * n
    started = threading.Semaphore(0)
    threads = [threading.Thread(target=_slow_request, args=(port, head, body, results, i, started)) for i in range(n)]
    # logins take a while (password hashing): more requests in flight
    logins = [None] * 3

    def login(i):
        c = Client(port, ip="10.250.0.%d" % (i + 1))
        try:
            tok = c.get("/t/%s/masuk" % TENANT).csrf()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
            conn.connect()           # connected before the SIGTERM; the request goes out just before it
            go.wait()
            conn.request("POST", "/t/%s/masuk" % TENANT,
                         body=urllib.parse.urlencode({"_csrf": tok, "username": "warga", "password": DEMO_PASSWORD}),
                         headers={"Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": c.ip,
                                  "Cookie": "sigap_pre=" + c.cookies["sigap_pre"]})
            r = conn.getresponse()
            r.read()
            logins[i] = r.status
            conn.close()
        except Exception as e:
            logins[i] = repr(e)
    go = threading.Event()
    lthreads = [threading.Thread(target=login, args=(i,)) for i in range(len(logins))]
    for t in lthreads:
        t.start()
    for t in threads:
        t.start()
    for _ in range(n):
        started.acquire()
    time.sleep(0.2)          # every slow request has its headers on the server
    go.set()
    time.sleep(0.15)         # the logins are sent and being worked on (password hashing)
    t0 = time.time()
    took = srv.stop(timeout=15)
    for t in threads + lthreads:
        t.join(20)
    for i, (statuses, out) in enumerate(results):
        assert statuses == [200], "in-flight request %d got %r: %r" % (i, statuses, out[:300])
        assert b'"valid":true' in out, out[-300:]
    assert logins == [303] * len(logins), logins
    assert took < 8, "shutdown took %.1fs, beyond the grace period" % took
    assert time.time() - t0 < 10
    # the port is closed now
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        refused = False
    except OSError:
        refused = True
    assert refused, "the server still accepts connections after it exited"
    log = srv.log_text()
    assert "received SIGTERM" in log and "sigap stopped" in log, log[-800:]


def test_idle_keepalive_connections_do_not_delay_shutdown(env):
    srv = env.start_server(args=["--shutdown-grace", "5"])
    socks = []
    for _ in range(3):
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw_statuses(s.recv(65536)) == [200]
        socks.append(s)           # kept open, idle
    took = srv.stop(timeout=15)
    for s in socks:
        s.close()
    assert took < 3, "an idle server took %.1fs to stop" % took


def test_sigint_also_stops_cleanly(env):
    srv = env.start_server()
    Client(srv.port).get("/healthz").expect(200)
    srv.proc.send_signal(signal.SIGINT)
    rc = srv.proc.wait(10)
    assert rc == 0, rc
    assert "received SIGINT" in srv.log_text()
    srv.proc = None
    srv.log.close()


def test_sigterm_right_after_start_is_graceful(env):
    """A SIGTERM as soon as /healthz answers, a few times over: always exit 0."""
    db = env.new_db()
    outcomes = []
    for _ in range(8):
        srv = env.start_server(db=db)
        srv.proc.send_signal(signal.SIGTERM)
        rc = srv.proc.wait(15)
        srv.proc = None
        srv.log.close()
        outcomes.append(rc)
    assert outcomes == [0] * len(outcomes), "exit codes after SIGTERM: %r" % outcomes


def test_sighup_reopens_the_access_log_for_rotation(env):
    """logrotate moves the access log away and sends SIGHUP: the lines after it go to a new file
    at the old path, none is lost or split, and the server keeps serving (SIGHUP does not stop it)."""
    import os
    from harness import unique, wait_for
    log = os.path.join(env.tmp, unique("access") + ".log")
    srv = env.start_server(args=["--access-log", log])
    c = srv.client()
    c.get("/t/%s/pengaduan?sebelum=rotasi" % TENANT).expect(200)
    assert wait_for(lambda: os.path.exists(log) and "/pengaduan" in open(log).read())
    os.rename(log, log + ".1")
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "access log reopened" in srv.log_text()), srv.log_text()[-2000:]
    c.get("/t/%s/layanan" % TENANT).expect(200)
    assert wait_for(lambda: os.path.exists(log) and "/layanan" in open(log).read()), "no new access log"
    old, new = open(log + ".1").read(), open(log).read()
    assert "/layanan" not in old and "/pengaduan" not in new, (old, new)
    assert all(line.count(" ") >= 6 for line in (old + new).splitlines()), (old, new)
    # a path that cannot be opened any more: the old file is kept, and the server goes on
    os.rename(log, log + ".2")
    os.makedirs(log)
    srv.proc.send_signal(signal.SIGHUP)
    assert wait_for(lambda: "cannot reopen access log" in srv.log_text()), srv.log_text()[-2000:]
    c.get("/t/%s/layanan?lagi=1" % TENANT).expect(200)
    assert wait_for(lambda: open(log + ".2").read().count("/layanan") == 2)
    assert srv.proc.poll() is None
    assert srv.stop() < 20
