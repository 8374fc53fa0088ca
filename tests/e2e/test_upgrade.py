"""
test_upgrade.py: the operator's upgrade day (docs/deployment.md, Upgrading).

With the current binary alone: a row put into schema_version stands for a
newer release's migration, a deleted one for an older database.

  - `sigap migrate --status` (and --dry-run) lists the applied migrations
    with their dates and the pending ones with their descriptions, and
    changes nothing (an empty database stays empty);
  - `sigap migrate` says which migrations it applied; `--to N` applies
    them up to N only (the rest stay pending), and refuses N below the
    database's version, beyond the newest, or not a version;
  - a database older than the binary: `sigap serve` refuses with both
    versions and the command to run; a migration that fails half way
    leaves the database whole at the version before it, says which
    migration failed and why, and serve still refuses;
  - a database newer than the binary (a newer release migrated it):
    `sigap serve` and the other commands refuse at once with a clear
    message, `sigap migrate` leaves it alone;
  - an instance still running when another migrates past it (a rolling
    upgrade): /readyz answers 503, the periodic check turns every answer
    but /healthz into 503 "being upgraded" with Retry-After, and a
    statement failing on the changed schema is that 503 too, never a 500;
  - two `sigap migrate` started at the same moment on an empty database
    (two new instances) both succeed, each migration applied once;
  - rolling back: on SQLite the backup taken before brings the old schema
    back and the binary serves it; on PostgreSQL `sigap restore` also drops
    the tables made after the backup (with --force; refused without), so
    that upgrading again later works.
"""
import os
import subprocess

from harness import TENANT, backends, check_sigap, free_port, run_sigap, sigap_bin, clean_env, REPO, unique, \
    wait_for


def version(db):
    return int(db.sql("SELECT COALESCE(MAX(version), 0) FROM schema_version")[0][0])


_LATEST = [None]


def known(env):
    """The schema version this binary knows: that of a freshly made database."""
    if _LATEST[0] is None:
        _LATEST[0] = version(env.new_db())
    return _LATEST[0]


def add_newer(db, v):
    db.sql("INSERT INTO schema_version (version, name, applied_at) VALUES (%d, 'a newer release', 1)" % v)


def assert_nothing_made(db):
    """db, from env.new_db(init=False), is still empty: no table (PostgreSQL), no file (SQLite)."""
    if db.backend == "pg":
        assert db.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()") \
            == [("0",)]
    else:
        assert not os.path.exists(db.path)


