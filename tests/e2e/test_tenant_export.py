"""
test_tenant_export.py: `sigap tenant export`: one Pemda's data, whole, in a new SQLite database of
its own (docs/storage.md, "Taking one Pemda out of a shared deployment"), from either backend.

- The export holds every row of the tenant (the counts of every table with a tenant column equal
  the source's, ids and values as they were), the reference data (regions, national holidays, the
  system's audit chain and counters, the province's local holidays its calendar reads) and no row
  of any other tenant; live sign-ins, login and intake rate limits and mail still waiting stay.
- Its audit chains verify, `sigap check` passes (PostgreSQL run: and it moves onto an empty
  PostgreSQL schema with migrate-data), and a server on it serves the tenant's complaint
  (with its photo, from the --files copy), lets its admin sign in, and knows no other tenant.
- Without --files the referenced files are counted; with it they are copied, same layout.
- Refusals: an existing target (left as it was), an unknown tenant, a missing --to, a PostgreSQL
  target; nothing is left behind by a refusal or a failure.
"""
import hashlib
import os
import shutil
import sqlite3

from harness import TENANT, TENANT2, Database, check_sigap, run_sigap, unique
from test_files_gc import file_with_document, file_with_photo

OTHER = "52.01"  # Kabupaten Lombok Barat: a third Pemda in the same database
LEFT_BEHIND = ("sessions", "login_attempts", "complaints_rate")


def val(v):
    return "" if v is None else str(v)


def src_count(db, sql):
    return int(db.sql(sql)[0][0])


def open_export(path):
    con = sqlite3.connect(path)
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                        "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    cols = {t: [r[1] for r in con.execute('PRAGMA table_info("%s")' % t)] for t in tables}
    return con, tables, cols


def make_activity(env, db, data):
    """Both tenants (and a third) get rows of their own: a complaint with a photo and an
    application with a document for TENANT; units, users, keys and local holidays for all three."""
    check_sigap(["tenant", "add", OTHER], db=db)
    for t, day in ((TENANT, "2026-08-20"), (TENANT2, "2026-08-21"), (OTHER, "2026-08-22")):
        check_sigap(["holiday", "add", "--tenant", t, "--date", day, "--name", "Libur " + t], db=db)
        check_sigap(["apikey", "create", "--tenant", t, "--name", unique("k"), "--role", "warga"], db=db)
    check_sigap(["unit", "add", "--tenant", OTHER, "--code", "BAPPEDA", "--name", "Bappeda Lombok Barat"], db=db)
    check_sigap(["user", "add", "--tenant", TENANT2, "--username", unique("prov"), "--name", "Staf Provinsi",
                 "--role", "warga"], db=db, input="kata-sandi-kuat-1\n")
    srv = env.start_server(db, args=["--data-dir", data, "--sweep-interval", "0"])
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("o311"), "--role", "warga"],
                      db=db).stdout.split()[0]
    cid = file_with_photo(srv, key)
    app_id, doc = file_with_document(env, srv)
    # the province's admin signs in too: a session and audit entries of TENANT2
    p = srv.client()
    p.login(TENANT2, "admin")
    srv.stop()
    photo = val(db.sql("SELECT hash FROM complaints_photos WHERE complaint_id = %d" % cid)[0][0])
    return cid, app_id, photo, doc


