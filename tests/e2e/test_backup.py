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


@backends("pg")
def test_migrate_data_refuses_a_missing_or_older_source(env):
    """A mistyped --from made an empty SQLite file there, migrated it and the empty target, and
    said "moved: every table's row count matches ... (0 entries in 0 chains)" with exit 0; an
    older source was migrated in place, without the backup 'sigap migrate' asks for. Both are
    refused now, with nothing made or changed on either side."""
    target = env.new_db(init=False)
    missing = os.path.join(env.tmp, unique("typo") + ".db")
    p = run_sigap(["migrate-data", "--from", missing, "--to", target.url])
    assert p.returncode == 1 and "does not exist" in p.stderr and "moved" not in p.stdout, (p.stdout, p.stderr)
    assert not os.path.exists(missing)
    src = os.path.join(env.tmp, unique("old") + ".db")
    check_sigap(["init", "--regions", env.small_regions_csv()], db=src)
    import sqlite3
    con = sqlite3.connect(src)
    n = con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
    con.execute("DELETE FROM schema_version WHERE version = %d" % n)
    con.commit()
    p = run_sigap(["migrate-data", "--from", src, "--to", target.url])
    assert p.returncode == 1 and "at schema version %d; this sigap needs %d" % (n - 1, n) in p.stderr, p.stderr
    assert con.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == n - 1
    con.close()
    assert count(target, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()") == 0


@backends("sqlite")
def test_backup_onto_the_live_database_is_refused(env):
    """The operator's walk: `sigap backup --out` naming the database itself (a typo, or the path
    of SIGAP_DB pasted) wrote the backup beside it and renamed it into place, under the running
    server. The server kept writing into the unlinked file: a citizen's registration answered 303
    was gone after the restart. Now refused, nothing touched, and the server's writes stay."""
    db = env.new_db()
    srv = env.start_server(db=db)
    inode = os.stat(db.path).st_ino
    link = os.path.join(env.tmp, unique("link") + ".db")
    os.symlink(db.path, link)
    for out in (db.path, link, db.path + "-wal"):
        p = run_sigap(["backup", "--out", out], db=db)
        assert p.returncode == 1 and "is the database itself" in p.stderr, (out, p.returncode, p.stderr)
        assert os.stat(db.path).st_ino == inode and os.path.exists(db.path + "-wal"), out
    c = srv.client()
    tok = c.get("/t/52.71/daftar").expect(200).csrf()
    name = unique("sesudah")
    c.post_form("/t/52.71/daftar", {"_csrf": tok, "username": name, "full_name": "Sesudah Cadangan",
                                    "email": "", "phone": "", "password": "sandi-sesudah-1",
                                    "confirm": "sandi-sesudah-1"}).expect(303)
    srv.stop()
    assert count(db, "SELECT COUNT(*) FROM users WHERE username = '%s'" % name) == 1


@backends("sqlite")
def test_restore_refuses_a_database_in_use_and_writes_it_private(env):
    """`sigap restore --force` while sigap still served the file replaced it under the server
    (whose later writes went into the unlinked file), and a restored database was 0644 under
    umask 022 although `sigap init` and `sigap backup` make theirs 0600, owned by whoever ran the
    restore (root, for a service that runs as its own user and then could not open it)."""
    db = env.new_db()
    out = os.path.join(env.tmp, unique("backup") + ".db")
    check_sigap(["backup", "--out", out], db=db)
    srv = env.start_server(db=db)
    inode = os.stat(db.path).st_ino
    p = run_sigap(["restore", "--from", out, "--force"], db=db)
    assert p.returncode == 1 and "is in use" in p.stderr and "stop it first" in p.stderr, (p.returncode, p.stderr)
    assert os.stat(db.path).st_ino == inode and os.path.exists(db.path + "-wal")
    assert srv.client().get("/readyz").status == 200
    srv.stop()
    old = os.umask(0o022)
    try:
        if os.geteuid() == 0:
            # the service runs as its own user; the operator restores as root: the owner stays
            os.chown(db.path, 65534, 65534)
        p = check_sigap(["restore", "--from", out, "--force"], db=db)
        assert "restored" in p.stdout, p.stdout
        assert stat.S_IMODE(os.stat(db.path).st_mode) == 0o600, oct(os.stat(db.path).st_mode)
        if os.geteuid() == 0:
            assert (os.stat(db.path).st_uid, os.stat(db.path).st_gid) == (65534, 65534), os.stat(db.path)
        fresh = os.path.join(env.tmp, unique("fresh") + ".db")
        check_sigap(["restore", "--from", out], db=fresh)
        assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600, oct(os.stat(fresh).st_mode)
        p = check_sigap(["check"], db=fresh)
        assert "warning: database file" not in p.stdout and "audit chain ok" in p.stdout, p.stdout
    finally:
        os.umask(old)
