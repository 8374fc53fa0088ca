"""
test_officials_day.py: a working day of the officials of Kota Mataram, as
found by walking through it: the complaint queue puts the most overdue
items first and goes on over pages (it listed the newest 200, and the
oldest, most overdue items fell off its end), with each deadline also in
working days; the coordinator's own verification deadline is on the
complaint's page; a merge takes the tracking number the page shows (it
took an internal id) and, like archiving as spam, asks first, naming the
complaint it goes into; transferring an application needs an OPD chosen
(the first one was preselected, so one tap sent it away); the OPD roles'
dashboards link to what escalations and proposals send them to.
"""
import base64
import html
import json
import re
import time

from harness import TENANT, unique

DAY = 86400


def add_complaints(db, rows):
    """Inserts complaints directly: rows of (number, title, status, unit, created_at, verify_due,
    answer_due). Returns nothing; the caller looks them up by number."""
    values = ", ".join(
        "('%s', '%s', 'pengaduan', '%s', 'uraian %s', 'adminduk', '%s', '%s', 'terbuka', 0, %d, %d, %d, %d)"
        % (TENANT, number, title, title, unit, status, created, created, verify_due, answer_due)
        for number, title, status, unit, created, verify_due, answer_due in rows)
    db.sql("INSERT INTO complaints (tenant, number, kind, title, description, category, unit, status, identity, "
           "reporter_user_id, created_at, updated_at, verify_due, answer_due) VALUES " + values)


def id_of(db, number):
    return str(db.sql("SELECT id FROM complaints WHERE tenant = '%s' AND number = '%s'" % (TENANT, number))[0][0])


def status_of(db, cid):
    return str(db.sql("SELECT status FROM complaints WHERE id = %s" % cid)[0][0])


def version_of(page):
    return re.search(r'name="version" value="(\d+)"', page.text).group(1)


def queue_titles(page):
    return re.findall(r'<a href="/t/52\.71/pengaduan/\d+">([^<]*)</a>', page.text)


def test_queue_most_overdue_first_over_pages(env):
    db = env.new_db()
    srv = env.start_server(db)
    now = int(time.time())
    tag = unique("q")
    # 210 complaints with DISDUKCAPIL: the oldest is the most overdue, the newer ones due later
    rows = [("%s/ADU/2020/7%05d" % (TENANT, i), "Antre %s %03d" % (tag, i), "disposisi", "DISDUKCAPIL",
             now - 400 * DAY + i * 3600, 0, now - 30 * DAY + i * DAY) for i in range(210)]
    add_complaints(db, rows)
    p = srv.client()
    p.login(TENANT, "petugas")
    page = p.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
    titles = [t for t in queue_titles(page) if tag in t]
    # the most overdue first, then by deadline; 50 a page, with the way on
    assert titles[:3] == ["Antre %s 000" % tag, "Antre %s 001" % tag, "Antre %s 002" % tag], titles[:5]
    assert len(queue_titles(page)) == 50, len(queue_titles(page))
    first = re.search(r'<tr class="cpl-overdue">.*?</tr>', page.text, re.S).group(0)
    assert "Antre %s 000" % tag in first and re.search(r"terlambat \d+ hari kerja", first), first
    nxt = re.search(r'<a href="([^"]*)" rel="next">', page.text)
    assert nxt, page.text[-1500:]
    later = p.get(html.unescape(nxt.group(1))).expect(200)
    titles2 = [t for t in queue_titles(later) if tag in t]
    # page 2 goes on where page 1 stopped
    assert titles2 and titles2[0] == "Antre %s %03d" % (tag, int(titles[-1][-3:]) + 1), (titles[-1], titles2[:3])
    assert 'rel="prev"' in later.text
    # a deadline still ahead: how many working days are left
    last = p.get("/t/%s/pengaduan/kelola?status=disposisi&hal=5" % TENANT).expect(200)
    assert "Antre %s 209" % tag in last.text and 'rel="next"' not in last.text, last.text[-2000:]
    row = re.search(r'<tr>(?:(?!</tr>).)*Antre %s 209.*?</tr>' % tag, last.text, re.S).group(0)
    assert re.search(r"(\d+ hari kerja tersisa|1 hari kerja tersisa|batas waktunya hari ini)", row), row
    # the coordinator's whole-tenant queue goes the same way
    k = srv.client()
    k.login(TENANT, "koordinator")
    page = k.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
    assert [t for t in queue_titles(page) if tag in t][:1] == ["Antre %s 000" % tag]
    k.get("/t/%s/pengaduan/kelola?hal=0" % TENANT).expect(400, contains="nomor halaman tidak sah")
    # a citizen's own list stays newest first
    w = srv.client()
    w.login(TENANT, "warga")
    w.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)


def waiting_complaint(env, digit, title, age):
    """One complaint waiting for the coordinator (filed age seconds ago, verification due in 3
    days), numbered DIGIT then a serial; (its id, the coordinator's client, its page)."""
    now = int(time.time())
    number = "%s/ADU/2020/%s%05d" % (TENANT, digit, int(time.time() * 1000) % 100000)
    add_complaints(env.shared_db, [(number, title, "baru", "", now - age, now + 3 * DAY, 0)])
    cid = id_of(env.shared_db, number)
    k = env.client()
    k.login(TENANT, "koordinator")
    return cid, k, k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)


