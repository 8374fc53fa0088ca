"""
test_cli.py: the sigap commands: init (idempotent), tenant, user and
import commands with their error messages and exit codes, `audit verify`
on an intact and on a tampered database, and start-up failures (an
unreachable database, bad settings) that must exit non-zero with a message
naming the problem.
"""
import os
import subprocess

from harness import REPO, check_sigap, run_sigap, unique


def count(db, sql):
    return int(db.sql(sql)[0][0])


TABLES = ("regions", "tenants", "users", "units", "holidays", "audit_log")


def test_init_is_idempotent(env):
    db = env.new_db(init=False)
    first = check_sigap(["init", "--regions", env.small_regions_csv()], db=db)
    assert "schema version 0 -> " in first.stdout, first.stdout
    assert "imported" in first.stdout and "regions" in first.stdout, first.stdout
    assert "national holidays" in first.stdout, first.stdout
    counts = [count(db, "SELECT COUNT(*) FROM %s" % t) for t in TABLES]
    assert counts[0] > 1000 and counts[1] == 0 and counts[4] == 126, counts
    second = check_sigap(["init"], db=db)
    version = first.stdout.split("schema version 0 -> ")[1].split()[0]
    assert "schema version %s -> %s" % (version, version) in second.stdout, second.stdout
    assert "imported" not in second.stdout, second.stdout      # nothing imported twice
    assert [count(db, "SELECT COUNT(*) FROM %s" % t) for t in TABLES] == counts
    # --demo on a database that has the demo already changes nothing
    demo = env.new_db()
    counts = [count(demo, "SELECT COUNT(*) FROM %s" % t) for t in TABLES]
    assert counts[1] == 2 and counts[2] == 20, counts
    p = check_sigap(["init", "--demo"], db=demo)
    assert "schema version %s -> %s" % (version, version) in p.stdout and "imported" not in p.stdout, p.stdout
    assert [count(demo, "SELECT COUNT(*) FROM %s" % t) for t in TABLES] == counts
    check_sigap(["migrate"], db=demo)
    p = check_sigap(["audit", "verify"], db=demo)
    assert p.stdout.startswith("audit chain ok"), p.stdout


def test_tenant_add_and_list(env):
    db = env.new_db()
    p = check_sigap(["tenant", "add", "52.01"], db=db)
    assert p.stdout.strip() == "tenant 52.01 added", p.stdout
    lines = check_sigap(["tenant", "list"], db=db).stdout.splitlines()
    assert [l.split()[0] for l in lines] == ["52", "52.01", "52.71"], lines
    row = [l for l in lines if l.startswith("52.01")][0]
    assert "Kabupaten Lombok Barat" in row and "Bupati" in row and "WITA" in row, row
    # tab-separated, for scripts: a name has spaces and may be longer than any column
    assert row.split("\t") == ["52.01", "Kabupaten Lombok Barat", "Bupati", "WITA", "aktif"], row
    # --help after a command is the usage, exit 0, and opens no database
    for args in (["tenant", "--help"], ["init", "-h"], ["user", "add", "--help"]):
        p = run_sigap(args, db=db.url + "_missing" if env.backend == "sqlite" else db)
        assert p.returncode == 0 and "usage: sigap COMMAND" in p.stdout and p.stderr == "", (args, p.returncode, p.stderr)
    assert not os.path.exists(db.url + "_missing")
    for args, rc, msg in (
        (["tenant", "add", "52.01"], 1, "tenant '52.01' already exists"),
        (["tenant", "add", "99"], 1, "unknown region code '99' (import the region list first)"),
        (["tenant", "add", "52.71.01"], 1, "'52.71.01' is a kecamatan or desa; a tenant is a provinsi or kabupaten/kota"),
        (["tenant", "add", "52.71.01.1004"], 1, "is a kecamatan or desa"),
        (["tenant", "add", "abc"], 1, "'abc' is not a kode wilayah"),
        (["tenant", "add"], 2, "usage: sigap tenant add CODE"),
        (["tenant", "remove", "52"], 2, "usage: sigap tenant add CODE"),
    ):
        p = run_sigap(args, db=db)
        assert p.returncode == rc and msg in p.stderr, (args, p.returncode, p.stderr)
    assert count(db, "SELECT COUNT(*) FROM tenants") == 3
    # the new tenant has an audit chain of its own
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE tenant = '52.01' AND action = 'tenant.add'") == 1