def serve_briefly(db, timeout=15):
    """`sigap serve` that is expected to refuse to start: its result."""
    port = free_port()
    try:
        return run_sigap(["serve", "--listen", "127.0.0.1:%d" % port, "--access-log", ""], db=db,
                         timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError("sigap serve started (it was expected to refuse the database)")


def test_migrate_status_lists_applied_and_pending(env):
    db = env.new_db()
    n = known(env)
    p = check_sigap(["migrate", "--status"], db=db)
    assert "schema version %d; this sigap knows %d" % (n, n) in p.stdout, p.stdout
    assert "applied    1" in p.stdout and "platform foundation" in p.stdout, p.stdout
    assert "up to date" in p.stdout and "pending" not in p.stdout, p.stdout
    # a database one migration behind: that one is pending, with its description
    db.sql("DELETE FROM schema_version WHERE version = %d" % n)
    p = check_sigap(["migrate", "--dry-run"], db=db)
    assert "pending  %3d  " % n in p.stdout and "1 migration(s) pending" in p.stdout, p.stdout
    assert "back the database up" in p.stdout, p.stdout
    assert version(db) == n - 1          # nothing applied
    # an empty database: everything pending, nothing created
    empty = env.new_db(init=False)
    p = check_sigap(["migrate", "--status"], db=empty)
    assert "schema version 0" in p.stdout and "pending    1  platform foundation" in p.stdout, p.stdout
    assert_nothing_made(empty)
    # migrate says what it applied
    p = check_sigap(["migrate"], db=empty)
    assert "schema version 0 -> %d" % n in p.stdout, p.stdout
    assert "now applied    1  platform foundation" in p.stdout, p.stdout


def test_migrate_to_stops_at_the_version_given(env):
    """`sigap migrate --to N` (an upgrade in stages) applies the pending migrations up to N and
    stops: --status shows N applied and the later ones pending, serve refuses the database as
    older, a plain `sigap migrate` finishes. N below the database's version (no migration is
    undone), beyond the newest this binary knows, or not a version is refused, nothing changed."""
    n = known(env)
    db = env.new_db(init=False)
    for bad in ("0", "-1", "abc", "26x", " 26", "", str(n + 1)):
        p = run_sigap(["migrate", "--to", bad], db=db)
        assert p.returncode == 2, (bad, p.stdout, p.stderr)
        assert "--to must be a schema version from 1 to %d" % n in p.stderr and "got '%s'" % bad in p.stderr, p.stderr
    p = run_sigap(["migrate", "--status", "--to", str(n)], db=db)
    assert p.returncode == 2 and "without --to" in p.stderr, p.stderr
    assert_nothing_made(db)
    # two short of the newest
    p = check_sigap(["migrate", "--to", str(n - 2)], db=db)
    assert "schema version 0 -> %d" % (n - 2) in p.stdout, p.stdout
    assert "now applied  %3d  " % (n - 2) in p.stdout and "now applied  %3d  " % (n - 1) not in p.stdout, p.stdout
    assert "2 migration(s) still pending (%d to %d)" % (n - 1, n) in p.stdout, p.stdout
    assert version(db) == n - 2
    p = check_sigap(["migrate", "--status"], db=db)
    assert "schema version %d; this sigap knows %d" % (n - 2, n) in p.stdout, p.stdout
    assert "applied  %3d  " % (n - 2) in p.stdout and "applied  %3d  " % (n - 1) not in p.stdout, p.stdout
    assert "pending  %3d  " % (n - 1) in p.stdout and "pending  %3d  " % n in p.stdout, p.stdout
    assert "2 migration(s) pending" in p.stdout, p.stdout
    p = serve_briefly(db)
    assert p.returncode != 0 and "at schema version %d; this sigap needs %d" % (n - 2, n) in p.stderr, p.stderr
    # the version it is at: nothing to do; one below: refused, nothing undone
    p = check_sigap(["migrate", "--to", str(n - 2)], db=db)
    assert "schema version %d -> %d" % (n - 2, n - 2) in p.stdout and "now applied" not in p.stdout, p.stdout
    p = run_sigap(["migrate", "--to", str(n - 3)], db=db)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "schema version %d is already past %d" % (n - 2, n - 3) in p.stderr, p.stderr
    assert "never undone" in p.stderr and "migration failed" not in p.stderr, p.stderr
    assert version(db) == n - 2
    # the rest
    p = check_sigap(["migrate"], db=db)
    assert "schema version %d -> %d" % (n - 2, n) in p.stdout and "still pending" not in p.stdout, p.stdout
    assert "now applied  %3d  " % (n - 1) in p.stdout and "now applied  %3d  " % n in p.stdout, p.stdout
    assert version(db) == n and int(db.sql("SELECT COUNT(*) FROM schema_version")[0][0]) == n
    p = run_sigap(["migrate", "--to", str(n - 1)], db=db)
    assert p.returncode == 1 and "already past" in p.stderr, p.stderr
    check_sigap(["migrate", "--to", str(n)], db=db)
    assert version(db) == n


def test_older_database_refused_with_versions(env):
    db = env.new_db()
    n = known(env)
    db.sql("DELETE FROM schema_version WHERE version = %d" % n)
    p = serve_briefly(db)
    assert p.returncode != 0
    assert "at schema version %d; this sigap needs %d" % (n - 1, n) in p.stderr, p.stderr
    assert "sigap migrate" in p.stderr and "back it up" in p.stderr, p.stderr


def test_migration_failing_half_way_leaves_the_database_whole(env):
    db = env.new_db(init=False)
    # migration 1 creates regions, then tenants: a tenants table there makes it fail half way
    db.sql("CREATE TABLE tenants (x BIGINT)")
    p = run_sigap(["migrate"], db=db)
    assert p.returncode == 1, p.stdout + p.stderr
    assert "migration failed: migration 1 (platform foundation): " in p.stderr, p.stderr
    assert "already exists" in p.stderr and p.stderr.count("migration 1 (") == 1, p.stderr
    assert "stays at schema version 0" in p.stderr, p.stderr
    assert version(db) == 0
    if db.backend == "pg":
        assert db.sql("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                      "AND table_name = 'regions'") == [("0",)]
    else:
        assert db.sql("SELECT COUNT(*) FROM sqlite_master WHERE name = 'regions'") == [(0,)]
    p = serve_briefly(db)
    assert p.returncode != 0 and "not initialised" in p.stderr, p.stderr
    # the cause removed, the migrations apply
    db.sql("DROP TABLE tenants")
    check_sigap(["migrate"], db=db)
    assert version(db) == known(env)


def test_newer_database_refused_at_start(env):
    db = env.new_db()
    n = known(env)
    add_newer(db, n + 1)
    p = serve_briefly(db)
    assert p.returncode != 0
    assert "schema version %d, newer than this sigap knows (%d)" % (n + 1, n) in p.stderr, p.stderr
    assert "restore the backup" in p.stderr, p.stderr
    # the other commands that use the database refuse it too
    p = run_sigap(["tenant", "list"], db=db)
    assert p.returncode != 0 and "newer than this sigap" in p.stderr, p.stdout + p.stderr
    # migrate leaves it alone
    p = run_sigap(["migrate"], db=db)
    assert p.returncode == 1 and "newer than this sigap" in p.stderr, p.stderr
    assert version(db) == n + 1
    p = run_sigap(["migrate", "--status"], db=db)
    assert p.returncode == 1 and "unknown to this sigap" in p.stdout, p.stdout


def test_running_instance_answers_503_once_a_newer_release_migrated(env):
    db = env.new_db()
    srv = env.start_server(db=db, args=["--sweep-interval", "1"])
    c = srv.client()
    c.get("/t/%s/" % TENANT).expect(200)
    c.get("/readyz").expect(200)
    add_newer(db, known(env) + 1)

    def upgrading():
        r = c.get("/t/%s/" % TENANT)
        return r if r.status == 503 else None
    r = wait_for(upgrading, 10)
    assert r, "still answering after the schema moved ahead: %s" % c.get("/t/%s/" % TENANT).status
    assert r.header("retry-after"), r.describe()
    assert "diperbarui" in r.text, r.text[:500]
    r = c.get("/t/%s/" % TENANT, headers={"Accept-Language": "en"})
    assert r.status == 503 and "being upgraded" in r.text, r.text[:500]
    r = c.get("/api/v1/t/%s/services" % TENANT)
    assert r.status == 503 and r.json()["error"]["code"] == "unavailable", r.describe()
    c.get("/readyz").expect(503)
    c.get("/healthz").expect(200)
    assert "newer than this sigap knows" in srv.log_text(), srv.log_text()[-2000:]
    srv.stop()


def test_readyz_notices_a_newer_schema(env):
    db = env.new_db()
    srv = env.start_server(db=db)                   # the periodic check runs a minute later
    c = srv.client()
    c.get("/readyz").expect(200)
    add_newer(db, known(env) + 1)
    r = c.get("/readyz")
    assert r.status == 503 and r.header("retry-after"), r.describe()
    c.get("/t/%s/" % TENANT).expect(503)
    srv.stop()


def test_statement_failing_on_a_migrated_schema_is_503(env):
    db = env.new_db()
    srv = env.start_server(db=db)                   # the periodic check runs a minute later
    c = srv.client()
    c.get("/t/%s/pengaduan" % TENANT).expect(200)
    # a newer release's destructive migration: a column this binary reads is gone
    db.sql("ALTER TABLE complaints RENAME COLUMN title TO title_v2")
    add_newer(db, known(env) + 1)
    r = c.get("/t/%s/pengaduan" % TENANT)
    assert r.status == 503, r.describe()
    assert r.header("retry-after") and "diperbarui" in r.text, r.describe()
    r = c.get("/open311/v2/requests.json?jurisdiction_id=%s" % TENANT)
    assert r.status == 503, r.describe()
    assert "newer than this sigap knows" in srv.log_text(), srv.log_text()[-2000:]
    srv.stop()


def test_two_instances_migrating_at_the_same_moment(env):
    n = known(env)
    for _ in range(3):
        db = env.new_db(init=False)
        cmd = [sigap_bin(), "migrate", "--db", db.url]
        procs = [subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=clean_env()) for _ in range(2)]
        outs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, "a migrate failed: %s%s" % (out, err)
            assert "-> %d" % n in out, out
        assert version(db) == n
        assert int(db.sql("SELECT COUNT(*) FROM schema_version")[0][0]) == n


@backends("sqlite")
def test_rolling_back_with_the_backup(env):
    db = env.new_db()
    n = known(env)
    out = os.path.join(env.tmp, unique("pre-upgrade") + ".db")
    check_sigap(["backup", "--out", out], db=db)
    # the new release migrates; it turns out bad; the old binary refuses the new schema
    add_newer(db, n + 1)
    assert serve_briefly(db).returncode != 0
    # back to the backup: the old binary serves it
    check_sigap(["restore", "--from", out, "--force"], db=db)
    assert version(db) == n
    srv = env.start_server(db=db)
    srv.client().get("/t/%s/" % TENANT).expect(200)
    srv.stop()


@backends("pg")
def test_rolling_back_postgresql_with_the_backup(env):
    """pg_restore --clean makes again only what the backup has: the tables a
    newer release's migration added stayed, and upgrading again later failed
    on them ("relation ... already exists"). sigap restore refuses that
    without --force, and with --force drops them after the restore."""
    # a database of its own: pg_dump and pg_restore work on a whole database
    name = unique("e2e_rb_")
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", env.pg_url, "-c", "CREATE DATABASE %s" % name],
                   check=True, capture_output=True, timeout=60)
    base = env.pg_url.rsplit("/", 1)[0]
    url = base + "/" + name
    try:
        n = known(env)
        check_sigap(["migrate"], db=url)

        def q(sql):
            p = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
                               capture_output=True, text=True, timeout=60)
            assert p.returncode == 0, p.stderr
            return p.stdout.strip()
        dump = os.path.join(env.tmp, unique("pre-upgrade") + ".dump")
        check_sigap(["backup", "--out", dump], db=url)
        # the upgrade: a newer release's migration (a table of its own, its version)
        q("CREATE TABLE newer_release_things (id BIGINT PRIMARY KEY); "
          "INSERT INTO schema_version (version, name, applied_at) VALUES (%d, 'a newer release', 1)" % (n + 1))
        # rolling back: refused without --force, naming the tables made after the backup
        p = run_sigap(["restore", "--from", dump], db=url)
        assert p.returncode != 0 and "newer_release_things" in p.stderr and "--force" in p.stderr, p.stderr
        assert q("SELECT MAX(version) FROM schema_version") == str(n + 1)    # nothing changed
        check_sigap(["restore", "--from", dump, "--force"], db=url)
        assert q("SELECT MAX(version) FROM schema_version") == str(n)
        assert q("SELECT to_regclass('newer_release_things') IS NULL") == "t"
        # and this release takes it as its own again
        p = check_sigap(["migrate"], db=url)
        assert "schema version %d -> %d" % (n, n) in p.stdout, p.stdout
    finally:
        subprocess.run(["psql", "-X", "-q", env.pg_url, "-c", "DROP DATABASE IF EXISTS %s" % name],
                       capture_output=True, timeout=60)


