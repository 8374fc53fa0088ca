"""
test_governance_notes.py: the officials' notifications on the dashboard. They are listed newest first by
the time they are dated, then by id: the demo dates its notifications in the past, in another order than it
writes them, and the list by id put an older one above a newer one. Every governance notification starts
with a capital letter, like the other modules' ("Permohonan baru"), in both languages; they read
"usulan dikembalikan untuk perbaikan" beside "Perda telah diundangkan".
"""
import datetime
import re
import time

from harness import DEMO_PASSWORD, TENANT, check_sigap

T = "/t/%s" % TENANT


def notes(c, headers=None):
    """The dashboard's notifications as (datetime, text), in the order shown."""
    page = c.get(T + "/dasbor", headers=headers).expect(200).text
    out = []
    for when, rest in re.findall(r"<li[^>]*><time>([^<]+)</time>(.*?)</li>", page, re.S):
        text = re.sub(r"<[^>]*>", "", re.sub(r'<span class="badge">[^<]*</span>', "", rest)).strip()
        # "2026-12-01 10:45 WITA": the tenant's zone after the time
        assert when.endswith(" WITA"), when
        out.append((datetime.datetime.strptime(when[:-len(" WITA")], "%Y-%m-%d %H:%M"), text))
    return out


def test_notifications_are_listed_newest_first_by_time(env):
    db = env.new_db()
    srv = env.start_server(db)
    # the demo writes them in another order than it dates them (the premise of this test)
    for role in ("sekda", "koordinator"):
        rows = db.sql("SELECT id, created_at FROM notifications WHERE role = '%s' ORDER BY id" % role)
        assert [r[1] for r in rows] != sorted(r[1] for r in rows), (role, rows)
        c = srv.client()
        c.login(TENANT, role)
        listed = notes(c)
        assert len(listed) >= 3, (role, listed)
        times = [w for w, _ in listed]
        assert times == sorted(times, reverse=True), (role, listed)
    # two dated the same second: the later written first
    now = int(time.time())
    for subject in ("Pertama ditulis", "Kedua ditulis"):
        db.sql("INSERT INTO notifications (tenant, user_id, role, unit, kind, object, message, subject, created_at) "
               "VALUES ('%s', 0, 'sekda', NULL, 'governance', '', 'Usulan menunggu tindakan Anda', '%s', %d)"
               % (TENANT, subject, now))
    c = srv.client()
    c.login(TENANT, "sekda")
    texts = [t for _, t in notes(c)]
    assert texts[0].endswith("Kedua ditulis") and texts[1].endswith("Pertama ditulis"), texts


def test_governance_notifications_start_with_a_capital_letter(env):
    db = env.new_db()
    srv = env.start_server(db)
    # a pokok pikiran, a key replacement asked and cancelled, and the deadline sweep's reminders, besides
    # the demo's submissions, returns, decision and DPRD stage
    dprd = srv.client()
    dprd.login(TENANT, "dprd")
    form = dprd.get(T + "/pokir").expect(200)
    dprd.post_form(T + "/pokir", {"_csrf": form.csrf(), "unit": "DISDUKCAPIL", "title": "Pokir huruf besar",
                                  "background": "Latar", "proposed": "Usul"}).expect(303)
    sekda = srv.client()
    sekda.login(TENANT, "sekda")
    keys = T + "/kunci-tanda-tangan"
    page = sekda.get(keys).expect(200)
    sekda.post_form(keys + "/ganti", {"_csrf": page.csrf(), "password": DEMO_PASSWORD}).expect(200)
    rid = int(re.search(r"/ganti/(\d+)/batal", sekda.get(keys).text).group(1))
    page = sekda.get(keys).expect(200)
    sekda.post_form("%s/ganti/%d/batal" % (keys, rid), {"_csrf": page.csrf()}).expect(200)
    db.sql("UPDATE governance_proposals SET due_at = %d, reminder = 0 WHERE due_at > 0" % (int(time.time()) - 86400))
    check_sigap(["sweep"], db=db)

    kinds = {r[0] for r in db.sql("SELECT DISTINCT kind FROM notifications WHERE kind LIKE 'governance%'")}
    assert {"governance", "governance.overdue"} <= kinds, kinds
    rows = db.sql("SELECT DISTINCT message FROM notifications WHERE kind LIKE 'governance%'")
    messages = sorted(r[0] for r in rows)
    assert len(messages) >= 8, messages
    lower = [m for m in messages if not m[0].isupper()]
    assert not lower, lower
    for want in ("Usulan menunggu tindakan Anda", "Usulan dikembalikan untuk perbaikan",
                 "Usulan disetujui Kepala Daerah", "Usulan Kepala Daerah akan diajukan ke DPRD",
                 "Tahap DPRD diperbarui", "Pokok pikiran DPRD baru menjadi usulan OPD", "Usulan melewati tenggat",
                 "Permintaan penggantian kunci tanda tangan dibatalkan"):
        assert want in messages, (want, messages)
    # as read, in both languages
    for role in ("sekda", "kepala_opd", "dprd"):
        for headers in (None, {"Accept-Language": "en"}):
            c = srv.client()
            c.login(TENANT, role)
            listed = notes(c, headers)
            assert listed, role
            for _, text in listed:
                assert text[0].isupper(), (role, headers, text)
    en = [t for _, t in notes(sekda, {"Accept-Language": "en"})]
    assert any(t.startswith("A proposal is past its deadline") for t in en), en
