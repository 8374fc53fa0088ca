"""
test_webhooks.py: webhooks end to end (docs/webhooks.md). A tenant's
administrator adds an endpoint through the web form (the signing secret is
shown once); a complaint filed and answered reaches a local HTTP sink as
signed batches of thin events, in order, without personal data; a sink that
answers 500 gets the same events again later (at least once, nothing lost);
an endpoint receives only its groups and only its own tenant's events; a
suspended tenant's deliveries wait; a day of failures marks an endpoint
failing for its administrator. The form refuses a loopback URL without
webhook-allow-private, requires the CSRF token, and is the administrator's
alone.
"""
import contextlib
import hashlib
import hmac
import http.server
import json
import os
import re
import subprocess
import tempfile
import threading
import time

from harness import REPO, TENANT, TENANT2, check_sigap, wait_for
from test_mail import verify_and_answer

PUBLIC = "https://sigap.example.id"
ADMIN = "/t/%s/admin/webhook" % TENANT


class Sink:
    """An HTTP server on 127.0.0.1 that records every POST (path, headers,
    body) and answers `status` (200 unless a test sets another)."""

    def __init__(self):
        self.requests, self.status = [], 200
        self.lock = threading.Lock()
        sink = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body,
                                          sink.status))
                    status = sink.status
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def got(self, path, ok_only=True):
        """The requests to path (those answered 2xx unless ok_only is False)."""
        with self.lock:
            return [r for r in self.requests if r[0] == path and (not ok_only or 200 <= r[3] < 300)]

    def events(self, path):
        """Every event delivered (answered 2xx) to path, in the order sent."""
        return [e for r in self.got(path) for e in json.loads(r[2])["events"]]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def sink_and_server(env):
    """A sink, a fresh database and a server on it that sweeps every second and may send to
    the sink (webhook-allow-private, webhook-allow-http)."""
    sink = Sink()
    try:
        db = env.new_db()
        yield sink, db, env.start_server(db, args=["--sweep-interval", "1", "--public-url", PUBLIC,
                                                   "--webhook-allow-private", "1", "--webhook-allow-http", "1"])
    finally:
        sink.close()


def add_endpoint(srv, url, groups=("g_pengaduan",), tenant=TENANT, expect=201):
    """The administrator adds an endpoint through the form; returns (response, secret)."""
    c = srv.client()
    c.login(tenant, "admin")
    page = c.get("/t/%s/admin/webhook" % tenant).expect(200, contains="Tambah webhook")
    # (these servers allow http:// and internal addresses, and the form's hint says so: it said
    # "https:// and a public address" whatever the server allowed)
    assert "Harus https:// atau http://, misalnya" in page.text and "jaringan dalam" in page.text, page.text
    fields = {"_csrf": page.csrf(), "url": url}
    fields.update({g: "1" for g in groups})
    r = c.post_form("/t/%s/admin/webhook" % tenant, fields)
    assert r.status == expect, (r.describe(), r.text[:1500])
    m = re.search(r"whsec_[0-9a-f]{64}", r.text)
    return r, (m.group(0) if m else None)


def open311_complaint(srv, db, email):
    """A complaint through Open311 with the reporter's e-mail address (personal data); its id."""
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "wh-" + email], db=db).stdout.strip()
    r = srv.client().post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837", "long": "116.1165",
        "description": "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan", "email": email})
    assert r.status == 200, (r.status, r.text[:300])
    return r.json()[0]["service_request_id"]


def wita(ts):
    """A time as the admin pages write it for Kota Mataram (UTC+8)."""
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(ts + 8 * 3600)) + " WITA"


def check_signature(req, secret):
    _path, headers, body, _status = req
    ts = headers["x-sigap-timestamp"]
    assert abs(int(ts) - time.time()) < 120, ts
    want = "sha256=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["x-sigap-signature"], want), (headers, want)
    assert headers["content-type"] == "application/json"
    assert headers["x-sigap-event-id"] == json.loads(body)["events"][0]["id"]


