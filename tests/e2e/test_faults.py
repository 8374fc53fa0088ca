"""
test_faults.py: what sigap does when its database is missing or goes away.

  - an unreachable database at start-up: a clear message and a non-zero exit;
  - PostgreSQL stopped while sigap serves (a private cluster, never the
    shared one): database-backed requests get 503 with Retry-After and the
    error shape of their kind (JSON for the API, Open311's error list, an
    HTML page for the web), also those for something that does not exist
    (404 otherwise) and a sign-in; /healthz stays 200, sigap keeps running,
    and it serves again by itself within seconds of PostgreSQL coming back;
  - one table's reads failing as on a lost connection while the rest
    answers (a page whose later reads fail half way): 503 as well, never a
    200 page or answer with its history, list, select or signing key left
    out, nor a 404 for a file that is there;
  - SQLite locked by another process for longer than the busy timeout: a
    write gets a clear 503 with Retry-After (not a crash), and succeeds once
    the lock is released.

Writes go through faults_util.pick_submitter(): Open311 when the binary has
it, else the admin's add-user form.
"""
import base64
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time

import harness
from harness import backends
import faults_util as fu

TENANT = harness.TENANT
BUSY_TIMEOUT = 5.0          # the SQLite busy timeout of sigap (store.c default)


def expect_unavailable(r, kind):
    """503 with Retry-After, and the error shape of the route's kind: 'api'
    ({"error":{"code":"unavailable","message"}}), 'open311' ([{"code":503,
    "description"}]) or 'web' (an HTML page saying it is unavailable)."""
    assert r.status == 503, "%s, expected 503; body: %s" % (r.describe(), r.text[:400])
    ra = r.header("retry-after")
    assert ra and ra.isdigit() and int(ra) > 0, "%s: Retry-After %r" % (r.describe(), ra)
    if kind == "api":
        r.expect_json_error(503, code="unavailable")
    elif kind == "open311":
        j = r.json()
        assert isinstance(j, list) and j and j[0].get("code") == 503 and j[0].get("description"), \
            "%s: not an Open311 error: %r" % (r.describe(), j)
    else:
        ct = r.header("content-type") or ""
        assert ct.startswith("text/html"), "%s: content-type %r" % (r.describe(), ct)
        assert "tidak tersedia" in r.text, "%s: no clear message: %s" % (r.describe(), r.text[:600])


def write_kind(sub):
    return "open311" if sub.name == "open311" else "web"


def soft(problems, fn, *args):
    """Runs a check; records its AssertionError in problems instead of
    stopping, so one wrong answer does not hide whether sigap recovers."""
    try:
        fn(*args)
    except AssertionError as e:
        msg = str(e).split("\n")[0][:300]
        if msg not in problems:
            problems.append(msg)


# --------------------------------------------------------------- start-up

@backends("pg")
def test_unreachable_pg_at_startup(env):
    port = harness.free_port()      # nothing listens there
    url = "postgresql://postgres@127.0.0.1:%d/sigap_test?connect_timeout=3" % port
    t0 = time.time()
    p = harness.run_sigap(["serve", "--listen", "127.0.0.1:%d" % harness.free_port()], db=url, timeout=30)
    took = time.time() - t0
    out = p.stdout + p.stderr
    assert p.returncode != 0, "serve with an unreachable database exited 0: %s" % out
    assert took < 15, "serve took %.1fs to give up" % took
    assert "PostgreSQL" in out and ("connect" in out or "reach" in out), "unclear message: %r" % out
    assert "Segmentation" not in out and "Sanitizer" not in out, out
    # the same for a command
    p = harness.run_sigap(["check"], db=url, timeout=30)
    assert p.returncode != 0 and "PostgreSQL" in p.stdout + p.stderr, (p.returncode, p.stdout, p.stderr)


@backends("sqlite")
def test_unopenable_sqlite_at_startup(env):
    path = os.path.join(env.tmp, "no-such-dir", "sub", "sigap.db")
    p = harness.run_sigap(["serve", "--listen", "127.0.0.1:%d" % harness.free_port()], db=path, timeout=30)
    out = p.stdout + p.stderr
    assert p.returncode != 0, "serve with an unopenable database exited 0: %s" % out
    assert "no-such-dir" in out or "database" in out, "unclear message: %r" % out


