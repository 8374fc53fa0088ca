"""
test_dashboard.py: the notifications on an official's dashboard. What is
addressed to the official's role (within their OPD, or to all its holders)
and to them personally shows newest first with a link to the object and the
number not yet seen; "Tandai semua sudah dibaca" marks what was shown as
seen for this user only (a role's notification is shared by its holders),
and something newer is unseen again. Other OPDs' notifications never show.
"""
import html
import re

import harness
from harness import TENANT, check_sigap


def file_complaint(srv, db, text):
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", harness.unique("dash"),
                       "--role", "warga"], db=db).stdout.split()[0]
    r = srv.client().post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837",
        "long": "116.1165", "description": text})
    assert r.status == 200, (r.status, r.text[:300])
    return r.json()[0]["service_request_id"]


def notes_of(page):
    m = re.search(r'<section class="notes".*?</section>', page.text, re.S)
    assert m, "no notifications section: " + page.text[:800]
    return m.group(0)


def unseen_badge(section):
    m = re.search(r'<span class="badge">(\d+) ', section)
    return int(m.group(1)) if m else 0


def test_dashboard_notifications(env):
    db = env.new_db()
    srv = env.start_server(db)
    cid = file_complaint(srv, db, "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan")
    rows = db.sql("SELECT role, unit, message FROM notifications WHERE object = 'complaint:%s' AND user_id = 0" % cid)
    assert rows, "the new complaint addressed no role"
    role, unit, message = rows[0]
    holders = [u for (u,) in db.sql("SELECT username FROM users WHERE tenant = '%s' AND role = '%s' AND disabled = 0 %s"
                                    % (TENANT, role, "AND unit = '%s'" % unit if unit else ""))]
    assert holders, (role, unit)

    # a second holder of the role, to see that "seen" is per user
    other = harness.unique("dua")
    args = ["user", "add", "--tenant", TENANT, "--username", other, "--name", "Pejabat Dua", "--role", role]
    if unit:
        args += ["--unit", unit]
    check_sigap(args, db=db, input="sandi-uji-dashboard-1\n")

    a = srv.client()
    a.login(TENANT, holders[0])
    page = a.get("/t/%s/dasbor" % TENANT).expect(200)
    sec = notes_of(page)
    assert html.escape(message, quote=True).replace("&#x27;", "&#39;") in sec or message in sec, sec[:1500]
    # the complaint's tracking number after the message: five "new complaint" lines are told apart
    number = db.sql("SELECT number FROM complaints WHERE id = %s" % cid)[0][0]
    assert "%s: %s" % (html.escape(message, quote=True).replace("&#x27;", "&#39;"), number) in sec, sec[:1500]
    assert db.sql("SELECT subject FROM notifications WHERE object = 'complaint:%s' AND user_id = 0" % cid)[0][0] == number
    assert 'href="/t/%s/pengaduan/%s"' % (TENANT, cid) in sec, sec[:1500]
    n = unseen_badge(sec)
    assert n >= 1, sec[:1500]
    upto = re.search(r'name="upto" value="(\d+)"', sec).group(1)

    # CSRF and a bad marker are refused; nothing changes
    a.post_form("/t/%s/dasbor/dibaca" % TENANT, {"upto": upto}).expect(403)
    a.post_form("/t/%s/dasbor/dibaca" % TENANT, {"_csrf": page.csrf(), "upto": "x1"}).expect(400)
    assert unseen_badge(notes_of(a.get("/t/%s/dasbor" % TENANT))) == n

    r = a.post_form("/t/%s/dasbor/dibaca" % TENANT, {"_csrf": page.csrf(), "upto": upto})
    assert r.status == 303 and r.header("location") == "/t/%s/dasbor" % TENANT, r.describe()
    sec = notes_of(a.get("/t/%s/dasbor" % TENANT).expect(200))
    assert unseen_badge(sec) == 0 and "dasbor/dibaca" not in sec, sec[:1500]
    assert 'href="/t/%s/pengaduan/%s"' % (TENANT, cid) in sec      # still listed, as seen

    # the other holder has not seen it
    b = srv.client()
    b.login(TENANT, other, password="sandi-uji-dashboard-1")
    assert unseen_badge(notes_of(b.get("/t/%s/dasbor" % TENANT).expect(200))) == n

    # something newer is unseen again for the first
    cid2 = file_complaint(srv, db, "Akta kelahiran anak kami belum terbit sejak bulan lalu")
    sec = notes_of(a.get("/t/%s/dasbor" % TENANT).expect(200))
    assert unseen_badge(sec) >= 1 and 'href="/t/%s/pengaduan/%s"' % (TENANT, cid2) in sec, sec[:1500]

    # an officer of another OPD sees none of these
    if unit:
        other_unit = db.sql("SELECT code FROM units WHERE tenant = '%s' AND code <> '%s' ORDER BY code LIMIT 1"
                            % (TENANT, unit))[0][0]
        name = harness.unique("lain")
        check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", "Petugas Lain", "--role", role,
                     "--unit", other_unit], db=db, input="sandi-uji-dashboard-2\n")
        c = srv.client()
        c.login(TENANT, name, password="sandi-uji-dashboard-2")
        sec = notes_of(c.get("/t/%s/dasbor" % TENANT).expect(200))
        assert "/pengaduan/%s\"" % cid not in sec and "/pengaduan/%s\"" % cid2 not in sec, sec[:1500]