def test_user_add_list_and_passwd(env):
    db = env.new_db()
    base = ["user", "add", "--tenant", "52.71", "--name", "Ni Luh Uji"]
    p = check_sigap(base + ["--username", "niluh", "--role", "warga"], db=db, input="kata-sandi-kuat-1\n")
    assert p.stdout.strip() == "user niluh added", p.stdout
    p = check_sigap(base + ["--username", "petugas2", "--role", "petugas", "--unit", "DISDUKCAPIL"], db=db,
                    input="kata-sandi-kuat-2\n")
    assert p.stdout.strip() == "user petugas2 added", p.stdout
    # the same words for every account, with or without an OPD
    p = check_sigap(base + ["--username", "pt_dlh", "--role", "petugas", "--unit", "DLH"], db=db,
                    input="kata-sandi-kuat-3\n")
    assert p.stdout == "user pt_dlh added\n", p.stdout
    listing = check_sigap(["user", "list", "--tenant", "52.71"], db=db).stdout
    rows = {l.split()[0]: l.split() for l in listing.splitlines()}
    assert rows["niluh"][:3] == ["niluh", "warga", "-"], rows["niluh"]
    assert rows["petugas2"][:3] == ["petugas2", "petugas", "DISDUKCAPIL"], rows["petugas2"]
    assert "admin" in rows and len(rows) == 13, rows
    # the password is stored hashed
    h = db.sql("SELECT password_hash FROM users WHERE username = 'niluh'")[0][0]
    assert "kata-sandi-kuat-1" not in h and h.startswith("$argon2"), h
    for args, stdin, rc, msg in (
        (base + ["--username", "lemah", "--role", "warga"], "pendek\n", 1, "sigap: the password needs at least 10 characters\n"),
        (base + ["--username", "kosong", "--role", "warga"], "", 2, "no password given on stdin"),
        (base + ["--username", "niluh", "--role", "warga"], "kata-sandi-kuat-1\n", 1, "sigap: this username is already taken\n"),
        (base + ["--username", "Bad Name", "--role", "warga"], "kata-sandi-kuat-1\n", 1, "sigap: a username has 3-64 characters"),
        (base + ["--username", "raja", "--role", "raja"], "kata-sandi-kuat-1\n", 1, "sigap: unknown role\n"),
        (base + ["--username", "tanpaopd", "--role", "petugas"], "kata-sandi-kuat-1\n", 1,
         "sigap: this role must belong to one agency (OPD)"),
        (base + ["--username", "wargaopd", "--role", "warga", "--unit", "DLH"], "kata-sandi-kuat-1\n", 1,
         "sigap: this role does not belong to an agency (OPD)"),
        (base + ["--username", "sekdaopd", "--role", "sekda", "--unit", "DLH"], "kata-sandi-kuat-1\n", 1,
         "sigap: this role does not belong to an agency (OPD)"),
        (["user", "add", "--tenant", "99.99", "--username", "x1x", "--name", "X", "--role", "warga"],
         "kata-sandi-kuat-1\n", 1, "unknown tenant '99.99'"),
        (["user", "add", "--tenant", "52.71", "--username", "x2x"], "kata-sandi-kuat-1\n", 2,
         "user add needs --username, --name and --role"),
        (["user", "list"], "", 2, "usage: sigap user"),
    ):
        p = run_sigap(args, db=db, input=stdin)
        assert p.returncode == rc and msg in p.stderr, (args, p.returncode, p.stderr)
    assert count(db, "SELECT COUNT(*) FROM users WHERE tenant = '52.71'") == 13
    # user passwd
    p = check_sigap(["user", "passwd", "--tenant", "52.71", "--username", "niluh"], db=db, input="sandi-baru-niluh\n")
    assert "password changed" in p.stdout, p.stdout
    assert db.sql("SELECT password_hash FROM users WHERE username = 'niluh'")[0][0] != h
    p = run_sigap(["user", "passwd", "--tenant", "52.71", "--username", "niluh"], db=db, input="pendek\n")
    assert p.returncode == 1 and p.stderr == "sigap: the password needs at least 10 characters\n", p.stderr