# --------------------------------------------------------------- PostgreSQL lost

DB_ROUTES = (("/readyz", "api"), ("/t/%s/" % TENANT, "web"), ("/api/v1/tenants", "api"),
             ("/api/v1/regions/52.71", "api"), ("/api/v1/t/%s/calendar/add?from=2026-12-01&days=3" % TENANT, "api"),
             # what the public reads: the portal, complaints, services, the
             # legal register, and the same through Open311 and the API
             ("/", "web"), ("/t/%s/pengaduan" % TENANT, "web"), ("/t/%s/pengaduan/baru" % TENANT, "web"),
             ("/t/%s/layanan" % TENANT, "web"), ("/t/%s/jdih" % TENANT, "web"),
             ("/open311/v2/requests.json?jurisdiction_id=%s" % TENANT, "open311"),
             ("/open311/v2/services.json?jurisdiction_id=%s" % TENANT, "open311"),
             ("/open311/v2/servicerequestupdates.json?jurisdiction_id=%s" % TENANT, "open311"),
             ("/api/v1/regions?q=mataram", "api"), ("/api/v1/t/%s/services" % TENANT, "api"),
             ("/api/v1/t/%s/keputusan" % TENANT, "api"),
             ("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.json" % TENANT, "api"))

# Addresses of things that do not exist: 404 while the database answers,
# and while it does not, 503 (nobody could look), never "not found".
NOWHERE = "0" * 32
ABSENT_ROUTES = (("/v/" + NOWHERE, "web"), ("/api/v1/verify/" + NOWHERE, "api"),
                 ("/t/%s/verifikasi/%s" % (TENANT, NOWHERE), "web"),
                 ("/api/v1/t/%s/verifikasi/%s" % (TENANT, NOWHERE), "api"),
                 ("/t/%s/survei/%s" % (TENANT, "0" * 64), "web"),
                 ("/t/%s/pengaduan/999999" % TENANT, "web"),
                 ("/t/%s/lacak?nomor=%s/PMH/2026/999999" % (TENANT, TENANT), "web"),
                 ("/api/v1/t/%s/track?number=%s/PMH/2026/999999" % (TENANT, TENANT), "api"),
                 ("/open311/v2/requests/999999.json?jurisdiction_id=%s" % TENANT, "open311"),
                 ("/open311/v2/services/no-such-code.json?jurisdiction_id=%s" % TENANT, "open311"))


def demo_routes(db):
    """Pages of things the demo database has: a complaint (public page, and
    through Open311), a category, a service, a decision's verification page,
    a survey invitation."""
    def one(query):
        return db.sql(query)[0][0]
    cid = one("SELECT MIN(id) FROM complaints WHERE tenant = '%s' AND status <> 'arsip'" % TENANT)
    cat = one("SELECT MIN(code) FROM complaints_categories WHERE tenant = '%s' AND active = 1" % TENANT)
    svc = one("SELECT MIN(code) FROM services WHERE tenant = '%s' AND active = 1" % TENANT)
    tok = one("SELECT MIN(token) FROM governance_decisions WHERE tenant = '%s'" % TENANT)
    survey = one("SELECT MIN(note) FROM complaints_events WHERE tenant = '%s' AND action = 'survei'" % TENANT)
    return (("/t/%s/pengaduan/%s" % (TENANT, cid), "web"),
            ("/open311/v2/requests/%s.json?jurisdiction_id=%s" % (cid, TENANT), "open311"),
            ("/open311/v2/services/%s.json?jurisdiction_id=%s" % (cat, TENANT), "open311"),
            ("/t/%s/layanan/%s" % (TENANT, svc), "web"), ("/api/v1/t/%s/services/%s" % (TENANT, svc), "api"),
            ("/t/%s/verifikasi/%s" % (TENANT, tok), "web"), ("/api/v1/t/%s/verifikasi/%s" % (TENANT, tok), "api"),
            ("/t/%s/survei/%s" % (TENANT, survey), "web"))


