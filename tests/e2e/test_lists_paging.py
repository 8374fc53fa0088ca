"""Paging of the service application queue (/t/T/antrian) and of the proposals list
(/t/T/usulan): 50 rows a page in the lists' own order (most urgent first), "Sebelumnya /
Halaman N / Berikutnya" links only where there is a page to go to, and ?hal= checked (400 with
a translated message). Each test works on a database of its own (env.new_db()) with 120 rows
made by SQL (560 to page past 500, where both lists used to stop), and its own server."""

import html
import re

from harness import TENANT

SEQ = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < %d) "


def _server(env, db):
    s = env.start_server(db=db, args=["--two-factor-roles", "none"])
    c = s.client()
    c.login(TENANT, "sekda")
    return s, c


def _apps(db, n):
    """Only n open applications in the tenant (the demo has none), numbered PGQ-1..PGQ-n, due in
    that order, of one service of the demo."""
    db.sql("DELETE FROM services_apps WHERE tenant = '%s'" % TENANT)
    db.sql(SEQ % n + "INSERT INTO services_apps (tenant, number, service_id, service_ver, unit, applicant_id, "
           "applicant_name, nik, data_json, state, step, filed_at, due_day, verify_code, updated_at) "
           "SELECT v.tenant, 'PGQ-' || seq.n, v.service_id, v.ver, v.unit, 0, 'Warga Uji', '5271010101900001', "
           "'{}', 0, 0, 1700000000, 1000 + seq.n, 'pgq-verify-' || seq.n, 1700000000 "
           "FROM seq, services_versions v WHERE v.tenant = '%s' AND v.service_id = (SELECT MIN(service_id) "
           "FROM services_versions WHERE tenant = '%s') AND v.ver = 1" % (TENANT, TENANT))


def _proposals(db, n):
    """Only n proposals in the tenant, "Usulan PGQ-1".."PGQ-n", due in that order."""
    db.sql("DELETE FROM governance_proposals WHERE tenant = '%s'" % TENANT)
    db.sql(SEQ % n + "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, state, created_by, "
           "created_at, updated_at, step_since, due_at) SELECT '%s', 'DLH', 'usulan', 'Usulan PGQ-' || seq.n, "
           "'biasa', 'diajukan', 'kepala_opd', 1700000000, 1700000000, 1700000000, 1800000000 + seq.n FROM seq"
           % TENANT)


def _numbers(html):
    """The rows of the paged list (on /usulan: "Semua usulan", not the inbox above it)."""
    if "Semua usulan" in html:
        html = html[html.index("Semua usulan"):]
    return [int(x) for x in re.findall(r"PGQ-(\d+)<", html)]


def _page(c, path):
    """The page's HTML with its character references decoded (the templates write '=' in a
    link as &#61;)."""
    return html.unescape(c.get(path).expect(200).text)


def _check_pages(c, path, n_total):
    base = "/t/%s/%s" % (TENANT, path)
    p1 = _page(c, base)
    assert _numbers(p1) == list(range(1, 51)), _numbers(p1)
    assert 'rel="next"' in p1 and 'href="%s?hal=2"' % base in p1 and 'rel="prev"' not in p1
    assert "Halaman 1" in p1
    p2 = _page(c, base + "?hal=2")
    assert _numbers(p2) == list(range(51, 101)), _numbers(p2)
    assert 'href="%s"' % base in p2 and 'rel="prev"' in p2 and 'rel="next"' in p2
    p3 = _page(c, base + "?hal=3")
    assert _numbers(p3) == list(range(101, n_total + 1)), _numbers(p3)
    assert 'rel="next"' not in p3 and 'href="%s?hal=2"' % base in p3 and "Halaman 3" in p3
    for bad in ("0", "abc", "100001", "999999999", "-1", "2x", "01"):
        c.get(base + "?hal=" + bad).expect(400, contains="nomor halaman tidak sah")
    c.get(base + "?hal=abc", headers={"Accept-Language": "en"}).expect(400, contains="invalid page number")


def test_queue_pages(env):
    db = env.new_db()
    _apps(db, 120)
    s, c = _server(env, db)
    _check_pages(c, "antrian", 120)
    # ?semua=1 is kept in the links
    p = _page(c, "/t/%s/antrian?semua=1&hal=2" % TENANT)
    assert 'href="/t/%s/antrian?semua=1&hal=3"' % TENANT in p and 'href="/t/%s/antrian?semua=1"' % TENANT in p
    s.stop()


def test_queue_page_boundaries(env):
    db = env.new_db()
    _apps(db, 100)
    s, c = _server(env, db)
    base = "/t/%s/antrian" % TENANT
    p2 = _page(c, base + "?hal=2")
    assert _numbers(p2) == list(range(51, 101)) and 'rel="next"' not in p2 and 'rel="prev"' in p2
    # a page after the last: empty, with a way back
    p3 = _page(c, base + "?hal=3")
    assert _numbers(p3) == [] and 'rel="prev"' in p3 and 'rel="next"' not in p3
    db.sql("DELETE FROM services_apps WHERE tenant = '%s' AND due_day > 1050" % TENANT)  # 50 left
    p1 = _page(c, base)
    assert _numbers(p1) == list(range(1, 51)) and "Halaman 1" not in p1 and 'rel="next"' not in p1
    s.stop()


def test_proposal_pages(env):
    db = env.new_db()
    _proposals(db, 120)
    s, c = _server(env, db)
    _check_pages(c, "usulan", 120)
    s.stop()


def test_proposal_page_boundaries(env):
    db = env.new_db()
    _proposals(db, 50)
    s, c = _server(env, db)
    p1 = _page(c, "/t/%s/usulan" % TENANT)
    assert _numbers(p1) == list(range(1, 51)) and "Halaman 1" not in p1 and 'rel="next"' not in p1
    db.sql("DELETE FROM governance_proposals WHERE tenant = '%s' AND title = 'Usulan PGQ-50'" % TENANT)
    db.sql(SEQ % 2 + "INSERT INTO governance_proposals (tenant, unit, kind, title, urgency, state, created_by, "
           "created_at, updated_at, step_since, due_at) SELECT '%s', 'DLH', 'usulan', 'Usulan PGQ-' || (49 + seq.n), "
           "'biasa', 'diajukan', 'kepala_opd', 1700000000, 1700000000, 1700000000, 1800000049 + seq.n FROM seq"
           % TENANT)
    p1 = _page(c, "/t/%s/usulan" % TENANT)
    assert 'href="/t/%s/usulan?hal=2"' % TENANT in p1
    p2 = _page(c, "/t/%s/usulan?hal=2" % TENANT)
    assert _numbers(p2) == [51] and 'rel="next"' not in p2
    s.stop()


def test_pages_past_the_500th(env):
    """Both lists are paged by the database: a page after the 500th row shows its rows (the lists
    used to read at most 500 and cut pages out of them)."""
    db = env.new_db()
    _apps(db, 560)
    _proposals(db, 560)
    s, c = _server(env, db)
    for path in ("antrian", "usulan"):
        base = "/t/%s/%s" % (TENANT, path)
        p = _page(c, base + "?hal=11")
        assert _numbers(p) == list(range(501, 551)), (path, _numbers(p))
        assert 'href="%s?hal=12"' % base in p, path
        p = _page(c, base + "?hal=12")
        assert _numbers(p) == list(range(551, 561)) and 'rel="next"' not in p, (path, _numbers(p))
    s.stop()