def test_commands_on_an_unknown_tenant_fail_naming_it(env):
    """A typo in --tenant (52.7l for 52.71, or a Pemda not added yet) fails with exit 1 and says
    so: the provincial operator's walk found `unit list`, `user list` and `audit verify --tenant`
    printing nothing (or "audit chain ok: 0 entries") with exit 0, as if all were well, and
    `unit add` answering with the database's foreign-key error (on PostgreSQL, its SQLSTATE)."""
    db = env.new_db()
    units = count(db, "SELECT COUNT(*) FROM units")
    for args in (["unit", "add", "--tenant", "52.99", "--code", "DISKOMINFO", "--name", "Dinas Kominfo"],
                 ["unit", "list", "--tenant", "52.99"],
                 ["user", "list", "--tenant", "52.7l"],
                 # each said something else: "no user 'admin' in '52.99'", "no such user in this
                 # tenant", "no active API key ...", and `user add` asked for the password first
                 ["user", "passwd", "--tenant", "52.99", "--username", "admin"],
                 ["user", "2fa-reset", "--tenant", "52.99", "--username", "admin"],
                 ["user", "add", "--tenant", "52.99", "--username", "admin", "--name", "A", "--role", "admin"],
                 ["apikey", "create", "--tenant", "52.99", "--name", "gateway"],
                 ["apikey", "revoke", "--tenant", "52.99", "sgp_abcdef"],
                 ["audit", "verify", "--tenant", "52.99"],
                 ["holiday", "add", "--tenant", "52.99", "--date", "2026-06-15", "--name", "Hari X"],
                 ["holiday", "remove", "--tenant", "52.99", "--date", "2026-06-15"],
                 ["holiday", "list", "--tenant", "52.99"]):
        p = run_sigap(args, db=db, input="kata-sandi-kuat-1\n")
        assert p.returncode == 1 and p.stdout == "", (args, p.returncode, p.stdout, p.stderr)
        assert "unknown tenant '%s'" % args[args.index("--tenant") + 1] in p.stderr, (args, p.stderr)
        assert "SQLSTATE" not in p.stderr and "FOREIGN KEY" not in p.stderr.upper(), p.stderr
    assert count(db, "SELECT COUNT(*) FROM units") == units
    # a known Pemda without OPDs or users still lists nothing, with exit 0
    check_sigap(["tenant", "add", "52.01"], db=db)
    assert check_sigap(["unit", "list", "--tenant", "52.01"], db=db).stdout == ""
    assert check_sigap(["user", "list", "--tenant", "52.01"], db=db).stdout == ""
    p = check_sigap(["audit", "verify", "--tenant", "52.01"], db=db)
    assert p.stdout.strip() == "audit chain ok: 1 entries in 1 chains", p.stdout