def test_events_of_a_complaint_reach_the_endpoint_signed_and_thin(env):
    with sink_and_server(env) as (sink, db, srv):
        r, secret = add_endpoint(srv, sink.url("/hook"))
        assert secret, r.text[:2000]
        assert "Salin rahasia penandatanganan ini sekarang." in r.text
        assert "no-store" in (r.header("cache-control") or "")
        hid = int(db.sql("SELECT id FROM webhooks WHERE tenant = '%s'" % TENANT)[0][0])
        # audited, with the host but not the path or the secret
        rows = db.sql("SELECT actor, summary FROM audit_log WHERE tenant = '%s' AND action = 'webhook.create' AND "
                      "object = 'webhook:%d'" % (TENANT, hid))
        assert [tuple(x) for x in rows] == [("admin", "127.0.0.1:%d pengaduan" % sink.port)], rows
        # it starts at the head of the chain, its own entry: none of the history is sent
        cursor = int(db.sql("SELECT cursor_seq FROM webhooks WHERE id = %d" % hid)[0][0])
        made = int(db.sql("SELECT seq FROM audit_log WHERE tenant = '%s' AND object = 'webhook:%d'" % (TENANT, hid))[0][0])
        assert cursor == made and made > 1000, (cursor, made)
        # the secret is shown once: never on the list again
        c = srv.client()
        c.login(TENANT, "admin")
        lst = c.get(ADMIN).expect(200, contains=sink.url("/hook"))
        assert secret not in lst.text and "whsec_" not in lst.text

        email = "warga.webhook@example.id"
        cid = open311_complaint(srv, db, email)
        verify_and_answer(srv, cid, "KTP-el Anda sudah dicetak, ambil di loket 3.")
        want = ["complaints.create", "complaints.jawab"]
        assert wait_for(lambda: [e["event"] for e in sink.events("/hook")][-1:] == ["complaints.jawab"]), \
            sink.requests
        events = sink.events("/hook")
        kinds = [e["event"] for e in events]
        assert kinds[0] == want[0] and kinds[-1] == want[1] and set(kinds) <= {"complaints.create",
                                                                           "complaints.verifikasi",
                                                                           "complaints.jawab"}, kinds
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(set(seqs)) and seqs[0] > cursor, seqs
        # the events are exactly those of the audit log, and nothing else
        audit = db.sql("SELECT seq, action, object FROM audit_log WHERE tenant = '%s' AND seq > %d AND action LIKE "
                       "'complaints.%%' ORDER BY seq" % (TENANT, cursor))
        assert [(int(s), a, o) for s, a, o in audit] == [(e["seq"], e["event"], e["object"]) for e in events]
        for e in events:
            assert set(e) == {"id", "tenant", "seq", "time", "event", "object", "url"}, e
            assert e["id"] == "%s-%d" % (TENANT, e["seq"]) and e["tenant"] == TENANT
            assert e["object"] == "complaint:%s" % cid
            assert e["url"] == "%s/t/%s/pengaduan/%s" % (PUBLIC, TENANT, cid)
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", e["time"]), e
        for req in sink.got("/hook"):
            check_signature(req, secret)
            body = req[2].decode()
            # no personal data, no summary, no actor
            for secretish in (email, "KTP-el", "52.71/ADU/", "koordinator", "petugas", "warga.webhook"):
                assert secretish not in body, (secretish, body)
            assert len(json.loads(body)["events"]) <= 100
        # the administrator's list: active, delivered, nothing waiting
        assert wait_for(lambda: db.sql("SELECT last_status FROM webhooks WHERE id = %d" % hid)[0][0] in (200, "200"))
        # (a delivery of an earlier batch may answer 200 while the last batch still waits for its turn
        # on a loaded machine: wait for the list to say nothing waits, rather than read it once)
        assert wait_for(lambda: re.search(r'data-label="Menunggu">0<', c.get(ADMIN).expect(200).text), secs=15), \
            c.get(ADMIN).text
        lst = c.get(ADMIN).expect(200)
        assert ">aktif<" in lst.text and "HTTP 200" in lst.text, lst.text
        # no secret in the server's log either
        assert secret not in srv.log_text()