@backends("sqlite")
def test_check_reads_a_backup_taken_before_the_upgrade(env):
    """The operator's walk: once the new binary was installed, `sigap check` of the backup taken
    before the upgrade (the one a rollback restores) refused it and told the operator to run
    'sigap migrate' on the backup, which would have spoilt it as a way back. `check` only reads:
    it checks an older database and says it is older; it changes nothing, and a newer one is still
    refused."""
    db = env.new_db()
    n = known(env)
    out = os.path.join(env.tmp, unique("pre-upgrade") + ".db")
    check_sigap(["backup", "--out", out], db=db)
    import sqlite3
    con = sqlite3.connect(out)
    con.execute("DELETE FROM schema_version WHERE version = %d" % n)
    con.commit()
    con.close()
    p = check_sigap(["check"], db=out)
    assert "schema version %d, older than this sigap's %d" % (n - 1, n) in p.stdout, p.stdout
    assert "integrity check: ok" in p.stdout and "audit chain ok" in p.stdout, p.stdout
    con = sqlite3.connect(out)
    assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == n - 1
    con.close()
    # the other commands still refuse it; a newer database stays refused by check too
    p = run_sigap(["tenant", "list"], db=out)
    assert p.returncode == 1 and "this sigap needs %d" % n in p.stderr, p.stderr
    add_newer(db, n + 1)
    p = run_sigap(["check"], db=db)
    assert p.returncode == 1 and "newer than this sigap knows" in p.stderr, p.stderr
