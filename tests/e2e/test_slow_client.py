"""
test_slow_client.py: a phone on a slow line. A request whose body takes
longer than h2o's default request timeout (10 s) to arrive must still be
served: sigap sets the timeout from --request-timeout (180 s by default).
Before, such an upload (a complaint photo at 50 KB/s) was cut off with a
connection reset and everything typed was lost.
"""
import json
import socket
import time

import harness


def test_body_arriving_slowly_is_served(env):
    srv = env.server
    body = json.dumps({"nik": "5271014101900001"}).encode()
    head = ("POST /api/v1/nik/validate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body)).encode()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    t0 = time.time()
    try:
        s.sendall(head)
        pause = 12.0 / len(body)            # the whole body over about 12 s
        for i in range(len(body)):
            s.sendall(body[i:i + 1])
            time.sleep(pause)
        out = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            out += d
    finally:
        s.close()
    took = time.time() - t0
    assert took > 11, took
    assert out.startswith(b"HTTP/1.1 200"), out[:300]
    assert b'"valid"' in out, out[-300:]