def doc_blocks(lang):
    """The code blocks of docs/webhooks.md in that language, as written."""
    with open(os.path.join(REPO, "docs", "webhooks.md"), encoding="utf-8") as f:
        return re.findall(r"```%s\n(.*?)```" % lang, f.read(), re.S)


class Headers(dict):
    """Header names in any case, as a receiver's web framework gives them."""

    def __getitem__(self, name):
        return dict.__getitem__(self, name.lower())


def test_the_documented_verifiers_accept_a_delivery(env):
    """An integrator writes the signature check from docs/webhooks.md alone: its Python function and
    its openssl line, run as written, accept a real delivery and refuse it changed."""
    python = [b for b in doc_blocks("python") if "def verify(" in b]
    shell = [b for b in doc_blocks("sh") if "openssl dgst" in b]
    assert len(python) == 1 and len(shell) == 1, (python, shell)
    ns = {}
    exec(python[0], ns)
    verify = ns["verify"]
    with sink_and_server(env) as (sink, db, srv):
        _r, secret = add_endpoint(srv, sink.url("/doc"))
        open311_complaint(srv, db, "warga.dok@example.id")
        assert wait_for(lambda: sink.got("/doc")), sink.requests
        _path, headers, body, _status = sink.got("/doc")[0]
        h = Headers(headers)
        assert verify(secret, h, body) is True
        assert verify(secret, h, body.replace(b"complaints.create", b"complaints.jawab")) is False
        assert verify("whsec_" + "0" * 64, h, body) is False
        # a replay: the same request signed long ago
        old = int(h["X-Sigap-Timestamp"]) - 3600
        signed = "sha256=" + hmac.new(secret.encode(), str(old).encode() + b"." + body, hashlib.sha256).hexdigest()
        assert verify(secret, Headers(headers, **{"x-sigap-timestamp": str(old), "x-sigap-signature": signed}),
                      body) is False
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "body.json"), "wb") as f:
                f.write(body)
            out = subprocess.run(["sh", "-c", shell[0]], cwd=d, capture_output=True, text=True, check=True,
                                 env=dict(os.environ, TIMESTAMP=h["X-Sigap-Timestamp"], SECRET=secret)).stdout
        assert out.strip() == h["X-Sigap-Signature"], (out, headers)


def test_events_go_out_soon_after_their_commit_not_at_the_next_sweep(env):
    """The commit that appends a webhook's event wakes the outbox: with sweeps an hour apart, the
    complaint's event still reaches the endpoint within seconds; a change no webhook carries (a
    setting) sends nothing."""
    sink = Sink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--sweep-interval", "3600", "--public-url", PUBLIC,
                                         "--webhook-allow-private", "1", "--webhook-allow-http", "1"])
        _r, secret = add_endpoint(srv, sink.url("/soon"))
        assert secret
        started = time.time()
        cid = open311_complaint(srv, db, "warga.segera@example.id")
        assert wait_for(lambda: sink.events("/soon"), secs=10), "no event within 10 s of the commit"
        took = time.time() - started
        events = sink.events("/soon")
        assert [(e["event"], e["object"]) for e in events] == [("complaints.create", "complaint:%s" % cid)], events
        check_signature(sink.got("/soon")[0], secret)
        assert took < 10, took
        # the next event of the same endpoint goes as promptly (at most one run a second)
        verify_and_answer(srv, cid, "Sudah kami tindak lanjuti.")
        assert wait_for(lambda: [e["event"] for e in sink.events("/soon")][-1:] == ["complaints.jawab"], secs=10), \
            sink.requests
        n = len(sink.got("/soon"))
        # the administrator's list says it was delivered; the job's runs show in the metrics' source
        assert wait_for(lambda: db.sql("SELECT last_status FROM webhooks WHERE tenant = '%s'" % TENANT)[0][0]
                        in (200, "200"))
        time.sleep(2)
        assert len(sink.got("/soon")) == n, sink.requests
    finally:
        sink.close()


