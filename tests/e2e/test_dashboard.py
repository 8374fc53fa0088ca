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