@backends("pg")
def test_pg_lost_while_serving(env):
    # under /tmp itself: the postgres user cannot enter env.tmp (mode 0700, root)
    cluster = fu.PgCluster(tempfile.mkdtemp(prefix="sigap-pg-faults-"), harness.free_port())
    cluster.start()
    try:
        db = cluster.copy_of(env)
        routes = DB_ROUTES + demo_routes(db)
        sub = fu.pick_submitter(db=db)
        sub.setup(db)
        srv = env.start_server(db)
        c = srv.client()
        for path, _kind in routes:
            c.get(path).expect(200)
        for path, _kind in ABSENT_ROUTES:
            c.get(path).expect(404)
        signin = c.get("/t/%s/masuk" % TENANT).expect(200).csrf()
        nik = {"nik": "5271014101900001"}
        c.post_json("/api/v1/nik/validate", nik).expect(200)
        sess = sub.session(srv.port, c.ip)
        ok, r = sub.submit(c, sess, harness.unique("flt"))
        assert ok, "a write before the outage failed: %s" % r.describe()

        cluster.stop()
        t_down = time.time()
        # Open311 keeps a request's answer for a second (CACHE_TTL_MS): past it
        time.sleep(1.1)
        problems = []
        for _ in range(3):
            for path, kind in routes + ABSENT_ROUTES:
                soft(problems, expect_unavailable, c.get(path), kind)
            # a sign-in that cannot be checked is neither wrong nor made
            soft(problems, expect_unavailable,
                 c.post_form("/t/%s/masuk" % TENANT, {"_csrf": signin, "username": "sekda",
                                                      "password": harness.DEMO_PASSWORD}), "web")
            soft(problems, expect_unavailable, c.post_json("/api/v1/nik/validate", nik), "api")
            c.get("/healthz").expect(200)
            c.get("/open311/discovery.json").expect(200)  # fixed text: no database in it
            ok, r = sub.submit(c, sess, harness.unique("flt"))
            assert not ok, "a write succeeded during the outage"
            soft(problems, expect_unavailable, r, write_kind(sub))
            time.sleep(0.2)
        assert srv.alive, "sigap died while PostgreSQL was down; log:\n%s" % srv.log_text()[-1500:]
        down_for = time.time() - t_down

        cluster.start()
        took = fu.wait_http(srv.port, "/readyz", 200, timeout=10)
        for path, _kind in routes:
            c.get(path).expect(200)
        for path, _kind in ABSENT_ROUTES:
            c.get(path).expect(404)
        srv.client().login(TENANT, "sekda")
        key = harness.unique("flt")
        ok, r = sub.submit(c, sess, key)
        assert ok, "a write after PostgreSQL came back failed: %s %s" % (r.describe(), r.text[:300])
        assert sub.present(db, [key]) == {key: 1}
        assert srv.alive
        srv.stop()
        print("      pg down %.1fs; ready again %.2fs after PostgreSQL restarted" % (down_for, took))
        assert not problems, "sigap recovered, but answers during the outage were wrong:\n" + "\n".join(problems)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.dir, ignore_errors=True)


# --------------------------------------------------------------- one read lost mid-page

def lose_table(db, table):
    """Every read of table fails from now on as one on a lost connection
    does (SQLSTATE 57P01, admin_shutdown): the table becomes a view over a
    function that raises it. The rest of the database answers, so a page
    that reads table after other things fails half way through, as when
    PostgreSQL goes away in the middle of a request."""
    db.sql("ALTER TABLE {t} RENAME TO {t}_kept; "
           "CREATE FUNCTION {t}_lost() RETURNS SETOF {t}_kept LANGUAGE plpgsql AS "
           "$$BEGIN RAISE EXCEPTION 'test: {t} lost' USING ERRCODE = '57P01'; END$$; "
           "CREATE VIEW {t} AS SELECT * FROM {t}_lost()".format(t=table))


def mend_table(db, table):
    db.sql("DROP VIEW {t}; DROP FUNCTION {t}_lost(); ALTER TABLE {t}_kept RENAME TO {t}".format(t=table))


