"""
test_tenant_admin.py: the operator renames and suspends a Pemda with the
CLI (docs/admin.md "Renaming and suspending a Pemda"): a new name shows on
the pages at once and is audited; a suspended Pemda answers 503 (page, JSON
API, Open311) with Retry-After, refuses sign-in, is left out of the portal
and of the periodic jobs, while the operator's commands still work; resume
restores it. The refusals name their problem. And a new SQLite database is
its owner's only (0600).
"""
import os
import stat

from harness import TENANT, backends, check_sigap, run_sigap, unique

MSG = "Layanan sigap untuk Pemda ini sedang dihentikan sementara"
MSG_EN = "The sigap service for this Pemda is suspended"


def audit_rows(db, action):
    return db.sql("SELECT summary FROM audit_log WHERE tenant = '%s' AND action = '%s' ORDER BY seq" % (TENANT, action))


def test_rename_shows_at_once_and_is_audited(env):
    db = env.new_db()
    srv = env.start_server(db=db)
    c = srv.client()
    old = db.sql("SELECT name, head_title FROM tenants WHERE code = '%s'" % TENANT)[0]
    c.get("/t/%s/" % TENANT).expect(200, contains=old[0])
    p = check_sigap(["tenant", "rename", TENANT, "--name", "Pemerintah Kota Mataram"], db=db)
    assert "renamed" in p.stdout, p.stdout
    # no cache in between: the very next request has it
    c.get("/t/%s/" % TENANT).expect(200, contains="Pemerintah Kota Mataram")
    c.get("/").expect(200, contains="Pemerintah Kota Mataram")
    assert any(t["name"] == "Pemerintah Kota Mataram" for t in c.get("/api/v1/tenants").json()["tenants"])
    row = [l for l in check_sigap(["tenant", "list"], db=db).stdout.splitlines() if l.startswith(TENANT + "\t")][0]
    assert row.split("\t") == [TENANT, "Pemerintah Kota Mataram", old[1], "WITA", "aktif"], row
    sums = [r[0] for r in audit_rows(db, "tenant.rename")]
    assert sums == ["%s -> Pemerintah Kota Mataram" % old[0]], sums
    # the head's title too
    check_sigap(["tenant", "rename", TENANT, "--name", "Kota Mataram", "--head-title", "Walikota"], db=db)
    assert db.sql("SELECT name, head_title FROM tenants WHERE code = '%s'" % TENANT)[0] == ("Kota Mataram", "Walikota")
    assert audit_rows(db, "tenant.rename")[-1][0] == \
        "Pemerintah Kota Mataram -> Kota Mataram; %s -> Walikota" % old[1]
    assert check_sigap(["audit", "verify", "--tenant", TENANT], db=db).stdout.startswith("audit chain ok")


def test_refusals_name_the_problem(env):
    db = env.new_db()
    before = db.sql("SELECT code, name, head_title, suspended_at FROM tenants ORDER BY code")
    for args, msg in (
        (["tenant", "rename", "52.99", "--name", "X"], "unknown tenant '52.99'"),
        (["tenant", "rename", TENANT, "--name", ""], "the name must be"),
        (["tenant", "rename", TENANT, "--name", "   "], "the name must be"),
        (["tenant", "rename", TENANT, "--name", "a\nb"], "the name must be"),
        (["tenant", "rename", TENANT, "--name", "x" * 200], "at most 127 bytes"),
        (["tenant", "rename", TENANT], "needs --name"),
        (["tenant", "suspend", TENANT], "needs --reason"),
        (["tenant", "suspend", TENANT, "--reason", ""], "the reason must be"),
        (["tenant", "suspend", "52.99", "--reason", "kontrak berakhir"], "unknown tenant '52.99'"),
        (["tenant", "resume", TENANT], "tenant '%s' is not suspended" % TENANT),
        (["tenant", "resume", "52.99"], "unknown tenant '52.99'"),
        (["tenant", "suspend", TENANT, "--name", "X"], "usage"),
    ):
        p = run_sigap(args, db=db)
        assert p.returncode != 0 and msg in p.stderr, (args, p.returncode, p.stderr)
    check_sigap(["tenant", "suspend", TENANT, "--reason", "kontrak berakhir"], db=db)
    p = run_sigap(["tenant", "suspend", TENANT, "--reason", "lagi"], db=db)
    assert p.returncode != 0 and "tenant '%s' is suspended already" % TENANT in p.stderr, p.stderr
    assert [r[0] for r in audit_rows(db, "tenant.suspend")] == ["kontrak berakhir"]
    assert audit_rows(db, "tenant.rename") == []
    after = db.sql("SELECT code, name, head_title FROM tenants ORDER BY code")
    assert after == [r[:3] for r in before]