def test_failures_are_retried_in_order_and_groups_and_tenants_are_kept_apart(env):
    with sink_and_server(env) as (sink, db, srv):
        _r, secret = add_endpoint(srv, sink.url("/a"))                             # complaints
        add_endpoint(srv, sink.url("/b"), groups=("g_layanan", "g_usulan"))        # not complaints
        add_endpoint(srv, sink.url("/c"), groups=("g_pengaduan", "g_layanan", "g_usulan"), tenant=TENANT2)
        ids = {path: int(db.sql("SELECT id FROM webhooks WHERE url = '%s'" % sink.url(path))[0][0])
               for path in ("/a", "/b", "/c")}
        sink.status = 500
        cid = open311_complaint(srv, db, "warga.satu@example.id")
        assert wait_for(lambda: sink.got("/a", ok_only=False)), sink.requests
        failed = sink.got("/a", ok_only=False)[0]
        first = json.loads(failed[2])["events"]
        assert [e["event"] for e in first] == ["complaints.create"], first
        check_signature(failed, secret)
        # the cursor stays; the next attempt is a minute away, with the reason kept (once the
        # server has written down the answer the sink gave)
        assert wait_for(lambda: int(db.sql("SELECT attempts FROM webhooks WHERE id = %d" % ids["/a"])[0][0]) == 1)
        row = db.sql("SELECT cursor_seq, attempts, last_status, next_at, failing_since, last_error FROM webhooks "
                     "WHERE id = %d" % ids["/a"])[0]
        assert int(row[0]) < first[0]["seq"] and int(row[1]) == 1 and int(row[2]) == 500, row
        assert 50 <= int(row[3]) - time.time() <= 61 and int(row[4]) > 0 and row[5] == "HTTP 500", row
        time.sleep(2.5)
        assert len(sink.got("/a", ok_only=False)) == 1, "retried before its time"
        lst = srv.client()
        lst.login(TENANT, "admin")
        # and when: the backoff grows to 6 hours, and whoever fixes the receiver must know
        # whether to wait or to press "Kirim uji"
        assert "pengiriman terakhir gagal, dicoba lagi %s" % wita(int(row[3])) in lst.get(ADMIN).expect(200).text
        # more happens meanwhile; then the sink is back and the minute has passed
        verify_and_answer(srv, cid, "Sudah dicetak.")
        sink.status = 200
        db.sql("UPDATE webhooks SET next_at = 0 WHERE id = %d" % ids["/a"])
        assert wait_for(lambda: [e["event"] for e in sink.events("/a")][-1:] == ["complaints.jawab"]), sink.requests
        got = sink.events("/a")
        # the failed batch's event again, first, and everything after it, once, in order
        assert got[0]["id"] == first[0]["id"], got
        seqs = [e["seq"] for e in got]
        assert seqs == sorted(set(seqs)), seqs
        audit = [int(s) for (s,) in db.sql("SELECT seq FROM audit_log WHERE tenant = '%s' AND action LIKE "
                                           "'complaints.%%' AND seq >= %d ORDER BY seq" % (TENANT, seqs[0]))]
        assert seqs == audit, (seqs, audit)
        assert wait_for(lambda: int(db.sql("SELECT attempts FROM webhooks WHERE id = %d" % ids["/a"])[0][0]) == 0)
        row = db.sql("SELECT attempts, failing_since, last_status FROM webhooks WHERE id = %d" % ids["/a"])[0]
        assert int(row[0]) == 0 and row[1] in (None, "") and int(row[2]) == 200, row
        # the other groups' endpoint got nothing, but its cursor passed the complaint's entries
        assert wait_for(lambda: int(db.sql("SELECT cursor_seq FROM webhooks WHERE id = %d" % ids["/b"])[0][0])
                        >= seqs[-1])
        assert sink.got("/b", ok_only=False) == []
        # the other tenant's endpoint got nothing of this tenant
        assert sink.got("/c", ok_only=False) == []

        # a suspended Pemda's deliveries wait, and go out when it resumes: an event made
        # while the endpoint was not due, then the suspension
        db.sql("UPDATE webhooks SET next_at = %d WHERE id = %d" % (time.time() + 3600, ids["/a"]))
        open311_complaint(srv, db, "warga.tiga@example.id")
        n = len(sink.events("/a"))
        check_sigap(["tenant", "suspend", TENANT, "--reason", "uji webhook"], db=db)
        db.sql("UPDATE webhooks SET next_at = 0 WHERE id = %d" % ids["/a"])
        time.sleep(3)
        assert len(sink.events("/a")) == n, sink.events("/a")[n:]
        check_sigap(["tenant", "resume", TENANT], db=db)
        assert wait_for(lambda: len(sink.events("/a")) == n + 1), sink.events("/a")[n:]
        assert sink.events("/a")[-1]["event"] == "complaints.create"