def test_verification_deadline_on_the_complaint_page(env):
    cid, _k, page = waiting_complaint(env, "6", "Verifikasi %s" % unique("v"), 600)
    due = re.search(r'<dt>Batas verifikasi</dt><dd id="cpl-verify-due">([^<]*)<strong>\(([^)]*)\)</strong>', page.text)
    assert due, page.text[:3000]
    assert due.group(1).strip().endswith(" WITA"), due.groups()
    assert re.fullmatch(r"(\d+ hari kerja tersisa|1 hari kerja tersisa|batas waktunya hari ini)", due.group(2)), due.groups()
    # the public does not get the coordinator's clock
    assert "Batas verifikasi" not in env.client().get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text


def test_merge_by_tracking_number_asks_first(env):
    db = env.shared_db
    now = int(time.time())
    tag = unique("m")
    base = int(time.time() * 1000) % 100000
    main_no, dup_no = "%s/ADU/2020/5%05d" % (TENANT, base), "%s/ADU/2020/4%05d" % (TENANT, base)
    add_complaints(db, [(main_no, "Induk %s" % tag, "disposisi", "DISDUKCAPIL", now - 3600, now + DAY, now + 5 * DAY),
                        (dup_no, "Duplikat %s" % tag, "baru", "", now - 60, now + 3 * DAY, 0)])
    main, dup = id_of(db, main_no), id_of(db, dup_no)
    k = env.client()
    k.login(TENANT, "koordinator")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, dup)).expect(200, contains="Gabungkan dengan laporan nomor")
    act = "/t/%s/pengaduan/%s/aksi" % (TENANT, dup)
    # the number as the page shows it, typed loosely: the page asks first, naming where it goes
    typed = main_no.lower().replace("/5", "/ 5")
    r = k.post_form(act, {"_csrf": page.csrf(), "aksi": "gabung", "version": version_of(page),
                          "merge_into": typed}).expect(200, contains="Gabungkan laporan?")
    target = re.search(r'<p id="cpl-confirm-target">.*?</p>', r.text, re.S).group(0)
    assert main_no in target and "Induk %s" % tag in target, target
    assert status_of(db, dup) == "baru"
    assert 'name="yakin" value="1"' in r.text
    # a number that is none of this Pemda's, or no number: nothing happens, said in words
    r2 = k.post_form(act, {"_csrf": page.csrf(), "aksi": "gabung", "version": version_of(page),
                           "merge_into": "52/ADU/2020/000001"}).expect(400)
    assert "tidak ditemukan" in r2.text and 'value="52/ADU/2020/000001"' in r2.text
    k.post_form(act, {"_csrf": page.csrf(), "aksi": "gabung", "version": version_of(page),
                      "merge_into": "nomor lima"}).expect(400, contains="tulis nomor pelacakannya")
    assert status_of(db, dup) == "baru"
    # confirmed: merged into the right one
    confirm = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">',
                              re.search(r'<section class="card cpl-confirm".*?</section>', r.text, re.S).group(0)))
    k.post_form(act, confirm).expect(303)
    assert status_of(db, dup) == "digabung"
    assert str(db.sql("SELECT merged_into FROM complaints WHERE id = %s" % dup)[0][0]) == main


def test_archive_as_spam_asks_first(env):
    db = env.shared_db
    cid, k, page = waiting_complaint(env, "3", "Iklan %s" % unique("s"), 60)
    act = "/t/%s/pengaduan/%s/aksi" % (TENANT, cid)
    r = k.post_form(act, {"_csrf": page.csrf(), "aksi": "arsipkan", "version": version_of(page)}).expect(
        200, contains="Arsipkan sebagai spam?")
    assert status_of(db, cid) == "baru"
    # no question about a page that is out of date: the refusal the action would get
    k.post_form(act, {"_csrf": page.csrf(), "aksi": "arsipkan", "version": str(int(version_of(page)) + 3)}).expect(
        409, contains="data telah diubah orang lain")
    # a petugas gets no question, only the refusal as before
    p = env.client()
    p.login(TENANT, "petugas")
    p.post_form(act, {"_csrf": p.session_csrf(TENANT), "aksi": "arsipkan", "version": version_of(page)}).expect(403)
    k.post_form(act, {"_csrf": page.csrf(), "aksi": "arsipkan", "version": version_of(page), "yakin": "1"}).expect(303)
    assert status_of(db, cid) == "arsip"
    assert r.text.count("Ya, arsipkan sebagai spam") == 1