def test_suspend_and_resume(env):
    db = env.new_db()
    srv = env.start_server(db=db)
    c = srv.client()
    counts = [db.sql("SELECT COUNT(*) FROM %s WHERE tenant = '%s'" % (t, TENANT))[0][0]
              for t in ("complaints", "users", "services_apps")]
    # a complaint past its verification deadline, for the sweep
    cid = int(db.sql("SELECT id FROM complaints WHERE tenant = '%s' AND status IN ('baru', 'tunda') "
                 "AND escalation = 0 ORDER BY id LIMIT 1" % TENANT)[0][0])
    db.sql("UPDATE complaints SET verify_due = 1000 WHERE tenant = '%s' AND id = %d" % (TENANT, cid))
    logged_in = srv.client()
    logged_in.login(TENANT, "admin")
    cpl = int(db.sql("SELECT id FROM complaints WHERE tenant = '%s' AND status <> 'arsip' ORDER BY id LIMIT 1"
                     % TENANT)[0][0])

    p = check_sigap(["tenant", "suspend", TENANT, "--reason", "kontrak berakhir"], db=db)
    assert "suspended" in p.stdout, p.stdout
    row = [l for l in check_sigap(["tenant", "list"], db=db).stdout.splitlines() if l.startswith(TENANT + "\t")][0]
    assert row.split("\t")[4:] == ["dihentikan", "kontrak berakhir"], row

    # pages, in Indonesian and in English, with Retry-After
    for path in ("/t/%s/" % TENANT, "/t/%s/masuk" % TENANT, "/t/%s/pengaduan" % TENANT):
        r = c.get(path).expect(503, contains=MSG)
        assert r.header("retry-after") == "3600", r.header("retry-after")
        assert "kontrak" not in r.text  # the operator's reason is not public
    r = c.get("/t/%s/" % TENANT, headers={"Accept-Language": "en"}).expect(503, contains=MSG_EN)
    # sign-in refused, and a session from before opens nothing
    r = c.post_form("/t/%s/masuk" % TENANT, {"username": "admin", "password": "x"})
    assert r.status == 503, r.describe()
    logged_in.get("/t/%s/dasbor" % TENANT).expect(503)
    # JSON API
    r = c.get("/api/v1/t/%s/services" % TENANT)
    r.expect_json_error(503, "unavailable", MSG)
    assert r.header("retry-after") == "3600"
    r = c.post_json("/api/v1/t/%s/applications" % TENANT, {"service": "x"})
    assert r.status == 503, r.describe()
    # Open311, both formats, and a filing
    r = c.get("/open311/v2/services.json?jurisdiction_id=%s" % TENANT)
    assert r.status == 503 and MSG in r.text and r.header("retry-after") == "3600", r.describe()
    r = c.get("/open311/v2/requests/%d.xml?jurisdiction_id=%s" % (cpl, TENANT))
    assert r.status == 503 and "<errors>" in r.text, r.describe()
    r = c.post_form("/open311/v2/requests.json", {"jurisdiction_id": TENANT, "service_code": "x",
                                                   "description": "jalan rusak", "lat": "-8.58", "long": "116.1"})
    assert r.status == 503, r.describe()
    # the portal leaves it out (one Pemda left: straight to it)
    r = c.get("/")
    assert r.status in (200, 302, 303) and "/t/%s/" % TENANT not in r.text and \
        (r.header("location") or "") != "/t/%s/" % TENANT, r.describe()
    assert TENANT not in [t["code"] for t in c.get("/api/v1/tenants").json()["tenants"]]
    # the other Pemda is served as before
    other = db.sql("SELECT code FROM tenants WHERE code <> '%s' ORDER BY code LIMIT 1" % TENANT)[0][0]
    c.get("/t/%s/" % other).expect(200)
    # the sweeps pass it by
    check_sigap(["sweep"], db=db)
    assert db.sql("SELECT escalation FROM complaints WHERE tenant = '%s' AND id = %d" % (TENANT, cid))[0][0] in (0, "0")
    # the operator's commands still work on it
    assert "admin" in check_sigap(["user", "list", "--tenant", TENANT], db=db).stdout
    assert check_sigap(["audit", "verify", "--tenant", TENANT], db=db).stdout.startswith("audit chain ok")
    check_sigap(["unit", "list", "--tenant", TENANT], db=db)
    # its data is intact
    assert counts == [db.sql("SELECT COUNT(*) FROM %s WHERE tenant = '%s'" % (t, TENANT))[0][0]
                      for t in ("complaints", "users", "services_apps")]

    p = check_sigap(["tenant", "resume", TENANT], db=db)
    assert "resumed" in p.stdout, p.stdout
    c.get("/t/%s/" % TENANT).expect(200)
    c.get("/api/v1/t/%s/services" % TENANT).expect(200)
    c.get("/open311/v2/services.json?jurisdiction_id=%s" % TENANT).expect(200)
    assert TENANT in [t["code"] for t in c.get("/api/v1/tenants").json()["tenants"]]
    logged_in.get("/t/%s/dasbor" % TENANT).expect(200)
    srv.client().login(TENANT, "admin")
    check_sigap(["sweep"], db=db)
    assert db.sql("SELECT escalation FROM complaints WHERE tenant = '%s' AND id = %d" % (TENANT, cid))[0][0] in (1, "1")
    row = [l for l in check_sigap(["tenant", "list"], db=db).stdout.splitlines() if l.startswith(TENANT + "\t")][0]
    assert row.split("\t")[4:] == ["aktif"], row
    assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE tenant = '%s' AND action = 'tenant.resume'"
                      % TENANT)[0][0]) == 1
    assert check_sigap(["audit", "verify", "--tenant", TENANT], db=db).stdout.startswith("audit chain ok")


@backends("sqlite")
def test_new_database_is_private(env):
    old = os.umask(0o022)
    try:
        path = os.path.join(env.tmp, unique("private") + ".db")
        check_sigap(["init", "--regions", env.small_regions_csv()], db=path)
        for f in (path, path + "-wal", path + "-shm"):
            if os.path.exists(f):
                assert stat.S_IMODE(os.stat(f).st_mode) == 0o600, (f, oct(os.stat(f).st_mode))
        # its own file store (the default, var/files under the working directory, is whatever
        # earlier runs left there)
        files = os.path.join(env.tmp, unique("files"))
        os.makedirs(files, 0o700)
        assert "warning" not in check_sigap(["check", "--data-dir", files], db=path).stdout
        # an existing database keeps its mode; check says so
        os.chmod(path, 0o644)
        check_sigap(["migrate"], db=path)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644
        out = check_sigap(["check", "--data-dir", files], db=path).stdout
        assert "warning: database file %s has mode 0644" % path in out, out
    finally:
        os.umask(old)
