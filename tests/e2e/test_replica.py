"""
test_replica.py: a sigap instance on a PostgreSQL read replica (a hot
standby streaming from the primary), as docs/deployment.md proposes for
reporting ("Read replicas for reporting").

A private primary cluster and a standby made from it with pg_basebackup
(scripts/pg-test-server.sh standby), so the shared test cluster is never
touched. One sigap instance on each. Checked:
  - the replica instance starts, says in its log that its database is
    read-only, and pauses its background jobs instead of failing them;
  - what is written through the primary instance (a complaint, a sign-in)
    shows on the replica instance within seconds: public pages, Open311,
    dashboards, exports and open data are served there, and the session
    made on the primary works there;
  - every write on the replica instance (Open311 POST, sign-in, a signed-in
    form) gets a clear 503 with Retry-After in its kind's error shape, never
    a 500, and nothing is half-done; the instance keeps running;
  - once the standby is promoted, the same instance (not restarted) accepts
    writes and runs its background jobs again.
"""
import shutil
import tempfile
import time

import harness
from harness import backends
import faults_util as fu

T = harness.TENANT
RO_MESSAGE = "hanya untuk membaca"


def until(what, fn, timeout=15.0):
    """Polls fn() until it returns a true value; returns it."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError("%s: not within %.0fs (last: %r)" % (what, timeout, last))


def expect_read_only(r, kind):
    """503 + Retry-After, the error shape of kind, and the read-only message."""
    assert r.status == 503, "%s, expected 503; body: %s" % (r.describe(), r.text[:400])
    ra = r.header("retry-after")
    assert ra and ra.isdigit(), "%s: Retry-After %r" % (r.describe(), ra)
    if kind == "open311":
        j = r.json()
        assert isinstance(j, list) and j[0].get("code") == 503 and RO_MESSAGE in j[0].get("description", ""), j
    elif kind == "api":
        r.expect_json_error(503, code="read_only")
        assert RO_MESSAGE in r.json()["error"]["message"], r.text[:300]
    else:
        assert (r.header("content-type") or "").startswith("text/html"), r.describe()
        assert RO_MESSAGE in r.text, "%s: no clear message: %s" % (r.describe(), r.text[:600])


@backends("pg")
def test_instance_on_a_read_replica(env):
    primary = fu.PgCluster(tempfile.mkdtemp(prefix="sigap-pg-primary-"), harness.free_port())
    standby = fu.PgCluster(tempfile.mkdtemp(prefix="sigap-pg-standby-"), harness.free_port())
    primary.start()
    try:
        db = primary.copy_of(env)
        sub = fu.Open311Submitter()
        sub.setup(db)                      # API key and category, on the primary
        standby.start_standby(primary)
        rdb = harness.Database("pg", harness.pg_schema_url(standby.url, db.schema), pg_base=standby.url,
                               schema=db.schema)

        main = env.start_server(db)
        rep = env.start_server(rdb, args=["--sweep-interval", "1"])
        assert "read-only" in rep.log_text(), "the replica instance did not say so:\n" + rep.log_text()[-1500:]

        # written through the primary instance ...
        pc = main.client()
        ok, r = sub.submit(pc, None, harness.unique("rep"))
        assert ok, r.describe() + " " + r.text[:300]
        sid = r.json()[0]["service_request_id"]
        pc.login(T, "sekda")

        # ... is read on the replica instance
        rc = rep.client()
        path = "/open311/v2/requests/%s.json?jurisdiction_id=%s" % (sid, T)
        until("complaint %s on the replica" % sid, lambda: rc.get(path).status == 200)
        j = rc.get(path).expect(200).json()
        assert j[0]["service_request_id"] == sid and j[0]["status"] == "open", j
        rc.cookies = dict(pc.cookies)      # the session made on the primary
        pages = ["/t/%s/pengaduan" % T, "/open311/v2/services.json?jurisdiction_id=%s" % T,
                 "/open311/discovery.json", "/api/v1/tenants", "/api/v1/t/%s/data-terbuka" % T,
                 "/t/%s/dasbor" % T, "/t/%s/kinerja" % T, "/t/%s/kinerja/ikm" % T,
                 "/t/%s/kinerja/ekspor/opd.csv" % T, "/t/%s/kinerja/laporan.pdf" % T]
        for p in pages:
            r = rc.get(p)
            assert r.status == 200, "replica: %s" % r.describe() + " " + r.text[:300]

        # every write on the replica: a clear 503, nothing half-done
        before = db.sql("SELECT COUNT(*) FROM complaints")[0][0]
        ok, r = sub.submit(rc, None, harness.unique("rep"))
        assert not ok
        expect_read_only(r, "open311")
        anon = rep.client()
        form = anon.get("/t/%s/masuk" % T).expect(200)
        r = anon.post_form("/t/%s/masuk" % T, {"_csrf": form.csrf(), "username": "sekda",
                                              "password": harness.DEMO_PASSWORD})
        expect_read_only(r, "web")
        form = anon.get("/t/%s/pengaduan/baru" % T).expect(200)
        r = anon.post_form("/t/%s/pengaduan/baru" % T, {
            "_csrf": form.csrf(), "kind": "pengaduan", "identity": "anonim", "address": "Gang Mawar",
            "description": "Lampu jalan mati di gang kami sejak kemarin"})
        expect_read_only(r, "web")
        r = rc.post_form("/t/%s/akun/sandi" % T, {"_csrf": rc.session_csrf(T), "old": harness.DEMO_PASSWORD,
                                                  "new": "sandi-baru-replika-1", "confirm": "sandi-baru-replika-1"})
        expect_read_only(r, "web")
        assert db.sql("SELECT COUNT(*) FROM complaints")[0][0] == before
        rc.get("/t/%s/kinerja" % T).expect(200)       # still signed in, still serving

        time.sleep(2.5)                    # two sweeps on the replica
        log = rep.log_text()
        assert "background jobs paused" in log, log[-1500:]
        assert "job " not in log.replace("background jobs", ""), "a job failed on the replica:\n" + log[-1500:]
        assert " 500 " not in log and "internal" not in log, log[-1500:]
        assert rep.alive

        # promoted: the same instance writes again, without a restart
        main.stop()
        standby.promote()
        ok, r = until("a write on the promoted replica", lambda: (lambda x: x if x[0] else None)(
            sub.submit(rc, None, harness.unique("rep"))), timeout=20)
        until("background jobs running again", lambda: "background jobs running" in rep.log_text(), timeout=10)
        assert rep.alive
        rep.stop()
        print("      replica served reads, refused writes with 503, wrote after promotion")
    finally:
        standby.stop()
        primary.stop()
        shutil.rmtree(standby.dir, ignore_errors=True)
        shutil.rmtree(primary.dir, ignore_errors=True)
