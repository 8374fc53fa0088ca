"""
test_tls.py: sigap serving HTTPS itself (--tls-cert / --tls-key), so a small
Pemda needs no proxy: a TLS 1.2+ handshake, HTTP/2 offered by ALPN, the
Strict-Transport-Security header, Secure session cookies; and a clear
start-up error for an unusable certificate.
"""
import http.client
import os
import shutil
import socket
import ssl
import subprocess

import time

from harness import DEMO_PASSWORD, REPO, Server, backends, clean_env, free_port, run_sigap, sigap_bin, unique


class TlsServer(Server):
    """A server whose readiness is probed over HTTPS."""

    def start(self, timeout=15):
        self.port = free_port()
        cmd = [sigap_bin(), "serve", "--db", self.db.url, "--listen", "127.0.0.1:%d" % self.port,
               "--threads", "2", "--access-log", "", "--two-factor-roles", "none"] + self.args
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT, env=clean_env())
        deadline = time.time() + timeout
        while time.time() < deadline and self.proc.poll() is None:
            try:
                c = http.client.HTTPSConnection("127.0.0.1", self.port, context=context(), timeout=2)
                c.request("GET", "/healthz")
                if c.getresponse().status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.05)
        raise AssertionError("sigap serve (TLS) did not come up: %s" % self.log_text()[-2000:])


def make_cert(env):
    key = os.path.join(env.tmp, unique("key") + ".pem")
    crt = os.path.join(env.tmp, unique("crt") + ".pem")
    p = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                        "-days", "2", "-subj", "/CN=localhost"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    return crt, key


def context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


@backends("sqlite")
def test_https_with_http2_and_secure_cookies(env):
    if not shutil.which("openssl"):
        return
    crt, key = make_cert(env)
    srv = TlsServer(env.shared_db, env.tmp, args=["--tls-cert", crt, "--tls-key", key]).start()
    # ALPN offers h2: h2o speaks HTTP/2 over TLS
    ctx = context()
    ctx.set_alpn_protocols(["h2", "http/1.1"])
    with socket.create_connection(("127.0.0.1", srv.port), timeout=10) as raw:
        with ctx.wrap_socket(raw, server_hostname="localhost") as tls:
            assert tls.selected_alpn_protocol() == "h2", tls.selected_alpn_protocol()
            assert tls.version() in ("TLSv1.2", "TLSv1.3"), tls.version()
    # HTTP/1.1 over TLS
    c = http.client.HTTPSConnection("127.0.0.1", srv.port, context=context(), timeout=10)
    c.request("GET", "/healthz")
    r = c.getresponse()
    assert r.status == 200 and b'"ok"' in r.read()
    assert "max-age" in (r.getheader("strict-transport-security") or "")
    # the login form sets Secure cookies over TLS
    c.request("GET", "/t/52.71/masuk")
    r = c.getresponse()
    page = r.read().decode()
    cookies = [v for k, v in r.getheaders() if k.lower() == "set-cookie"]
    assert cookies and all("Secure" in v for v in cookies), cookies
    pre = [v.split(";")[0] for v in cookies if v.startswith("sigap_pre=")][0]
    csrf = page.split('name="_csrf" value="')[1].split('"')[0]
    body = "_csrf=%s&username=sekda&password=%s" % (csrf, DEMO_PASSWORD)
    c.request("POST", "/t/52.71/masuk", body=body,
              headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": pre})
    r = c.getresponse()
    r.read()
    assert r.status == 303, r.status
    session = [v for k, v in r.getheaders() if k.lower() == "set-cookie" and v.startswith("sigap_session=")]
    assert session and "Secure" in session[0] and "HttpOnly" in session[0], session
    c.close()
    srv.stop()


@backends("sqlite")
def test_unusable_certificate_is_a_clear_error(env):
    bad = os.path.join(env.tmp, unique("bad") + ".pem")
    with open(bad, "w") as f:
        f.write("not a certificate\n")
    p = run_sigap(["serve", "--listen", "127.0.0.1:%d" % free_port(), "--tls-cert", bad, "--tls-key", bad],
                  db=env.shared_db)
    assert p.returncode != 0 and "cannot use TLS certificate" in p.stderr, (p.returncode, p.stderr)
    p = run_sigap(["serve", "--listen", "127.0.0.1:%d" % free_port(), "--tls-cert", bad], db=env.shared_db)
    assert p.returncode == 2 and "tls-cert and tls-key must be given together" in p.stderr, p.stderr
