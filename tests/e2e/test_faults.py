"""
test_faults.py: what sigap does when its database is missing or goes away.

  - an unreachable database at start-up: a clear message and a non-zero exit;
  - PostgreSQL stopped while sigap serves (a private cluster, never the
    shared one): database-backed requests get 503 with Retry-After and the
    error shape of their kind (JSON for the API, an HTML page for the web),
    /healthz stays 200, sigap keeps running, and it serves again by itself
    within seconds of PostgreSQL coming back;
  - SQLite locked by another process for longer than the busy timeout: a
    write gets a clear 503 with Retry-After (not a crash), and succeeds once
    the lock is released.

Writes go through faults_util.pick_submitter(): Open311 when the binary has
it, else the admin's add-user form.
"""
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
             ("/api/v1/regions/52.71", "api"), ("/api/v1/t/%s/calendar/add?from=2026-12-01&days=3" % TENANT, "api"))


@backends("pg")
def test_pg_lost_while_serving(env):
    # under /tmp itself: the postgres user cannot enter env.tmp (mode 0700, root)
    cluster = fu.PgCluster(tempfile.mkdtemp(prefix="sigap-pg-faults-"), harness.free_port())
    cluster.start()
    try:
        db = cluster.copy_of(env)
        sub = fu.pick_submitter(db=db)
        sub.setup(db)
        srv = env.start_server(db)
        c = srv.client()
        for path, _kind in DB_ROUTES:
            c.get(path).expect(200)
        sess = sub.session(srv.port, c.ip)
        ok, r = sub.submit(c, sess, harness.unique("flt"))
        assert ok, "a write before the outage failed: %s" % r.describe()

        cluster.stop()
        t_down = time.time()
        problems = []
        for _ in range(3):
            for path, kind in DB_ROUTES:
                soft(problems, expect_unavailable, c.get(path), kind)
            c.get("/healthz").expect(200)
            ok, r = sub.submit(c, sess, harness.unique("flt"))
            assert not ok, "a write succeeded during the outage"
            soft(problems, expect_unavailable, r, write_kind(sub))
            time.sleep(0.2)
        assert srv.alive, "sigap died while PostgreSQL was down; log:\n%s" % srv.log_text()[-1500:]
        down_for = time.time() - t_down

        cluster.start()
        took = fu.wait_http(srv.port, "/readyz", 200, timeout=10)
        for path, _kind in DB_ROUTES:
            c.get(path).expect(200)
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