def test_a_day_of_failures_marks_the_endpoint_failing(env):
    with sink_and_server(env) as (sink, db, srv):
        add_endpoint(srv, sink.url("/down"))
        hid = int(db.sql("SELECT id FROM webhooks")[0][0])
        sink.status = 503
        open311_complaint(srv, db, "warga.dua@example.id")
        assert wait_for(lambda: int(db.sql("SELECT attempts FROM webhooks WHERE id = %d" % hid)[0][0]) == 1)
        # a day of failures already behind it: the next failure marks it failing
        db.sql("UPDATE webhooks SET failing_since = %d, next_at = 0 WHERE id = %d" % (time.time() - 90000, hid))
        assert wait_for(lambda: db.sql("SELECT failed_at FROM webhooks WHERE id = %d" % hid)[0][0] not in (None, 0, "0"))
        row = db.sql("SELECT next_at, attempts FROM webhooks WHERE id = %d" % hid)[0]
        assert int(row[0]) - time.time() > 6 * 3600 - 60, row      # retried at the longest interval
        c = srv.client()
        c.login(TENANT, "admin")
        since = int(db.sql("SELECT failing_since FROM webhooks WHERE id = %d" % hid)[0][0])
        assert "gagal sejak %s; dicoba lagi %s" % (wita(since), wita(int(row[0]))) in c.get(ADMIN).expect(200).text
        # the administrators hear of it once, on their dashboard
        notes = db.sql("SELECT role, object FROM notifications WHERE tenant = '%s' AND kind = 'webhook'" % TENANT)
        assert [tuple(x) for x in notes] == [("admin", "webhook:%d" % hid)], notes
        assert "Webhook gagal dikirim selama sehari" in c.get("/t/%s/dasbor" % TENANT).expect(200).text