def filed_application(db, c_admin, c_warga):
    """A service made by the admin and an application with a file by the
    demo warga, through the API; returns (id, number)."""
    unit = db.sql("SELECT MIN(code) FROM units WHERE tenant = '%s'" % TENANT)[0][0]
    code = harness.unique("flt").replace("_", "-")
    svc = {"code": code, "unit": unit, "name": "Layanan Uji " + code, "category": "Uji",
           "summary": "Layanan untuk pengujian.", "requirements": ["Kartu keluarga"], "procedure": ["Ajukan"],
           "sla_days": 3, "fee": 0, "product": "Dokumen uji", "complaints": "Melalui menu Pengaduan.",
           "legal_basis": ["Peraturan uji"], "form": "nama | text | Nama lengkap | wajib\nkk | file | Kartu keluarga | wajib\n",
           "steps": "Verifikasi berkas | petugas\n"}
    hdr = {"Content-Type": "application/json", "X-CSRF-Token": c_admin.session_csrf(TENANT)}
    r = c_admin.request("POST", "/api/v1/t/%s/services" % TENANT, body=json.dumps(svc), headers=hdr)
    assert r.status == 201, r.describe() + r.text[:300]
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    app = {"service": code, "values": {"nama": "Baiq Nurul Aini", "nik": "5271014101900001"},
           "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(pdf).decode()}}}
    hdr = {"Content-Type": "application/json", "X-CSRF-Token": c_warga.session_csrf(TENANT)}
    r = c_warga.request("POST", "/api/v1/t/%s/applications" % TENANT, body=json.dumps(app), headers=hdr)
    assert r.status == 201, r.describe() + r.text[:300]
    return r.json()["id"], r.json()["number"]


@backends("pg")
def test_pg_read_lost_mid_page(env):
    """A page whose later reads fail (the database went away after its
    first ones) answers 503 with Retry-After in its kind's shape, never 200
    with a part left out (an empty history, list or select, "no signing key
    yet"), nor 404 for a file that is there. Each table in turn loses its
    reads; with it back, the same addresses answer 200."""
    db = env.new_db()
    srv = env.start_server(db)
    admin, sekda, warga, koord, anon = srv.client(), srv.client(), srv.client(), srv.client(), srv.client()
    admin.login(TENANT, "admin")
    sekda.login(TENANT, "sekda")
    warga.login(TENANT, "warga")
    koord.login(TENANT, "koordinator")
    app_id, number = filed_application(db, admin, warga)
    cid = db.sql("SELECT MIN(id) FROM complaints WHERE tenant = '%s' AND status <> 'arsip'" % TENANT)[0][0]
    # one the coordinator verifies: its page reads duplicates, OPDs, categories
    new = db.sql("SELECT MIN(id) FROM complaints WHERE tenant = '%s' AND status = 'baru'" % TENANT)[0][0]
    assert db.sql("SELECT COUNT(*) FROM perf_kec WHERE tenant = '%s' AND kecamatan <> '-'" % TENANT)[0][0] != "0", \
        "the demo has no complaints per kecamatan: the dashboard would read no region names"
    cases = (
        # the history of a complaint, read after the complaint itself
        ("complaints_events", ((anon, "/t/%s/pengaduan/%s" % (TENANT, cid), "web"),
                               (anon, "/open311/v2/servicerequestupdates.json?jurisdiction_id=%s" % TENANT, "open311"))),
        # the categories of the complaint form and of the settings
        ("complaints_categories", ((anon, "/t/%s/pengaduan/baru" % TENANT, "web"),
                                   (koord, "/t/%s/pengaduan/pengaturan" % TENANT, "web"))),
        # the suggested duplicates on the coordinator's page
        ("complaints_duplicates", ((koord, "/t/%s/pengaduan/%s" % (TENANT, new), "web"),)),
        # whether the Sekda has a signing key: not "none yet"
        ("governance_keys", ((sekda, "/t/%s/kunci-tanda-tangan" % TENANT, "web"),
                             (sekda, "/t/%s/usulan" % TENANT, "web"))),
        # the OPDs of the catalogue editor
        ("units", ((admin, "/t/%s/admin/layanan/baru" % TENANT, "web"),)),
        # the kecamatan names of the dashboard, read after its figures
        ("regions", ((sekda, "/t/%s/kinerja" % TENANT, "web"), (sekda, "/api/v1/t/%s/kinerja" % TENANT, "api"),
                     (sekda, "/t/%s/kinerja/ekspor/kecamatan.csv" % TENANT, "web"))),
        # an application's history, read after the application
        ("services_events", ((anon, "/t/%s/lacak?nomor=%s" % (TENANT, number), "web"),
                             (anon, "/api/v1/t/%s/track?number=%s" % (TENANT, number), "api"),
                             (warga, "/t/%s/permohonan/%s" % (TENANT, app_id), "web"),
                             (warga, "/api/v1/t/%s/applications/%s" % (TENANT, app_id), "api"))),
        # its files: never "this file does not exist"
        ("services_files", ((warga, "/t/%s/permohonan/%s/berkas/kk" % (TENANT, app_id), "web"),
                            (warga, "/api/v1/t/%s/applications/%s" % (TENANT, app_id), "api"))),
    )
    problems = []
    for table, routes in cases:
        for c, path, _kind in routes:
            c.get(path).expect(200)
        lose_table(db, table)
        try:
            for c, path, kind in routes:
                soft(problems, expect_unavailable_without, c.get(path), kind, table)
        finally:
            mend_table(db, table)
        for c, path, _kind in routes:
            c.get(path).expect(200)
    assert srv.alive, "sigap died; log:\n%s" % srv.log_text()[-1500:]
    srv.stop()
    assert not problems, "answers while one table could not be read:\n" + "\n".join(problems)


def expect_unavailable_without(r, kind, table):
    try:
        expect_unavailable(r, kind)
    except AssertionError as e:
        raise AssertionError("%s unreadable: %s" % (table, e))


@backends("pg")
def test_pg_restart_between_requests_keeps_identity(env):
    """PostgreSQL restarts while sigap is idle, so every pooled connection is
    dead but not yet known to be. The next signed-in request (session cookie,
    or API key) must be answered as that user (200) or with 503, never as
    an anonymous visitor (401/403 or a redirect to the sign-in page)."""
    cluster = fu.PgCluster(tempfile.mkdtemp(prefix="sigap-pg-faults-"), harness.free_port())
    cluster.start()
    try:
        db = cluster.copy_of(env)
        p = harness.check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "ident", "--role", "admin"],
                                db=db)
        key = p.stdout.split()[0]
        srv = env.start_server(db, args=["--threads", "1"])
        c = srv.client()
        c.login(TENANT, "admin")
        bearer = {"Authorization": "Bearer " + key}
        c.get("/t/%s/admin/pengguna" % TENANT).expect(200)
        harness.Client(srv.port).get("/api/v1/t/%s/me" % TENANT, headers=bearer).expect(200)
        seen, bad = [], []
        for rnd in range(2):
            # round 1 asks with the API key first, round 0 with the session
            cluster.stop()
            cluster.start()
            if rnd % 2:
                r2 = harness.Client(srv.port).get("/api/v1/t/%s/me" % TENANT, headers=bearer)
                r1 = c.get("/t/%s/admin/pengguna" % TENANT)
            else:
                r1 = c.get("/t/%s/admin/pengguna" % TENANT)
                r2 = harness.Client(srv.port).get("/api/v1/t/%s/me" % TENANT, headers=bearer)
            seen.append((r1.status, r2.status))
            first = "first" if rnd % 2 == 0 else "second"
            if r1.status not in (200, 503):
                bad.append("round %d: the signed-in page (asked %s) answered %d (location %s, set-cookie %r): "
                           "the session was taken for none" % (rnd, first, r1.status, r1.header("location"),
                                                              r1.header_all("set-cookie")))
            if r2.status not in (200, 503):
                bad.append("round %d: the API-key request answered %d: %s" % (rnd, r2.status, r2.text[:200]))
            fu.wait_http(srv.port, "/readyz", 200, timeout=10)
            c.get("/t/%s/admin/pengguna" % TENANT).expect(200)
        assert not bad, "first requests after a PostgreSQL restart (page, API) %r:\n" % seen + "\n".join(bad)
        assert srv.alive
        srv.stop()
        print("      first answers after each restart (page, API): %r" % seen)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.dir, ignore_errors=True)


