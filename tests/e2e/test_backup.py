"""
test_backup.py: `sigap backup`, `restore` and `migrate-data`.

- An online SQLite backup taken while a server keeps writing is a sound,
  self-contained database (integrity check and audit chain pass) holding a
  consistent snapshot; restore refuses to overwrite without --force.
- A PostgreSQL backup (pg_dump custom format) is written.
- A backup, on either backend, is readable by its owner only (0600) under
  the usual umask 022: it holds every Pemda's personal data, password
  hashes and second-factor secrets (the provincial operator's walk found
  backups of all ten Pemda of NTB written 0644). A backup that fails leaves
  the previous file of that name as it was, and no temporary file.
- migrate-data moves a SQLite demo database into an empty PostgreSQL schema
  with every row and a verifying audit chain, and refuses a target that
  already holds data.
"""
import os
import re
import shutil
import stat
import threading

from harness import backends, check_sigap, run_sigap, unique


def count(db, sql):
    return int(db.sql(sql)[0][0])


@backends("sqlite")
def test_sqlite_backup_while_writing_and_restore(env):
    db = env.new_db()
    srv = env.start_server(db=db)
    stop = threading.Event()
    done = []

    def writer():
        # logins write sessions and audit entries: a steady stream of commits
        while not stop.is_set():
            c = srv.client(ip="10.9.%d.%d" % (len(done) % 200, len(done) // 200 % 200))
            c.login("52.71", "warga")
            done.append(1)

    t = threading.Thread(target=writer)
    t.start()
    try:
        out = os.path.join(env.tmp, unique("backup") + ".db")
        p = check_sigap(["backup", "--out", out], db=db)
        assert "backup written" in p.stdout, p.stdout
    finally:
        stop.set()
        t.join()
    srv.stop()
    assert done, "the writer made no request"
    # the backup is a complete database on its own: no -wal beside it
    assert os.path.getsize(out) > 0 and not os.path.exists(out + "-wal")
    check = check_sigap(["check"], db=out)
    assert "integrity check: ok" in check.stdout and "audit chain ok" in check.stdout, check.stdout
    # restore into a new place, then refuse to overwrite without --force
    target = os.path.join(env.tmp, unique("restored") + ".db")
    check_sigap(["restore", "--from", out], db=target)
    assert "audit chain ok" in check_sigap(["check"], db=target).stdout
    p = run_sigap(["restore", "--from", out], db=target)
    assert p.returncode == 1 and "--force" in p.stderr, p.stderr
    check_sigap(["restore", "--from", out, "--force"], db=target)
    # a file that is no database is refused, and the target stays intact
    junk = os.path.join(env.tmp, unique("junk"))
    with open(junk, "w") as f:
        f.write("not a database\n")
    p = run_sigap(["restore", "--from", junk, "--force"], db=target)
    assert p.returncode == 1 and "not a sound sigap database" in p.stderr, p.stderr
    assert "audit chain ok" in check_sigap(["check"], db=target).stdout
    p = run_sigap(["restore", "--from", os.path.join(env.tmp, "missing.db")], db=target + ".x")
    assert p.returncode == 1 and "cannot read backup" in p.stderr, p.stderr


def test_backup_is_readable_by_its_owner_only(env):
    if env.backend == "pg" and not shutil.which("pg_dump"):
        return
    db = env.new_db()
    out = os.path.join(env.tmp, unique("private") + ".bak")
    old = os.umask(0o022)
    try:
        check_sigap(["backup", "--out", out], db=db)
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600, oct(os.stat(out).st_mode)
        # a second backup under the same name replaces it, still 0600
        check_sigap(["backup", "--out", out], db=db)
        assert stat.S_IMODE(os.stat(out).st_mode) == 0o600, oct(os.stat(out).st_mode)
        size = os.path.getsize(out)
        # a backup that fails (a database that is not there) keeps the good one
        bad = (db.url + "_missing") if env.backend == "sqlite" else \
            re.sub(r"/([^/?]+)(\?|$)", r"/\1_missing\2", db.url, count=1)
        p = run_sigap(["backup", "--out", out], db=bad)
        assert p.returncode == 1 and "backup failed" in p.stderr, (p.returncode, p.stderr)
        assert os.path.getsize(out) == size
        assert [f for f in os.listdir(os.path.dirname(out)) if f.startswith(os.path.basename(out) + ".tmp")] == []
    finally:
        os.umask(old)


@backends("pg")
def test_pg_backup_is_written(env):
    if not shutil.which("pg_dump"):
        return
    db = env.new_db()
    out = os.path.join(env.tmp, unique("pgbackup") + ".dump")
    check_sigap(["backup", "--out", out], db=db)
    with open(out, "rb") as f:
        assert f.read(5) == b"PGDMP", "not a pg_dump custom-format file"


@backends("pg")
def test_migrate_data_sqlite_to_postgresql(env):
    src = os.path.join(env.tmp, unique("src") + ".db")
    check_sigap(["init", "--demo", "--regions", env.small_regions_csv()], db=src)
    # some activity in the source first
    check_sigap(["tenant", "add", "52.01"], db=src)
    target = env.new_db(init=False)
    p = run_sigap(["migrate-data", "--from", src, "--to", target.url])
    assert p.returncode == 0, p.stderr
    assert "every table's row count matches" in p.stdout and "audit chain verified" in p.stdout, p.stdout
    import sqlite3
    con = sqlite3.connect(src)
    try:
        for table in ("regions", "tenants", "users", "units", "audit_log", "holidays"):
            want = con.execute("SELECT COUNT(*) FROM %s" % table).fetchone()[0]
            assert count(target, "SELECT COUNT(*) FROM %s" % table) == want, table
    finally:
        con.close()
    assert "audit chain ok" in check_sigap(["check"], db=target.url).stdout
    # ids keep counting after the copied ones: a new user gets a fresh id
    check_sigap(["user", "add", "--tenant", "52.71", "--username", unique("baru"), "--name", "Pengguna Baru",
                 "--role", "warga"], db=target.url, input="kata-sandi-yang-panjang\n")
    # a second copy into the same (now full) target is refused
    p = run_sigap(["migrate-data", "--from", src, "--to", target.url])
    assert p.returncode == 1 and "already has" in p.stderr, p.stderr
    # the source must be SQLite
    p = run_sigap(["migrate-data", "--from", target.url, "--to", target.url])
    assert p.returncode == 1, p.stderr