def test_the_form_refuses_and_guards(env):
    db = env.new_db()
    srv = env.start_server(db, args=["--sweep-interval", "0"])
    c = srv.client()
    c.login(TENANT, "admin")
    page = c.get(ADMIN).expect(200)
    # the form's hint says the rule this server applies: the strict one here
    assert "Harus https:// dan menuju alamat publik" in page.text, page.text
    # a link from the administration menu and the overview page
    assert 'href="%s"' % ADMIN in page.text
    assert 'href="%s"' % ADMIN in c.get("/t/%s/admin" % TENANT).expect(200).text
    for url, msg in (("http://127.0.0.1:9/hook", "alamat webhook harus diawali https://"),
                     ("https://127.0.0.1:9/hook", "jaringan internal"),
                     ("https://[::1]/hook", "jaringan internal"),
                     ("https://169.254.169.254/latest", "jaringan internal"),
                     ("https://10.1.2.3/hook", "jaringan internal"),
                     ("https://localhost/hook", "jaringan internal"),
                     ("https://user:sandi@93.184.216.34/hook", "nama pengguna"),
                     ("bukan-alamat", "tidak valid"),
                     ("", "wajib diisi")):
        r = c.post_form(ADMIN, {"_csrf": page.csrf(), "url": url, "g_pengaduan": "1"}).expect(400, contains=msg)
        assert url in r.text or not url        # what was typed stays in the form
    c.post_form(ADMIN, {"_csrf": page.csrf(), "url": "https://93.184.216.34/hook"}).expect(
        400, contains="pilih sedikitnya satu kelompok peristiwa")
    c.post_form(ADMIN, {"_csrf": page.csrf(), "url": "https://93.184.216.34/hook", "g_usulan": "ya"}).expect(
        400, contains="pilihan kelompok peristiwa tidak valid")
    # in English
    c.cookies["lang"] = "en"
    c.post_form(ADMIN, {"_csrf": page.csrf(), "url": "https://127.0.0.1/x", "g_pengaduan": "1"}).expect(
        400, contains="only public addresses are allowed")
    c.cookies.pop("lang")
    # the CSRF token is required
    r = c.post_form(ADMIN, {"url": "https://93.184.216.34/hook", "g_pengaduan": "1"})
    assert r.status == 403, r.describe()
    r = c.post_form(ADMIN, {"_csrf": "0" * 64, "url": "https://93.184.216.34/hook", "g_pengaduan": "1"})
    assert r.status == 403, r.describe()
    assert db.sql("SELECT COUNT(*) FROM webhooks")[0][0] in (0, "0")
    # a public address is taken (no lookup, no delivery here)
    r = c.post_form(ADMIN, {"_csrf": page.csrf(), "url": "https://93.184.216.34/hook", "g_pengaduan": "1"}).expect(201)
    hid = int(db.sql("SELECT id FROM webhooks")[0][0])
    # nobody else: a non-admin official, a citizen, another tenant's admin
    for tenant, user in ((TENANT, "petugas"), (TENANT, "warga"), (TENANT, "sekda")):
        o = srv.client()
        o.login(tenant, user)
        o.get(ADMIN).expect(403)
        o.post_form(ADMIN, {"_csrf": o.session_csrf(TENANT), "url": "https://93.184.216.34/x", "g_pengaduan": "1"}
                    ).expect(403)
        o.get(ADMIN + "/%d/hapus" % hid).expect(403)
    d = srv.client()
    d.login(TENANT2, "admin")
    other = d.get("/t/%s/admin/webhook" % TENANT2).expect(200)
    assert "93.184.216.34" not in other.text
    d.get("/t/%s/admin/webhook/%d/hapus" % (TENANT2, hid)).expect(404)
    d.post_form("/t/%s/admin/webhook/%d/hapus" % (TENANT2, hid), {"_csrf": other.csrf(), "version": "1"}).expect(404)
    # removal: asked first; a stale version is a 409; then removed and audited
    conf = c.get(ADMIN + "/%d/hapus" % hid).expect(200, contains="Hapus webhook ini?")
    c.post_form(ADMIN + "/%d/hapus" % hid, {"_csrf": conf.csrf(), "version": "2"}).expect(409)
    c.post_form(ADMIN + "/%d/hapus" % hid, {"_csrf": conf.csrf(), "version": "x"}).expect(400)
    r = c.post_form(ADMIN + "/%d/hapus" % hid, {"_csrf": conf.csrf(), "version": "1"}).expect(303)
    assert r.header("location") == ADMIN + "?ok=hapus"
    assert db.sql("SELECT COUNT(*) FROM webhooks")[0][0] in (0, "0")
    assert db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.remove' AND object = 'webhook:%d'" % hid
                  )[0][0] in (1, "1")
    c.post_form(ADMIN + "/%d/hapus" % hid, {"_csrf": conf.csrf(), "version": "1"}).expect(404)


def send_test(c, action, csrf, hid):
    """Presses "Kirim uji": the POST answers 303 to the list (Post/Redirect/Get), whose page shows
    the result; returns that page."""
    r = c.post_form(action, {"_csrf": csrf})
    assert r.status == 303 and r.header("location") == "%s?uji=%d" % (ADMIN, hid), r.describe()
    (line,) = [x for x in r.header_all("set-cookie") if x.startswith("sigap_uji=")]
    assert "; Path=%s;" % ADMIN in line and "; HttpOnly" in line and "Max-Age=120" in line, line
    return c.get(r.header("location")).expect(200)