# --------------------------------------------------------------- SQLite locked

@backends("sqlite")
def test_sqlite_locked_longer_than_busy_timeout(env):
    db = env.new_db()
    sub = fu.pick_submitter(db=db)
    sub.setup(db)
    srv = env.start_server(db)
    c = srv.client()
    sess = sub.session(srv.port, c.ip)
    ok, r = sub.submit(c, sess, harness.unique("lck"))
    assert ok, "a write before the lock failed: %s" % r.describe()

    hold = BUSY_TIMEOUT + 2.0
    locked = threading.Event()
    release = threading.Event()

    def holder():
        con = sqlite3.connect(db.path, timeout=10, isolation_level=None)
        try:
            con.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(hold + 10)
            con.execute("ROLLBACK")
        finally:
            con.close()

    t = threading.Thread(target=holder, daemon=True)
    t.start()
    assert locked.wait(10), "could not lock the database"
    t_lock = time.time()
    try:
        # a read still works (WAL readers are not blocked)
        c.get("/t/%s/" % TENANT).expect(200)
        c.get("/healthz").expect(200)
        t0 = time.time()
        ok, r = sub.submit(c, sess, harness.unique("lck"))
        waited = time.time() - t0
        assert time.time() - t_lock < hold, "the write outlived the lock (%.1fs); make the hold longer" % waited
        assert srv.alive, "sigap died while the database was locked"
        assert not ok, "a write succeeded while the database was locked exclusively"
        assert r.status == 503, ("a write blocked by a lock for %.1fs answered %d, expected 503 with Retry-After "
                                 "(the database is busy, not a conflicting edit); body: %s"
                                 % (waited, r.status, r.text[:300]))
        problems = []
        soft(problems, expect_unavailable, r, write_kind(sub))
    finally:
        release.set()
        t.join(15)
    key = harness.unique("lck")
    ok, r = sub.submit(c, sess, key)
    assert ok, "a write after the lock was released failed: %s %s" % (r.describe(), r.text[:300])
    assert sub.present(db, [key]) == {key: 1}
    srv.stop()
    assert not problems, "sigap recovered, but the answer under the lock was wrong: " + "; ".join(problems)


