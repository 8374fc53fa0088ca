"""Read paths rewritten so that their cost follows the page, not the tenant's history
(bench/scale.sh): what they show must stay what it was."""
import re
import time

from harness import TENANT, check_sigap


def notice(page):
    m = re.search(r'<p class="(?:notice|alert)"[^>]*>([^<]*)', page.text)
    return m.group(1) if m else notice(page)


def test_audit_page_checks_again_after_its_last_check(env):
    """The audit page no longer reads the whole chain on every view: it takes up the check at
    the head the previous view saw, which it reads again. An edit of that entry, or of one
    appended since, is still reported; undone, the chain is whole again. (Older entries are
    checked by the first view of a process and by `sigap audit verify`.)"""
    db = env.new_db()
    srv = env.start_server(db)
    c = srv.client()
    c.login(TENANT, "admin")
    # the sign-in's own entry may still be on its way: wait until the page and the head agree
    for _ in range(50):
        page = c.get("/t/%s/admin/audit" % TENANT).expect(200)
        head = int(db.sql("SELECT seq FROM audit_heads WHERE tenant = '%s'" % TENANT)[0][0])
        if "Rantai hash utuh. Entri log audit yang diperiksa: %d." % head in page.text:
            break
        time.sleep(0.1)
    assert "Rantai hash utuh. Entri log audit yang diperiksa: %d." % head in page.text, (head, notice(page))
    for seq in (head,):
        db.sql("UPDATE audit_log SET summary = summary || ' (diubah)' WHERE tenant = '%s' AND seq = %d" % (TENANT, seq))
        page = c.get("/t/%s/admin/audit" % TENANT).expect(200)
        assert "Rantai hash rusak" in page.text and "entry %d" % seq in page.text, (seq, notice(page))
        db.sql("UPDATE audit_log SET summary = substr(summary, 1, length(summary) - 9) WHERE tenant = '%s' AND seq = %d"
               % (TENANT, seq))
        page = c.get("/t/%s/admin/audit" % TENANT).expect(200)
        assert "Rantai hash utuh" in page.text and "Entri log audit yang diperiksa: %d." % head in page.text, notice(page)
    # something audited after the last view (a holiday), then that entry edited
    r = c.get("/t/%s/admin/hari-libur" % TENANT).expect(200)
    c.post_form("/t/%s/admin/hari-libur" % TENANT, {"_csrf": r.csrf(), "date": "2027-06-15",
                                                    "name": "Libur Uji Skala"}).expect(303)
    new_head = int(db.sql("SELECT seq FROM audit_heads WHERE tenant = '%s'" % TENANT)[0][0])
    assert new_head == head + 1, (head, new_head)
    page = c.get("/t/%s/admin/audit" % TENANT).expect(200)
    assert "Rantai hash utuh" in page.text and "Entri log audit yang diperiksa: %d." % new_head in page.text, notice(page)
    db.sql("UPDATE audit_log SET actor = 'orang lain' WHERE tenant = '%s' AND seq = %d" % (TENANT, new_head))
    page = c.get("/t/%s/admin/audit" % TENANT).expect(200)
    assert "Rantai hash rusak" in page.text and "entry %d" % new_head in page.text, notice(page)