def test_signed_in_links_on_the_portal(env):
    """On / (no Pemda in the path) a signed-in user's Dasbor and Keluar point to their own Pemda,
    and Keluar ends the session (they pointed to /t//dasbor and /t//keluar: 404, still signed in)."""
    srv = env.server
    c = srv.client()
    c.login(TENANT, "warga")
    page = c.get("/").expect(200)
    assert 'href="/t/%s/dasbor"' % TENANT in page.text and "/t//" not in page.text, page.text[:1500]
    assert 'action="/t/%s/keluar"' % TENANT in page.text, page.text[:1500]
    r = c.post_form("/t/%s/keluar" % TENANT, {"_csrf": page.csrf()})
    assert r.status == 303, r.describe()
    r = c.get("/t/%s/dasbor" % TENANT)
    assert r.status == 303 and "/masuk" in (r.header("location") or ""), r.describe()


def test_language_switch_after_a_failed_form_and_error_page_home(env):
    """The page answering a failed POST offers the language switch back to the Pemda's home (the
    POST-only address answered the GET with 405); an error page's "Kembali ke beranda" goes to the
    Pemda's home, not to the Pemda picker."""
    srv = env.server
    c = srv.client()
    form = c.get("/t/%s/masuk" % TENANT).expect(200)
    r = c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": "tidak-ada", "password": "salah-sekali"})
    assert r.status in (401, 403), r.describe()
    m = re.search(r'href="/bahasa/en\?next=([^"]+)"', r.text)
    assert m and m.group(1) == "%2Ft%2F52.71%2F", m and m.group(1)
    r = c.get("/t/%s/tidak-ada-halaman" % TENANT).expect(404)
    assert 'href="/t/%s/">' % TENANT in r.text, r.text[-600:]


# ------------------------------------------------------------------ what waits, on the cards

def work_on_cards(c, lang=None):
    """{card title, and its address under /t/{tenant}: (count words, late words)} of the user's
    dashboard."""
    page = c.get("/t/%s/dasbor" % TENANT, headers={"Accept-Language": lang} if lang else None).expect(200)
    out = {}
    for m in re.finditer(r'<li class="card">(?:<a href="/t/[0-9.]+([^"]*)">)?([^<]*)(.*?)</li>', page.text, re.S):
        count = re.search(r'<span class="work">([^<]*)</span>', m.group(3))
        late = re.search(r'<strong class="work late">([^<]*)</strong>', m.group(3))
        out[html.unescape(m.group(2))] = out[m.group(1)] = (count and count.group(1), late and late.group(1))
    assert out, page.text[:1500]
    return out


def copy_rows(db, table, src_id, n, base):
    """n copies of one row of table (ids base+1..base+n, numbers suffixed), straight in the database."""
    if db.backend == "sqlite":
        cols = [r[0] for r in db.sql("SELECT name FROM pragma_table_info('%s')" % table)]
    else:
        cols = [r[0] for r in db.sql("SELECT column_name FROM information_schema.columns WHERE table_name = '%s' "
                                     "AND table_schema = '%s' ORDER BY ordinal_position" % (table, db.schema))]
    sel = ["%d + i" % base if c == "id" else "number || '-' || i" if c == "number" else c for c in cols]
    db.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) INSERT INTO %s (%s) "
           "SELECT %s FROM %s, n WHERE id = %d" % (n, table, ", ".join(cols), ", ".join(sel), table, src_id))