@backends("sqlite")
def test_a_corrupt_table_is_a_logged_500_not_a_crash(env):
    """A page of the database damaged on disk (a failing disk, a copy made wrong): the pages that
    read it answer 500 with the error page, the log says why (once a second at most, not a line
    per request), the rest of the site keeps serving, and `sigap check` names the damage."""
    db = env.new_db()
    con = sqlite3.connect(db.path)
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'complaints'").fetchone()[0]
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with open(db.path, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)
    srv = env.start_server(db)
    c = srv.client()
    for _ in range(5):
        r = c.get("/t/%s/pengaduan" % TENANT)
        assert r.status == 500, (r.describe(), r.text[:300])
        assert "Kesalahan server" in r.text, r.text[:1000]
    r = c.get("/open311/v2/requests.json?jurisdiction_id=%s" % TENANT)
    assert r.status == 500 and r.json()[0]["code"] == 500, (r.describe(), r.text[:300])
    c.get("/t/%s/" % TENANT).expect(200)
    c.get("/t/%s/layanan" % TENANT).expect(200)
    c.get("/healthz").expect(200)
    assert srv.alive
    time.sleep(1.1)
    c.get("/t/%s/pengaduan" % TENANT).expect(500)
    log = srv.log_text()
    lines = [l for l in log.splitlines() if "malformed" in l]
    assert lines and "GET /t/%s/pengaduan: " % TENANT in lines[0], log[-2000:]
    assert "more like it not logged" in log, log[-2000:]
    # rate-limited: seven failures in about a second and a half, at most three lines
    assert len(lines) <= 3, lines
    srv.stop()
    p = harness.run_sigap(["check"], db=db)
    assert p.returncode != 0 and "integrity" in (p.stdout + p.stderr).lower(), (p.stdout, p.stderr)