def test_holiday_add_remove_list_follow_the_admin_pages_rules(env):
    """The operator's walkthrough: `holiday add` took 2026-12-25 (Christmas, already a national
    holiday), which the admin page refuses with a 409 naming it; there was no `holiday remove`
    and no `holiday list`. Now the CLI applies the page's rules (tenants.h holiday_local_*)."""
    db = env.new_db()
    hol = ["holiday", "add", "--tenant"]
    before = count(db, "SELECT COUNT(*) FROM holidays")
    for args, msg in (
        (hol + ["52.71", "--date", "2026-12-25", "--name", "Natal"], "'2026-12-25' is already a holiday: Hari Raya Natal"),
        (hol + ["52", "--date", "2026-08-17", "--name", "HUT RI"], "is already a holiday: Hari Kemerdekaan"),
        (hol + ["52.71", "--date", "1999-06-15", "--name", "Lama"], "the date must be between the years 2000 and 2100"),
        (hol + ["52.71", "--date", "2026-06-15", "--name", "Dua\nbaris"], "no line breaks)"),
    ):
        p = run_sigap(args, db=db)
        assert p.returncode == 1 and msg in p.stderr and p.stdout == "", (args, p.returncode, p.stdout, p.stderr)
    assert count(db, "SELECT COUNT(*) FROM holidays") == before
    # the province's day holds in its cities: a city cannot add it again, nor remove it
    p = check_sigap(hol + ["52", "--date", "2026-08-20", "--name", "HUT NTB"], db=db)
    assert p.stdout == "local holiday 2026-08-20 added for 52: HUT NTB\n", p.stdout
    p = run_sigap(hol + ["52.71", "--date", "2026-08-20", "--name", "HUT NTB di kota"], db=db)
    assert p.returncode == 1 and "is already a holiday: HUT NTB" in p.stderr, p.stderr
    p = check_sigap(hol + ["52.71", "--date", "2026-06-15", "--name", "Hari Jadi Kota Mataram"], db=db)
    assert p.stdout == "local holiday 2026-06-15 added for 52.71: Hari Jadi Kota Mataram\n", p.stdout
    # the list: national, the province's and its own, tab-separated, by date
    lines = check_sigap(["holiday", "list", "--tenant", "52.71", "--year", "2026"], db=db).stdout.splitlines()
    assert "2026-06-15\t52.71\tlibur_daerah\tHari Jadi Kota Mataram" in lines, lines
    assert "2026-08-20\t52\tlibur_daerah\tHUT NTB" in lines, lines
    assert "2026-12-25\tnasional\tlibur_nasional\tHari Raya Natal" in lines, lines
    assert lines == sorted(lines) and all(l.startswith("2026-") for l in lines), lines
    assert count(db, "SELECT COUNT(*) FROM holidays WHERE day LIKE '2026-%' AND tenant IN ('*', '52', '52.71')") == len(lines)
    other = check_sigap(["holiday", "list", "--tenant", "52"], db=db).stdout
    assert "Hari Jadi Kota Mataram" not in other and "2026-08-20\t52\tlibur_daerah\tHUT NTB" in other
    assert "2023-01-01\tnasional" in other and "2027-" in other      # every year without --year
    # remove: the Pemda's own day only, with clear refusals
    for args, rc, msg in (
        (["52.71", "--date", "2026-12-25"], 1, "'2026-12-25' is a national holiday, not a local one of '52.71'"),
        (["52.71", "--date", "2026-08-20"], 1, "a local holiday of the province '52', not of '52.71' (remove it with --tenant 52)"),
        (["52.71", "--date", "2026-06-16"], 1, "is a national holiday"),
        (["52.71", "--date", "2026-06-17"], 1, "'52.71' has no local holiday on 2026-06-17"),
        (["52.71", "--date", "2026-02-30"], 2, "invalid date '2026-02-30'"),
        (["52.71"], 2, "usage: sigap holiday add"),
        (["52.71", "--date", "2026-06-15", "--name", "X"], 2, "usage: sigap holiday add"),
    ):
        p = run_sigap(["holiday", "remove", "--tenant"] + args, db=db)
        assert p.returncode == rc and msg in p.stderr and p.stdout == "", (args, p.returncode, p.stderr)
    p = run_sigap(["holiday", "list", "--tenant", "52.71", "--year", "26"], db=db)
    assert p.returncode == 2 and "--year must be a year from 2000 to 2100, got '26'" in p.stderr, p.stderr
    p = check_sigap(["holiday", "remove", "--tenant", "52.71", "--date", "2026-06-15"], db=db)
    assert p.stdout == "local holiday 2026-06-15 removed from 52.71: Hari Jadi Kota Mataram\n", p.stdout
    p = check_sigap(["holiday", "remove", "--tenant", "52", "--date", "2026-08-20"], db=db)
    assert "removed from 52: HUT NTB" in p.stdout, p.stdout
    assert count(db, "SELECT COUNT(*) FROM holidays") == before
    # audited as the page does, by the operator
    rows = db.sql("SELECT tenant, action, object, summary FROM audit_log WHERE actor = 'cli' AND action IN ('holiday.add', 'holiday.remove') "
                  "ORDER BY tenant, seq")
    assert [tuple(map(str, r)) for r in rows] == [
        ("52", "holiday.add", "2026-08-20", "HUT NTB"), ("52", "holiday.remove", "2026-08-20", "HUT NTB"),
        ("52.71", "holiday.add", "2026-06-15", "Hari Jadi Kota Mataram"),
        ("52.71", "holiday.remove", "2026-06-15", "Hari Jadi Kota Mataram")], rows
    p = check_sigap(["audit", "verify"], db=db)
    assert p.stdout.startswith("audit chain ok"), p.stdout