def test_cards_count_what_waits(env):
    """The dashboard's cards only linked to the work: an official had to open every queue to learn
    whether anything waited or was late. Each card now says how many wait for the reader and how
    many are past their deadline (the queue's "terlambat"), a citizen's says what they must
    correct, and a count past 999 stops there."""
    import time
    from test_services import file_app, new_service
    db = env.new_db()
    srv = env.start_server(db)
    T = "/t/%s" % TENANT

    def signed(user):
        c = srv.client()
        c.login(TENANT, user)
        return c

    def num(sql):
        return int(db.sql(sql)[0][0])

    now = int(time.time())
    # the coordinator: what waits for verification (the demo's one), late once its deadline passed
    coord = signed("koordinator")
    waiting = num("SELECT COUNT(*) FROM complaints WHERE tenant = '%s' AND status IN ('baru', 'tunda')" % TENANT)
    assert waiting == 1
    assert work_on_cards(coord)["Verifikasi pengaduan masuk"] == ("1 menunggu", None)
    db.sql("UPDATE complaints SET verify_due = %d WHERE tenant = '%s' AND status = 'baru'" % (now - 60, TENANT))
    assert work_on_cards(coord)["Verifikasi pengaduan masuk"] == ("1 menunggu", "1 lewat tenggat")
    file_complaint(srv, db, "Lampu jalan di depan pasar mati sejak minggu lalu")
    assert work_on_cards(coord)["Verifikasi pengaduan masuk"] == ("2 menunggu", "1 lewat tenggat")

    # an OPD: its own complaints to answer (DLH's is not DISDUKCAPIL's), no application yet
    kop = signed("kepala_opd")
    cards = work_on_cards(kop)
    assert cards["Pengaduan untuk OPD"] == ("1 menunggu", None), cards
    assert cards["Antrian permohonan OPD"] == ("tidak ada yang menunggu", None), cards
    # its proposals: the demo's one returned by the Sekda
    assert cards["Usulan kebijakan OPD"] == ("1 menunggu", None), cards
    db.sql("UPDATE complaints SET answer_due = %d WHERE tenant = '%s' AND status = 'disposisi' AND unit = 'DISDUKCAPIL'"
           % (now - 60, TENANT))
    assert work_on_cards(kop)["Pengaduan untuk OPD"] == ("1 menunggu", "1 lewat tenggat")

    # an application filed: it waits at the OPD and for the Sekda's overview; late once past its SLA
    admin = signed("admin")
    code, _, _ = new_service(env, "dasbor-uji", "Verifikasi berkas | petugas\n", admin=admin)
    warga, _, app_id = file_app(env, code, warga=signed("warga"))
    assert work_on_cards(kop)["Antrian permohonan OPD"] == ("1 menunggu", None)
    sekda = signed("sekda")
    cards = work_on_cards(sekda)
    assert cards["Antrian permohonan seluruh OPD"] == ("1 menunggu", None), cards
    # every open complaint of every OPD (the two waiting for verification, DISDUKCAPIL's and DLH's)
    assert cards["Pengaduan seluruh OPD"] == ("4 menunggu", "2 lewat tenggat"), cards
    # the leaders' proposals say the nearest deadline with the count (docs/governance.md)
    count, late = cards["Usulan menunggu saran Sekda"]
    assert re.match(r"1 menunggu, tenggat terdekat \d+ \w+ \d{4} \(", count) and late is None, cards
    db.sql("UPDATE services_apps SET due_day = due_day - 30 WHERE id = %d" % app_id)
    assert work_on_cards(kop)["Antrian permohonan OPD"] == ("1 menunggu", "1 lewat tenggat")
    assert work_on_cards(kop, "en")["/antrian"] == ("1 waiting", "1 overdue")
    # the citizen has nothing to do until it comes back to them; then it waits for nobody at the OPD
    assert work_on_cards(warga)["Permohonan saya"] == (None, None)
    p = signed("petugas")
    page = p.get("%s/permohonan/%d" % (T, app_id)).expect(200)
    p.post_form("%s/permohonan/%d/aksi" % (T, app_id), {"_csrf": page.csrf(), "op": "return",
                                                        "text": "Scan kartu keluarga buram"}).expect(303)
    assert work_on_cards(warga)["Permohonan saya"] == (None, "1 perlu Anda perbaiki")
    assert work_on_cards(kop)["Antrian permohonan OPD"] == ("tidak ada yang menunggu", None)
    # the leaders' inboxes; a deadline passed shows
    db.sql("UPDATE governance_proposals SET due_at = %d WHERE tenant = '%s' AND state = 'pertimbangan'" % (now - 60, TENANT))
    count, late = work_on_cards(signed("wakil"))["Usulan menunggu pertimbangan"]
    assert count.startswith("1 menunggu, tenggat terdekat ") and "(terlambat" in count and late == "1 lewat tenggat", count
    assert work_on_cards(signed("kepala_daerah"))["Usulan menunggu keputusan"] == ("tidak ada yang menunggu", None)
    # a count stops at 999+: the dashboard does not read a whole large queue
    dlh = num("SELECT id FROM complaints WHERE tenant = '%s' AND status = 'disposisi' AND unit = 'DLH'" % TENANT)
    copy_rows(db, "complaints", dlh, 1000, 800000)
    assert work_on_cards(sekda)["Pengaduan seluruh OPD"] == ("999+ menunggu", "2 lewat tenggat")
    # cards without work behind them have no count
    assert all(v == (None, None) for k, v in work_on_cards(admin).items()), work_on_cards(admin)