def test_send_a_test_event(env):
    """"Kirim uji": the administrator sends the endpoint one signed event "webhook.test" at once
    and sees what its receiver answered (accepted with its status and time, or not accepted with
    the reason); nothing is stored, the cursor stays. Only with the form's CSRF token, only the
    administrator, only this Pemda's endpoints. The POST redirects (303) to the list, which shows
    the result, so reloading that page sends nothing again (it answered 200 with the page, and a
    reload sent another test)."""
    with sink_and_server(env) as (sink, db, srv):
        _, secret = add_endpoint(srv, sink.url("/uji"))
        hid = int(db.sql("SELECT id FROM webhooks WHERE tenant = '%s'" % TENANT)[0][0])
        before = db.sql("SELECT version FROM webhooks WHERE id = %d" % hid)
        audit_n = int(db.sql("SELECT MAX(seq) FROM audit_log WHERE tenant = '%s'" % TENANT)[0][0])
        c = srv.client()
        c.login(TENANT, "admin")
        lst = c.get(ADMIN).expect(200, contains="Kirim uji")
        action = "%s/%d/uji" % (ADMIN, hid)
        assert 'action="%s"' % action in lst.text, lst.text
        page = send_test(c, action, lst.csrf(), hid)
        accepted = r'class="notice">peristiwa uji diterima oleh %s: HTTP 200 dalam \d+,\d\d detik' % re.escape(
            sink.url("/uji"))
        assert re.search(accepted, page.text), page.text
        # a reload shows the result again and sends nothing
        again = c.get("%s?uji=%d" % (ADMIN, hid)).expect(200)
        assert re.search(accepted, again.text), again.text
        assert len(sink.got("/uji", ok_only=False)) == 1
        # the result is this browser's, for this endpoint's address only
        assert "peristiwa uji" not in c.get(ADMIN).expect(200).text
        assert "peristiwa uji" not in c.get("%s?uji=%d" % (ADMIN, hid + 1)).expect(200).text
        other = srv.client()
        other.login(TENANT, "admin")
        assert "peristiwa uji" not in other.get("%s?uji=%d" % (ADMIN, hid)).expect(200).text
        # a cookie that does not parse shows nothing, and breaks nothing
        for bad in ("x", "%d" % hid, "%d.a.200" % hid, "%d.z.200.1.0." % hid, "%d.a.2000.1.0." % hid,
                    "%d.r.503.1.0.%%FF" % hid, "%d.r.503.1.0.%%zz" % hid):
            other.cookies["sigap_uji"] = bad
            assert "peristiwa uji" not in other.get("%s?uji=%d" % (ADMIN, hid)).expect(200).text, bad
        (req,) = sink.got("/uji")
        check_signature(req, secret)
        (ev,) = json.loads(req[2])["events"]
        assert ev["event"] == "webhook.test" and ev["seq"] == 0 and ev["object"] == "" and ev["tenant"] == TENANT, ev
        assert re.fullmatch(r"%s-test-\d+" % re.escape(TENANT), ev["id"]), ev
        # the receiver refuses: said so, with its status
        sink.status = 503
        page = send_test(c, action, lst.csrf(), hid)
        assert re.search(r'class="alert" role="alert">peristiwa uji tidak diterima oleh %s: HTTP 503 \(setelah '
                         r'\d+,\d\d detik\)' % re.escape(sink.url("/uji")), page.text), page.text
        # in English for an English reader
        c.get("/bahasa/en?next=%2F").expect(303)
        sink.status = 200
        page = send_test(c, action, lst.csrf(), hid)
        assert re.search(r"test event accepted by %s: HTTP 200 in \d+\.\d\d seconds" % re.escape(sink.url("/uji")),
                         page.text), page.text   # (a decimal point in English, a comma in Indonesian)
        assert len(sink.got("/uji", ok_only=False)) == 3
        # nothing stored: the refused test is no failed delivery (no retry, no failing state, not the
        # list's last delivery), the endpoint unchanged, no audit entry of its own
        row = db.sql("SELECT version, COALESCE(failing_since, 0), attempts, COALESCE(last_status, 0) FROM webhooks "
                     "WHERE id = %d" % hid)[0]
        assert [int(v) for v in row] in ([int(before[0][0]), 0, 0, 0], [int(before[0][0]), 0, 0, 200]), row
        assert not db.sql("SELECT seq FROM audit_log WHERE tenant = '%s' AND seq > %d AND action LIKE 'webhook.%%'"
                          % (TENANT, audit_n)), "a test is not audited"
        # guarded: no token, another role, another Pemda's administrator, an unknown endpoint
        c.post_form(action, {"_csrf": "x"}).expect(403)
        p = srv.client()
        p.login(TENANT, "petugas")
        p.post_form(action, {"_csrf": p.get("/t/%s/dasbor" % TENANT).csrf()}).expect(403)
        o = srv.client()
        o.login(TENANT2, "admin")
        o.post_form("/t/%s/admin/webhook/%d/uji" % (TENANT2, hid),
                    {"_csrf": o.get("/t/%s/admin/webhook" % TENANT2).csrf()}).expect(404)
        c.post_form("%s/999999/uji" % ADMIN, {"_csrf": lst.csrf()}).expect(404)
        assert len(sink.got("/uji", ok_only=False)) == 3
        # an address the check refuses now (a row from before the check, say): said so after the redirect
        db.sql("INSERT INTO webhooks (tenant, url, kinds, secret, created_at, created_by) VALUES "
               "('%s', 'http://nama:sandi@127.0.0.1:1/x', 1, 'whsec_uji', %d, 'admin')" % (TENANT, time.time()))
        bad = int(db.sql("SELECT max(id) FROM webhooks WHERE tenant = '%s'" % TENANT)[0][0])
        c.get("/bahasa/id?next=%2F").expect(303)
        page = send_test(c, "%s/%d/uji" % (ADMIN, bad), lst.csrf(), bad)
        assert 'class="alert" role="alert">alamat webhook tidak boleh memuat nama pengguna atau kata sandi<' in \
            page.text, page.text