def file_application(env):
    """The demo citizen applies for a KTP-el (DISDUKCAPIL) through the API; returns its id."""
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    w = env.client()
    w.login(TENANT, "warga")
    r = w.request("POST", "/api/v1/t/%s/applications" % TENANT, body=json.dumps(
        {"service": "ktp-el", "values": {"nama": "Baiq Nurul Aini", "nik_pemohon": "5271014101900001", "alasan": "Baru"},
         "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(pdf).decode()}}}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": w.session_csrf(TENANT)})
    assert r.status == 201, r.text
    return r.json()["id"], r.json()["number"]


DAYS_LEFT = r"(\d+ hari kerja tersisa|1 hari kerja tersisa|batas waktunya hari ini|terlambat( \d+ hari kerja)?)"


def test_waiting_lists_say_working_days(env):
    """The application queue and the proposals' inbox say how far each deadline is in working
    days, as the application page does, not only its date."""
    _, number = file_application(env)
    o = env.client()
    o.login(TENANT, "petugas")
    q = o.get("/t/%s/antrian" % TENANT).expect(200)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*%s.*?</tr>" % re.escape(number), q.text, re.S).group(0)
    assert re.search(r"\d{4}-\d\d-\d\d<br>(<strong[^>]*>)?%s" % DAYS_LEFT, row), row
    for user in ("sekda", "wakil"):
        c = env.client()
        c.login(TENANT, user)
        page = c.get("/t/%s/usulan" % TENANT).expect(200)
        inbox = re.search(r'<ul class="gov-items" id="inbox">.*?</ul>', page.text, re.S).group(0)
        assert re.search(r"tenggat [^<]* WITA · <strong>%s</strong>" % DAYS_LEFT, inbox), (user, inbox)


def test_transfer_needs_an_opd_chosen(env):
    app_id, _ = file_application(env)
    o = env.client()
    o.login(TENANT, "petugas")
    page = o.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(200)
    sel = re.search(r'<select id="t-trf" name="text"([^>]*)>(<option[^>]*>[^<]*</option>)', page.text)
    assert sel, page.text
    assert "required" in sel.group(1) and sel.group(2) == '<option value="">Pilih OPD tujuan</option>', sel.groups()
    # sent without a choice anyway: refused, the application stays
    o.post_form("/t/%s/permohonan/%s/aksi" % (TENANT, app_id), {"_csrf": page.csrf(), "op": "transfer", "text": "",
                                                               "version": version_of(page)}).expect(400)
    assert str(env.shared_db.sql("SELECT unit FROM services_apps WHERE id = %s" % app_id)[0][0]) == "DISDUKCAPIL"


def test_opd_dashboards_link_their_work(env):
    for user, links in (("kepala_opd", ("/pengaduan/kelola", "/usulan", "/antrian")),
                        ("admin_opd", ("/pengaduan/kelola", "/usulan", "/antrian")),
                        ("sekda", ("/pengaduan/kelola", "/usulan", "/antrian"))):
        c = env.client()
        c.login(TENANT, user)
        page = c.get("/t/%s/dasbor" % TENANT).expect(200)
        for link in links:
            assert 'href="/t/%s%s"' % (TENANT, link) in page.text, (user, link)


def test_refused_signature_keeps_the_note(env):
    """The Sekda's recommendation refused (a stale form, a wrong passphrase): the note and the
    choices come back in the form, the passphrase does not; when the form is gone, the note is
    shown to copy."""
    db = env.new_db()
    srv = env.start_server(db)
    pid = str(db.sql("SELECT id FROM governance_proposals WHERE tenant = '%s' AND state = 'diajukan' ORDER BY id LIMIT 1"
                     % TENANT)[0][0])
    s = srv.client()
    s.login(TENANT, "sekda")
    page = s.get("/t/%s/usulan/%s" % (TENANT, pid)).expect(200, contains='id="form-saran"')
    note = "Kembalikan: lengkapi analisis anggaran %s dan dasar hukumnya" % unique("n")
    fields = {"_csrf": page.csrf(), "action": "kembalikan", "verdict": "tidak_setuju", "note": note,
              "passphrase": "sigap-demo-2026", "version": str(int(version_of(page)) - 1)}
    for status, changes in ((409, {}), (403, {"version": version_of(page), "passphrase": "bukan-frasa-sandinya"})):
        r = s.post_form("/t/%s/usulan/%s/tindakan" % (TENANT, pid), dict(fields, **changes)).expect(status)
        form = re.search(r'<form[^>]*id="form-saran">.*?</form>', r.text, re.S).group(0)
        assert '<textarea id="note" name="note" rows="3">%s</textarea>' % note in form, form
        assert 'value="kembalikan" checked' in form and '<option value="tidak_setuju" selected>' in form, form
        assert "bukan-frasa-sandinya" not in r.text and "sigap-demo-2026" not in r.text
    # the Wakil's form is gone once the proposal moved on: the text stands on its own
    w = srv.client()
    w.login(TENANT, "wakil")
    r = w.post_form("/t/%s/usulan/%s/tindakan" % (TENANT, pid), {
        "_csrf": w.session_csrf(TENANT), "action": "pertimbangan", "verdict": "setuju", "note": note,
        "passphrase": "sigap-demo-2026", "version": version_of(page)})
    assert r.status in (403, 409), r.describe()
    assert 'id="form-pertimbangan"' not in r.text
    assert re.search(r'<textarea id="t-orphan" rows="5" readonly>%s</textarea>' % re.escape(note), r.text), r.text[-2500:]