def test_dashboard_notifications_own_and_role(env):
    """The dashboard reads the notifications of the last 30 days by the user's own and by the
    role's (for every OPD, or for the user's): the same ones as before, newest first."""
    db = env.new_db()
    srv = env.start_server(db)
    now = int(time.time())
    uid = int(db.sql("SELECT id FROM users WHERE tenant = '%s' AND username = 'petugas'" % TENANT)[0][0])
    other = int(db.sql("SELECT id FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0][0])
    rows = [
        (uid, None, None, "Skala milik sendiri", now - 60),
        (0, "petugas", None, "Skala semua OPD", now - 120),
        (0, "petugas", "DISDUKCAPIL", "Skala OPD sendiri", now - 180),
        (0, "petugas", "DPUPR", "Skala OPD lain", now - 30),
        (0, "sekda", None, "Skala peran lain", now - 30),
        (other, None, None, "Skala pengguna lain", now - 30),
        (uid, None, None, "Skala terlalu lama", now - 40 * 86400),
        (0, "petugas", "DISDUKCAPIL", "Skala OPD lama", now - 31 * 86400),
    ]
    for user, role, unit, msg, ts in rows:
        db.sql("INSERT INTO notifications (tenant, user_id, role, unit, kind, object, message, created_at) "
               "VALUES ('%s', %d, %s, %s, 'uji', 'uji:1', '%s', %d)"
               % (TENANT, user, "'%s'" % role if role else "NULL", "'%s'" % unit if unit else "NULL", msg, ts))
    c = srv.client()
    c.login(TENANT, "petugas")
    text = c.get("/t/%s/dasbor" % TENANT).expect(200).text
    shown = [m for m in ("Skala milik sendiri", "Skala semua OPD", "Skala OPD sendiri") if m in text]
    assert shown == ["Skala milik sendiri", "Skala semua OPD", "Skala OPD sendiri"], text[-3000:]
    # newest first by the time they are dated (then by id; inserted last is not newest here)
    pos = [text.index(m) for m in ("Skala milik sendiri", "Skala semua OPD", "Skala OPD sendiri")]
    assert pos == sorted(pos), pos
    for m in ("Skala OPD lain", "Skala peran lain", "Skala pengguna lain", "Skala terlalu lama", "Skala OPD lama"):
        assert m not in text, m


def test_citizen_and_opd_lists_through_their_indexes(env):
    """A citizen's "Laporan saya" and an OPD's queue, now read through their own indexes, list
    the same complaints, newest first: the citizen's own only, the OPD's own in the status asked."""
    db = env.new_db()
    srv = env.start_server(db)
    uid = int(db.sql("SELECT id FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0][0])
    now = int(time.time())
    for i, (rep, unit, status) in enumerate([(uid, "DISDUKCAPIL", "disposisi"), (0, "DISDUKCAPIL", "disposisi"),
                                             (uid, "DPUPR", "selesai"), (0, "DISDUKCAPIL", "selesai")]):
        db.sql("INSERT INTO complaints (tenant, number, kind, title, description, category, unit, status, identity, "
               "reporter_user_id, created_at, updated_at) VALUES ('%s', '%s/ADU/2020/9%05d', 'pengaduan', "
               "'Skala judul %d', 'uraian', 'adminduk', '%s', '%s', 'terbuka', %d, %d, %d)"
               % (TENANT, TENANT, i, i, unit, status, rep, now - 1000 + i, now - 1000 + i))
    w = srv.client()
    w.login(TENANT, "warga")
    text = w.get("/t/%s/pengaduan/kelola" % TENANT).expect(200).text
    assert "Skala judul 2" in text and "Skala judul 0" in text and text.index("Skala judul 2") < text.index("Skala judul 0")
    assert "Skala judul 1" not in text and "Skala judul 3" not in text
    p = srv.client()
    p.login(TENANT, "petugas")
    text = p.get("/t/%s/pengaduan/kelola" % TENANT).expect(200).text
    assert "Skala judul 1" in text and "Skala judul 0" in text and text.index("Skala judul 1") < text.index("Skala judul 0")
    assert "Skala judul 2" not in text and "Skala judul 3" not in text
    text = p.get("/t/%s/pengaduan/kelola?status=selesai" % TENANT).expect(200).text
    assert "Skala judul 3" in text and "Skala judul 2" not in text and "Skala judul 0" not in text


def test_one_status_list_read_in_its_order(env):
    """A list of one status, newest first (the public list's ?status=, the queue's, Open311's),
    is read from complaints_tenant_status in the order it is shown, not by walking the tenant's
    whole history for the few complaints of a rare status (migration 21): SQLite's plan has no
    sort of its own, PostgreSQL's index has the order's column. And the list is still right."""
    db = env.new_db()
    srv = env.start_server(db)
    now = int(time.time())
    for i, status in enumerate(["dijawab", "selesai", "dijawab", "disposisi", "dijawab"]):
        db.sql("INSERT INTO complaints (tenant, number, kind, title, description, category, unit, status, identity, "
               "reporter_user_id, created_at, updated_at) VALUES ('%s', '%s/ADU/2020/8%05d', 'pengaduan', "
               "'Urut status %d', 'uraian', 'adminduk', 'DISDUKCAPIL', '%s', 'terbuka', 0, %d, %d)"
               % (TENANT, TENANT, i, i, status, now - 1000 + i, now - 1000 + i))
    if db.backend == "sqlite":
        plan = " | ".join(str(r[-1]) for r in db.sql(
            "EXPLAIN QUERY PLAN SELECT * FROM complaints WHERE tenant = '%s' AND status <> 'arsip' AND "
            "status <> 'digabung' AND status = 'dijawab' ORDER BY created_at DESC, id DESC LIMIT 20" % TENANT))
        assert "complaints_tenant_status" in plan and "TEMP B-TREE" not in plan, plan
    else:
        indexdef = db.sql("SELECT indexdef FROM pg_indexes WHERE indexname = 'complaints_tenant_status' AND schemaname = current_schema()")[0][0]
        assert indexdef.endswith("(tenant, status, created_at)"), indexdef
    text = srv.client().get("/t/%s/pengaduan?status=dijawab" % TENANT).expect(200).text
    shown = re.findall(r"Urut status (\d)", text)
    assert shown == ["4", "2", "0"], shown


def test_work_queue_read_from_its_deadline_indexes(env):
    """The officials' queue (open complaints by the deadline of whoever must act) is read a page at a
    time from complaints_tenant_due and, for an OPD, complaints_unit_due (migration 23), whose
    expression is the queue's first key: SQLite's plan for a status's page takes the index's
    order and sorts only within equal keys, never all the open complaints. The queue itself, most
    overdue first across statuses, is test_officials_day's."""
    db = env.new_db()
    if db.backend == "sqlite":
        sql = dict(db.sql("SELECT name, sql FROM sqlite_master WHERE name IN ('complaints_tenant_due', "
                          "'complaints_unit_due')"))
        m = re.search(r"\(tenant, status, (.*)\)$", sql["complaints_tenant_due"], re.S)
        assert m and "verify_due" in m.group(1) and "answer_due" in m.group(1), sql
        key = m.group(1)
        assert sql["complaints_unit_due"].endswith("(tenant, unit, status, %s)" % key), sql
        for extra, index in (("", "complaints_tenant_due"), (" AND unit = 'DISDUKCAPIL'", "complaints_unit_due")):
            plan = " | ".join(str(r[-1]) for r in db.sql(
                "EXPLAIN QUERY PLAN SELECT * FROM complaints WHERE tenant = '%s' AND status = 'disposisi'%s "
                "AND status <> 'arsip' AND status <> 'digabung' ORDER BY %s, created_at DESC, id DESC LIMIT 51"
                % (TENANT, extra, key)))
            assert index in plan and "TEMP B-TREE FOR ORDER BY" not in plan, plan
    else:
        for name, cols in (("complaints_tenant_due", "(tenant, status, ( CASE"),
                           ("complaints_unit_due", "(tenant, unit, status, ( CASE")):
            d = db.sql("SELECT replace(indexdef, chr(10), ' ') FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND indexname = '%s'" % name)
            assert d and cols in d[0][0] and "answer_due" in d[0][0], (name, d)


def test_late_duplicate_sweep_reads_only_the_gap(env):
    """The late-duplicate sweep (complaints_dup_sweep) compares each complaint with those filed
    between its intake search and its own commit: a few dozen ids. It reads them by the primary
    key's range, then keeps those of its tenant and category that are not archived; filtered on
    tenant and category first, SQLite walked the whole category on complaints_dup_cell and sorted
    it, for every complaint swept (with 130,000 complaints in the bench, most of the server's
    CPU). Here a report's intake is made to have missed four others (one the same, one about a
    road, one archived, one older than its search): the sweep links it to the first only."""
    db = env.new_db()
    srv = env.start_server(db)
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "sapu"], db=db).stdout.strip()
    c = srv.client()

    def report(code, words):
        r = c.post_form("/open311/v2/requests.json", {
            "jurisdiction_id": TENANT, "api_key": key, "service_code": code, "lat": "-8.5921", "long": "116.0893",
            "description": words})
        assert r.status == 200, (r.status, r.text[:300])
        return int(r.json()[0]["service_request_id"])

    pile = "Sampah menumpuk di depan pasar Cakranegara belum diangkut tiga hari"
    older = report("sampah", pile + " sudah lama")
    same = report("sampah", pile + " dan berbau")
    road = report("jalan", pile + " menutup jalan")
    archived = report("sampah", pile + " lagi")
    late = report("sampah", pile + " sekali")
    db.sql("UPDATE complaints SET status = 'arsip' WHERE id = %d" % archived)
    # the late report's search saw nothing after `older`; its suggestions are the sweep's to make
    db.sql("UPDATE complaints SET dup_seen_id = %d, created_at = created_at - 60 WHERE id = %d" % (older, late))
    db.sql("UPDATE complaints SET created_at = created_at - 60 WHERE id IN (%d, %d, %d, %d)" % (older, same, road, archived))
    db.sql("DELETE FROM complaints_duplicates WHERE complaint_id = %d" % late)
    db.sql("DELETE FROM sequences WHERE tenant = '*' AND kind = 'DUPSEEN'")
    db.sql("INSERT INTO sequences (tenant, kind, year, value) VALUES ('*', 'DUPSEEN', 0, %d)" % older)
    check_sigap(["sweep"], db=db)
    got = [int(r[0]) for r in db.sql("SELECT candidate_id FROM complaints_duplicates WHERE complaint_id = %d" % late)]
    assert got == [same], (got, dict(older=older, same=same, road=road, archived=archived))
    if db.backend == "sqlite":
        plan = " | ".join(str(r[-1]) for r in db.sql(
            "EXPLAIN QUERY PLAN SELECT id FROM (SELECT id, tenant, category, status, has_location, words, lat_e6, "
            "lon_e6 FROM complaints WHERE id > 10 AND id < 50 ORDER BY id DESC LIMIT 1000) AS g WHERE tenant = '%s' "
            "AND category = 'sampah' AND status <> 'arsip' ORDER BY id DESC LIMIT 100" % TENANT))
        assert "INTEGER PRIMARY KEY (rowid>? AND rowid<?)" in plan and "complaints_dup_cell" not in plan, plan