def test_unit_add_says_what_it_added_and_knows_the_kinds(env):
    """`unit add` printed nothing on success and stored any --kind (a typo like 'dinass' made an
    OPD whose kind the admin page cannot show); the kinds are the admin page's (and the demo's)."""
    db = env.new_db()
    base = ["unit", "add", "--tenant", "52.71", "--code"]
    p = check_sigap(base + ["BAPPEDA", "--name", "Badan Perencanaan Pembangunan Daerah", "--kind", "badan"], db=db)
    assert p.stdout == "OPD BAPPEDA added for 52.71 (badan): Badan Perencanaan Pembangunan Daerah\n", p.stdout
    p = check_sigap(base + ["DISPAR", "--name", "Dinas Pariwisata"], db=db)
    assert p.stdout == "OPD DISPAR added for 52.71 (dinas): Dinas Pariwisata\n", p.stdout
    for kind in ("dinass", "Dinas", "", "kantor"):
        p = run_sigap(base + ["KANTOR", "--name", "Kantor X", "--kind", kind], db=db)
        assert p.returncode == 1 and p.stdout == "", (kind, p.returncode, p.stdout)
        assert ("unknown OPD kind '%s' (one of: dinas, badan, sekretariat, inspektorat, satuan, kecamatan, "
                "kelurahan, bagian, lainnya)" % kind) in p.stderr, p.stderr
    assert count(db, "SELECT COUNT(*) FROM units WHERE code = 'KANTOR'") == 0
    # the admin page's rules of a code and a name (tenants.h unit_code_check, unit_name_check), in
    # English: `unit add` took "a", "1DINAS" and "DLH/2", which the page refuses
    code_rule = ("sigap: an agency code has 2-24 characters: letters, digits, underscores or hyphens, "
                 "starting with a letter\n")
    name_rule = "sigap: the agency needs a name (at most 200 characters)\n"
    units = count(db, "SELECT COUNT(*) FROM units")
    for code, name, msg in (("a", "Dinas A", code_rule), ("1DINAS", "Dinas Satu", code_rule),
                            ("DLH/2", "Dinas Dua", code_rule), ("DINAS X", "Dinas X", code_rule),
                            ("X" * 25, "Dinas Panjang", code_rule), ("", "Tanpa Kode", code_rule),
                            ("DISKOP", "", name_rule), ("DISKOP", "  ", name_rule),
                            ("DISKOP", "Dua\nbaris", name_rule), ("DISKOP", "n" * 201, name_rule)):
        p = run_sigap(base + [code, "--name", name], db=db)
        assert p.returncode == 1 and p.stdout == "" and p.stderr == msg, (code, name, p.returncode, p.stderr)
    assert count(db, "SELECT COUNT(*) FROM units") == units
    p = run_sigap(["unit", "add", "--tenant", "52.71", "--code", "DISKOP"], db=db)
    assert p.returncode == 2 and p.stderr == "sigap: unit add needs --code and --name\n", p.stderr
    # typed in lower case, stored in capitals as the page stores it
    p = check_sigap(base + ["diskop", "--name", "Dinas Koperasi"], db=db)
    assert p.stdout == "OPD DISKOP added for 52.71 (dinas): Dinas Koperasi\n", p.stdout
    p = run_sigap(base + ["Diskop", "--name", "Dinas Koperasi"], db=db)
    assert p.returncode == 1 and p.stderr == "sigap: OPD 'DISKOP' already exists in '52.71'\n", p.stderr
    rows = db.sql("SELECT code, kind FROM units WHERE tenant = '52.71' AND code IN ('BAPPEDA', 'DISPAR') ORDER BY code")
    assert [tuple(map(str, r)) for r in rows] == [("BAPPEDA", "badan"), ("DISPAR", "dinas")], rows
    lines = check_sigap(["unit", "list", "--tenant", "52.71"], db=db).stdout.splitlines()
    assert any(l.split()[:2] == ["BAPPEDA", "badan"] for l in lines), lines