def test_a_test_accepted_brings_the_waiting_retry_forward(env):
    """A receiver that failed waits for its retry (1 min, then 5, 30, up to 6 h). Once its
    administrator has fixed it and "Kirim uji" is accepted, what waits goes at the next run
    instead of after the backoff; a test while nothing waits says nothing of the kind."""
    with sink_and_server(env) as (sink, db, srv):
        sink.status = 500
        _, secret = add_endpoint(srv, sink.url("/pulih"))
        hid = int(db.sql("SELECT id FROM webhooks WHERE tenant = '%s'" % TENANT)[0][0])
        cid = open311_complaint(srv, db, "warga.pulih@example.id")
        assert wait_for(lambda: sink.got("/pulih", ok_only=False)), "no attempt"
        assert wait_for(lambda: int(db.sql("SELECT attempts FROM webhooks WHERE id = %d" % hid)[0][0]) >= 1)
        next_at = int(db.sql("SELECT next_at FROM webhooks WHERE id = %d" % hid)[0][0])
        assert next_at > time.time() + 30, next_at  # the first retry a minute later
        sink.status = 200
        c = srv.client()
        c.login(TENANT, "admin")
        lst = c.get(ADMIN).expect(200)
        page = send_test(c, "%s/%d/uji" % (ADMIN, hid), lst.csrf(), hid)
        assert "peristiwa uji diterima oleh" in page.text and \
            "Peristiwa yang menunggu pengiriman ulang dikirim pada putaran berikutnya." in page.text, page.text
        # the complaint's event arrives within a few runs, not after the minute's backoff
        assert wait_for(lambda: [e for e in sink.events("/pulih") if e["event"] == "complaints.create"], secs=10), \
            db.sql("SELECT attempts, next_at FROM webhooks WHERE id = %d" % hid)
        (ev,) = [e for e in sink.events("/pulih") if e["event"] == "complaints.create"]
        assert ev["object"] == "complaint:%s" % cid, ev
        for req in sink.got("/pulih"):
            check_signature(req, secret)
        assert wait_for(lambda: int(db.sql("SELECT attempts FROM webhooks WHERE id = %d" % hid)[0][0]) == 0)
        # nothing waits now: the test says only that it was accepted
        page = send_test(c, "%s/%d/uji" % (ADMIN, hid), lst.csrf(), hid)
        assert "peristiwa uji diterima oleh" in page.text and "menunggu pengiriman ulang" not in page.text, page.text