def test_export_one_tenant(env):
    db = env.new_db()
    data = os.path.join(env.tmp, unique("files"))
    cid, app_id, photo, doc = make_activity(env, db, data)
    assert os.path.exists(os.path.join(data, photo[:2], photo))

    # without --files: the files are counted, not copied
    out = os.path.join(env.tmp, unique("export") + ".db")
    p = check_sigap(["tenant", "export", "--tenant", TENANT, "--to", out, "--data-dir", data], db=db)
    assert "files: 2 referenced by the export's rows, not copied" in p.stdout, p.stdout
    assert "audit chain verified" in p.stdout and "every count matching the source" in p.stdout, p.stdout
    assert os.stat(out).st_mode & 0o777 == 0o600, oct(os.stat(out).st_mode)
    assert not [f for f in os.listdir(os.path.dirname(out)) if ".tmp" in f], os.listdir(os.path.dirname(out))

    con, tables, cols = open_export(out)
    with_tenant = [t for t in tables if "tenant" in cols[t]]
    assert set(tables) - set(with_tenant) == {"regions", "schema_version", "tenants"}, tables
    for t in with_tenant:
        # no row of another tenant: the system's ('*') only where the reference data is, and the
        # province's local holidays (its kabupaten/kota's calendar reads them)
        others = con.execute('SELECT tenant, COUNT(*) FROM "%s" WHERE tenant <> ? GROUP BY tenant' % t,
                             (TENANT,)).fetchall()
        allowed = {"holidays": {"*", TENANT2}, "audit_log": {"*"}, "audit_heads": {"*"},
                   "sequences": {"*"}}.get(t, set())
        assert {o[0] for o in others} <= allowed, (t, others)
        # every row of the tenant, except what is left behind on purpose
        mine = con.execute('SELECT COUNT(*) FROM "%s" WHERE tenant = ?' % t, (TENANT,)).fetchone()[0]
        where = "tenant = '%s'" % TENANT
        if t == "mail_outbox":
            where += " AND (sent_at IS NOT NULL OR failed_at IS NOT NULL)"
        expect = 0 if t in LEFT_BEHIND else src_count(db, 'SELECT COUNT(*) FROM "%s" WHERE %s' % (t, where))
        assert mine == expect, (t, mine, expect)
        # the reference rows: all of them
        if t in allowed:
            for o in allowed:
                n = src_count(db, "SELECT COUNT(*) FROM \"%s\" WHERE tenant = '%s'" % (t, o))
                got = con.execute('SELECT COUNT(*) FROM "%s" WHERE tenant = ?' % t, (o,)).fetchone()[0]
                assert n == got, (t, o, n, got)
    assert src_count(db, "SELECT COUNT(*) FROM sessions WHERE tenant = '%s'" % TENANT) > 0
    assert con.execute("SELECT code FROM tenants").fetchall() == [(TENANT,)]
    assert con.execute("SELECT COUNT(*) FROM regions").fetchone()[0] == src_count(db, "SELECT COUNT(*) FROM regions")
    assert con.execute("SELECT COUNT(*) FROM holidays WHERE tenant = ?", (OTHER,)).fetchone()[0] == 0
    # ids and values as they were (PostgreSQL's text is SQLite's value)
    for table, columns, key in (("complaints", "id, title, status, created_at, reporter_key_hash", "id"),
                                ("users", "id, username, password_hash, role, unit", "id"),
                                ("services_apps", "id, number, state, data_json", "id"),
                                ("services_files", "app_id, hash", "app_id"),
                                ("audit_log", "seq, ts, action, hash, prev_hash", "seq")):
        src = [tuple(val(v) for v in r) for r in
               db.sql("SELECT %s FROM %s WHERE tenant = '%s' ORDER BY %s" % (columns, table, TENANT, key))]
        got = [tuple(val(v) for v in r) for r in
               con.execute("SELECT %s FROM %s WHERE tenant = ? ORDER BY %s" % (columns, table, key), (TENANT,))]
        assert src and src == got, (table, src[:3], got[:3])
    assert con.execute("SELECT COUNT(*) FROM complaints WHERE id = ?", (cid,)).fetchone()[0] == 1
    assert con.execute("SELECT COUNT(*) FROM services_apps WHERE id = ?", (app_id,)).fetchone()[0] == 1
    con.close()

    # it verifies on its own
    v = check_sigap(["audit", "verify", "--tenant", TENANT], db=out)
    assert "audit chain ok" in v.stdout, v.stdout
    c = check_sigap(["check"], db=out)
    assert "integrity check: ok" in c.stdout and "audit chain ok" in c.stdout, c.stdout
    assert "warning" not in c.stdout, c.stdout
    if env.backend == "pg":
        # and it moves onto a PostgreSQL database of its own (docs/deployment.md)
        own = env.new_db(init=False)
        check_sigap(["migrate-data", "--from", out, "--to", own.url])
        assert "audit chain ok" in check_sigap(["check"], db=own).stdout
        assert src_count(own, "SELECT COUNT(*) FROM complaints") == \
            src_count(db, "SELECT COUNT(*) FROM complaints WHERE tenant = '%s'" % TENANT)

    # with --files: the files its rows name, in the file store's layout
    out2 = os.path.join(env.tmp, unique("export") + ".db")
    files = os.path.join(env.tmp, unique("exfiles"))
    p = check_sigap(["tenant", "export", "--tenant", TENANT, "--to", out2, "--files", files, "--data-dir", data],
                    db=db)
    assert "files: 2 referenced, 2 copied to %s" % files in p.stdout, p.stdout
    for h in (photo, doc):
        with open(os.path.join(files, h[:2], h), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == h

    # and it runs: the tenant's complaint and its photo, its admin, no other tenant
    srv = env.start_server(Database("sqlite", out2, path=out2), args=["--data-dir", files])
    c = srv.client()
    c.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    c.get("/t/%s/" % TENANT).expect(200)
    c.get("/t/%s/" % TENANT2).expect(404)
    c.get("/t/%s/" % OTHER).expect(404)
    a = srv.client()
    a.login(TENANT, "admin")
    # the photo (not yet looked at by the coordinator, so for the officials only: docs/complaints.md)
    a.get("/t/%s/pengaduan/%d/foto/0" % (TENANT, cid)).expect(200, ctype="image/jpeg")
    o = srv.client()
    o.login(TENANT, "petugas")
    o.get("/t/%s/permohonan/%d" % (TENANT, app_id)).expect(200, contains="kk.pdf")
    srv.stop()


def test_export_refusals(env):
    db = env.new_db()
    out = os.path.join(env.tmp, unique("export") + ".db")
    with open(out, "w") as f:
        f.write("not to be overwritten")
    p = run_sigap(["tenant", "export", "--tenant", TENANT, "--to", out], db=db)
    assert p.returncode == 1 and "exists" in p.stderr, (p.returncode, p.stderr)
    with open(out) as f:
        assert f.read() == "not to be overwritten"
    new = os.path.join(env.tmp, unique("export") + ".db")
    for args, rc, msg in (
        (["--tenant", "99.99", "--to", new], 1, "unknown tenant '99.99'"),
        (["--tenant", TENANT], 2, "usage: sigap tenant export"),
        (["--to", new], 2, "usage: sigap tenant export"),
        (["--tenant", TENANT, "--to", "postgresql://x@127.0.0.1/y"], 2, "new SQLite file"),
    ):
        p = run_sigap(["tenant", "export"] + args, db=db)
        assert p.returncode == rc and msg in p.stderr, (args, p.returncode, p.stderr)
    # a source that cannot be read
    p = run_sigap(["tenant", "export", "--tenant", TENANT, "--to", new], db=os.path.join(env.tmp, "missing.db"))
    assert p.returncode == 1 and "does not exist" in p.stderr, p.stderr
    # a failure half-way (a referenced file missing from the file store) leaves nothing behind
    data = os.path.join(env.tmp, unique("files"))
    make_activity(env, db, data)
    empty = os.path.join(env.tmp, unique("empty"))
    os.makedirs(empty)
    p = run_sigap(["tenant", "export", "--tenant", TENANT, "--to", new, "--files",
                   os.path.join(env.tmp, unique("x")), "--data-dir", empty], db=db)
    assert p.returncode == 1 and "not in the file store" in p.stderr, (p.returncode, p.stderr)
    assert "--allow-missing-files" in p.stderr, p.stderr
    assert not os.path.exists(new)
    assert not [f for f in os.listdir(env.tmp) if ".tmp" in f], os.listdir(env.tmp)
    # a store that lost files (a failed disk): with --allow-missing-files the export is made without
    # them, each listed, the count said; the rows stay and the export checks
    wanted = set()
    for table, col in (("complaints_photos", "hash"), ("services_files", "hash"), ("services_apps", "result_hash"),
                       ("governance_attachments", "hash")):
        wanted |= {r[0] for r in db.sql("SELECT %s FROM %s WHERE tenant = '%s' AND %s IS NOT NULL AND %s <> ''"
                                        % (col, table, TENANT, col, col))}
    assert wanted, "make_activity stored no files"
    lost = sorted(wanted)[0]
    partial = os.path.join(env.tmp, unique("partial"))
    shutil.copytree(data, partial)
    os.unlink(os.path.join(partial, lost[:2], lost))
    got = os.path.join(env.tmp, unique("files"))
    p = run_sigap(["tenant", "export", "--tenant", TENANT, "--to", new, "--files", got, "--data-dir", partial,
                   "--allow-missing-files"], db=db)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert "file %s is not in the file store" % lost in p.stderr, p.stderr
    assert "files: 1 missing from %s, left out" % partial in p.stdout, p.stdout
    assert not os.path.exists(os.path.join(got, lost[:2], lost))
    assert len([f for _d, _s, fs in os.walk(got) for f in fs]) == len(wanted) - 1
    check_sigap(["check"], db=new)
    os.unlink(new)
    # the flag means nothing without --files
    p = run_sigap(["tenant", "export", "--tenant", TENANT, "--to", new, "--allow-missing-files"], db=db)
    assert p.returncode == 2 and "usage" in p.stderr, p.stderr
    # a province exports only its own rows: not its kabupaten/kota's
    prov = os.path.join(env.tmp, unique("prov") + ".db")
    check_sigap(["tenant", "export", "--tenant", TENANT2, "--to", prov, "--data-dir", data], db=db)
    con, tables, cols = open_export(prov)
    for t in tables:
        if "tenant" in cols[t]:
            bad = con.execute('SELECT COUNT(*) FROM "%s" WHERE tenant NOT IN (?, \'*\')' % t,
                              (TENANT2,)).fetchone()[0]
            assert bad == 0, t
    assert con.execute("SELECT code FROM tenants").fetchall() == [(TENANT2,)]
    con.close()
    check_sigap(["check"], db=prov)