def _write(env, name, text):
    path = os.path.join(env.tmp, unique(name))
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def test_import_wilayah_malformed_fails_with_line_and_keeps_data(env):
    db = env.new_db()
    before = count(db, "SELECT COUNT(*) FROM regions")
    assert before > 1000
    bad_level = _write(env, "lvl", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71,Kota Mataram,5\n")
    p = run_sigap(["import", "wilayah", bad_level], db=db)
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    assert "import of '%s' failed: line 3: level '5' does not match code '52.71'" % bad_level in p.stderr, p.stderr
    bad_code = _write(env, "code", "kode,nama,level\n52,Nusa Tenggara Barat,1\nxx.yy,Salah,2\n")
    p = run_sigap(["import", "wilayah", bad_code], db=db)
    assert p.returncode == 1 and "line 3" in p.stderr, p.stderr
    orphan = _write(env, "orphan", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71,Kota Mataram,2\n77.01,Tanpa Induk,2\n")
    p = run_sigap(["import", "wilayah", orphan], db=db)
    assert p.returncode == 1 and "failed" in p.stderr and "parent" in p.stderr, p.stderr
    p = run_sigap(["import", "wilayah", os.path.join(env.tmp, "tidak-ada.csv")], db=db)
    assert p.returncode == 1 and "No such file or directory" in p.stderr, p.stderr
    # all or nothing: the old list is untouched
    assert count(db, "SELECT COUNT(*) FROM regions") == before
    assert db.sql("SELECT name FROM regions WHERE code = '52.71'")[0][0] == "Kota Mataram"
    assert count(db, "SELECT COUNT(*) FROM regions WHERE code IN ('77.01', 'xx.yy')") == 0
    p = run_sigap(["import", "wilayah"], db=db)
    assert p.returncode == 2 and "usage: sigap import wilayah FILE" in p.stderr, p.stderr


def test_import_wilayah_missing_parent_names_the_region(env):
    db = env.new_db()
    orphan = _write(env, "orphan", "kode,nama,level\n52,Nusa Tenggara Barat,1\n52.71,Kota Mataram,2\n77.01,Tanpa Induk,2\n")
    p = run_sigap(["import", "wilayah", orphan], db=db)
    assert p.returncode == 1, p.returncode
    assert "line 4" in p.stderr or "77.01" in p.stderr, p.stderr


def _verify(db):
    return run_sigap(["audit", "verify"], db=db)


def test_audit_verify_ok(env):
    db = env.new_db()
    p = _verify(db)
    n = count(db, "SELECT COUNT(*) FROM audit_log")
    chains = count(db, "SELECT COUNT(*) FROM audit_heads")
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert p.stdout.strip() == "audit chain ok: %d entries in %d chains" % (n, chains), p.stdout
    p = run_sigap(["audit", "verify", "--tenant", "52.71"], db=db)
    n71 = count(db, "SELECT COUNT(*) FROM audit_log WHERE tenant = '52.71'")
    assert p.returncode == 0 and p.stdout.strip() == "audit chain ok: %d entries in 1 chains" % n71, p.stdout


def test_audit_verify_detects_an_edited_entry(env):
    db = env.new_db()
    db.sql("UPDATE audit_log SET summary = 'role=admin unit=' WHERE tenant = '52.71' AND seq = 3")
    p = _verify(db)
    assert p.returncode == 1, (p.returncode, p.stdout)
    assert p.stdout.strip() == ("audit chain BROKEN in tenant '52.71' at entry 3: "
                                "entry 3: hash does not match its content (edited)"), p.stdout
    # the other chains are fine
    assert run_sigap(["audit", "verify", "--tenant", "52"], db=db).returncode == 0


def test_audit_verify_detects_a_deleted_entry(env):
    db = env.new_db()
    db.sql("DELETE FROM audit_log WHERE tenant = '52.71' AND seq = 2")
    p = _verify(db)
    assert p.returncode == 1, (p.returncode, p.stdout)
    assert "audit chain BROKEN in tenant '52.71' at entry 2: entry 2 is missing (found 3 next)" in p.stdout, p.stdout
    # removing the last entry is noticed through the chain head
    db = env.new_db()
    last = count(db, "SELECT MAX(seq) FROM audit_log WHERE tenant = '52'")
    db.sql("DELETE FROM audit_log WHERE tenant = '52' AND seq = %d" % last)
    p = _verify(db)
    assert p.returncode == 1 and "tenant '52'" in p.stdout and "removed from the end" in p.stdout, p.stdout


def test_audit_verify_detects_swapped_entries(env):
    db = env.new_db()
    for q in ("UPDATE audit_log SET seq = -1 WHERE tenant = '52.71' AND seq = 2",
              "UPDATE audit_log SET seq = 2 WHERE tenant = '52.71' AND seq = 3",
              "UPDATE audit_log SET seq = 3 WHERE tenant = '52.71' AND seq = -1"):
        db.sql(q)
    p = _verify(db)
    assert p.returncode == 1, (p.returncode, p.stdout)
    assert p.stdout.startswith("audit chain BROKEN in tenant '52.71' at entry 2: entry 2"), p.stdout
    # swapping the contents but keeping the hashes in place is caught too
    db = env.new_db()
    a = db.sql("SELECT actor, action, object, summary FROM audit_log WHERE tenant = '52' AND seq = 4")[0]
    b = db.sql("SELECT actor, action, object, summary FROM audit_log WHERE tenant = '52' AND seq = 5")[0]
    for seq, row in ((4, b), (5, a)):
        db.sql("UPDATE audit_log SET actor = '%s', action = '%s', object = '%s', summary = '%s' "
               "WHERE tenant = '52' AND seq = %d" % (tuple(v.replace("'", "''") for v in row) + (seq,)))
    p = _verify(db)
    assert p.returncode == 1 and "at entry 4: entry 4: hash does not match its content (edited)" in p.stdout, p.stdout


def test_serve_with_unreachable_postgresql_fails(env):
    p = run_sigap(["serve", "--db", "postgresql://127.0.0.1:1/x", "--listen", "127.0.0.1:0"])
    assert p.returncode != 0, p.returncode
    assert "cannot open database" in p.stderr and "127.0.0.1" in p.stderr and "port 1" in p.stderr, p.stderr


def test_serve_on_an_uninitialised_database_fails(env):
    path = os.path.join(env.tmp, unique("empty") + ".db")
    p = run_sigap(["serve", "--listen", "127.0.0.1:0"], db=path)
    assert p.returncode == 1 and "does not exist; run 'sigap init --db %s'" % path in p.stderr, p.stderr
    assert not os.path.exists(path), "serve left an empty database file behind"
    # a port in use is an error with a message, not a crash
    srv = env.server
    p = run_sigap(["serve", "--listen", "256.1.1.1:%d" % srv.port], db=env.shared_db)
    assert p.returncode == 1 and "256.1.1.1" in p.stderr, (p.returncode, p.stderr)


def test_serve_on_an_address_in_use_fails(env):
    """The operator's walk: a second `sigap serve` on the address of a running one (an old binary
    left running after an upgrade, a test instance started by hand) started as well, since the
    server's sockets share their port (SO_REUSEPORT), and the kernel split the connections between
    the two. It exits 1 at once now, naming the address, and the first one keeps serving."""
    db = env.new_db()
    srv = env.start_server(db=db)
    for host in ("127.0.0.1", "0.0.0.0"):
        try:
            p = run_sigap(["serve", "--listen", "%s:%d" % (host, srv.port), "--access-log", ""], db=db, timeout=10)
        except subprocess.TimeoutExpired:
            raise AssertionError("a second sigap serve started on %s:%d" % (host, srv.port))
        assert p.returncode == 1, (host, p.returncode, p.stderr)
        assert "cannot listen on %s:%d: the address is in use" % (host, srv.port) in p.stderr, p.stderr
    assert srv.alive and srv.client().get("/readyz").status == 200
    srv.stop()


def test_serve_says_at_start_what_is_missing_behind_a_proxy(env):
    """The operator's walk behind nginx as docs/deployment.md showed it: e-mail configured without
    public-url sent messages without links (and offered no password reset) without a word, the open
    data catalogue named https://sigap/... (nginx passes its upstream's name as Host), and nothing
    said where uploaded files go (a relative data-dir is /var/files under systemd). The start-up
    log says all three; with public-url set the warnings are gone."""
    args = ["--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "layanan@banjarmasinkota.go.id"]
    srv = env.start_server(args=args)
    srv.stop()
    log = srv.log_text()
    assert "warn: public-url is not set: e-mails go out without links" in log, log
    assert "warn: trust-proxy without public-url" in log and "proxy_set_header Host" in log, log
    assert "uploaded files in %s/var/files" % REPO in log, log
    srv = env.start_server(args=args + ["--public-url", "https://sigap.banjarmasinkota.go.id", "--data-dir",
                                        os.path.join(env.tmp, "files")])
    srv.stop()
    log = srv.log_text()
    assert "public-url" not in log and "uploaded files in %s" % os.path.join(env.tmp, "files") in log, log


def test_a_settings_file_with_a_secret_readable_by_others_is_warned_about(env):
    """README and docs/deployment.md say to put the SMTP password and the metrics token in the
    settings file rather than on the command line; a file made under umask 022 is readable by
    every local user, and nothing said so. `check` and `serve` warn (naming the setting, never
    its value), for --config and SIGAP_CONFIG alike; a file without secrets, or 0600, is quiet."""
    db = env.new_db()
    secret = _write(env, "conf", "smtp-password = Rahasia-SMTP-99\nmail-from = a@b.go.id\n")
    url = _write(env, "conf", "smtp-url = smtp://sigap:Rahasia-URL-99@mail.example:587\n"
                              "mail-from = a@b.go.id\n")
    plain = _write(env, "conf", "threads = 2\n")
    for path in (secret, url, plain):
        os.chmod(path, 0o644)
    p = check_sigap(["check", "--config", secret], db=db)
    assert "warning: settings file %s holds smtp-password and has mode 0644" % secret in p.stdout, p.stdout
    p = check_sigap(["check"], db=db, env={"SIGAP_CONFIG": url})
    assert "warning: settings file %s holds smtp-url" % url in p.stdout, p.stdout
    assert "Rahasia" not in p.stdout + p.stderr
    assert "settings file" not in check_sigap(["check", "--config", plain], db=db).stdout
    os.chmod(secret, 0o600)
    assert "settings file" not in check_sigap(["check", "--config", secret], db=db).stdout
    os.chmod(secret, 0o640)
    srv = env.start_server(db=db, args=["--config", secret])
    srv.stop()
    assert "warn: settings file %s holds smtp-password and has mode 0640" % secret in srv.log_text()
    assert "Rahasia" not in srv.log_text()


def test_bad_settings_exit_2_naming_the_setting(env):
    db = os.path.join(env.tmp, unique("never") + ".db")
    conf = _write(env, "conf", "threads = 4\nno equals sign here\n")
    conf2 = _write(env, "conf", "colour = blue\n")
    cases = (
        (["--threads", "999"], None, "--threads must be between 0 and 256, got '999'"),
        (["--listen", "nonsense"], None, "listen must be HOST:PORT with a port from 0 to 65535, got 'nonsense'"),
        (["--listen", "127.0.0.1:70000"], None, "listen must be HOST:PORT"),
        ([], {"SIGAP_MAX_BODY": "abc"}, "SIGAP_MAX_BODY: max-body must be a whole number, got 'abc'"),
        (["--max-body", "10"], None, "--max-body must be between 1024 and 1073741824, got '10'"),
        ([], {"SIGAP_THREADS": "-1"}, "SIGAP_THREADS: threads must be between 0 and 256, got '-1'"),
        (["--session-ttl", "x"], None, "session-ttl must be a whole number, got 'x'"),
        (["--login-max-failures-address", "0"], None,
         "--login-max-failures-address must be between 1 and 100000, got '0'"),
        (["--config", conf], None, "%s:2: expected 'name = value'" % conf),
        ([], {"SIGAP_CONFIG": conf2}, "%s:1: unknown setting 'colour'" % conf2),
        (["--tls-cert", "/nonexistent.pem"], None, "tls-cert and tls-key must be given together"),
        (["--bogus", "1"], None, "unexpected argument '--bogus'"),
    )
    for args, envv, msg in cases:
        p = run_sigap(["serve"] + args, db=db, env=envv)
        assert p.returncode == 2, (args, envv, p.returncode, p.stderr)
        assert msg in p.stderr, (args, envv, p.stderr)
    assert not os.path.exists(db), "a failed start must not create the database"
    p = run_sigap(["frobnicate"])
    assert p.returncode == 2 and "unknown command 'frobnicate'" in p.stderr, p.stderr
    p = run_sigap(["version"])
    assert p.returncode == 0 and p.stdout.startswith("sigap "), p.stdout
    p = run_sigap(["help"])
    assert p.returncode == 0 and "usage: sigap COMMAND" in p.stdout and "--max-body" in p.stdout
