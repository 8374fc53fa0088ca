"""
test_follow.py: "never report the same thing twice" (docs/complaints.md, "Following a
complaint"). The intake form's search for similar open complaints (GET /t/{tenant}/pengaduan/serupa:
the duplicate search's rules, open complaints only, at most 5, titles masked as in public lists,
bounded input with a 400 in the reader's language); following a complaint ("Saya juga mengalami
ini") with an account in one click or with an e-mail address alone, the refusals (the reporter,
an official, a closed complaint, a bad address, no CSRF token), the count on the public and the
officials' page, the notifications and e-mails when it is answered and when it is merged (the
follows move to the main complaint), stopping (the account's button, the e-mail's link), and the
personal-data export and account deletion.
"""
import contextlib
import json
import re
import urllib.parse

from harness import TENANT, check_sigap, unique, wait_for
from test_mail import verify_and_answer
from test_privacy import PW, file_complaint, register

SIMILAR = "/t/%s/pengaduan/serupa" % TENANT
NIK = "5271014101900001"


def apikey(db, name):
    return check_sigap(["apikey", "create", "--tenant", TENANT, "--name", name, "--rate-limit", "0"],
                       db=db).stdout.strip()


def file_o311(srv, key, description, lat="-8.5837", lon="116.1165", email=None, kelurahan=None,
              code="adminduk"):
    f = {"jurisdiction_id": TENANT, "api_key": key, "service_code": code, "description": description}
    if kelurahan:
        f["address_id"] = kelurahan
    else:
        f["lat"], f["long"] = lat, lon
    if email:
        f["email"] = email
    r = srv.client().post_form("/open311/v2/requests.json", f)
    assert r.status == 200, (r.status, r.text[:300])
    return int(r.json()[0]["service_request_id"])


def similar(srv, headers=None, **q):
    return srv.client().get(SIMILAR + "?" + urllib.parse.urlencode(q), headers=headers)


def ids(r):
    r.expect(200)
    return [it["id"] for it in r.json()["items"]]


def page_of(c, cid):
    return c.get("/t/%s/pengaduan/%d" % (TENANT, cid))


def follow(c, cid, **fields):
    page = page_of(c, cid).expect(200)
    f = {"_csrf": page.csrf(), "aksi": "ikuti"}
    f.update(fields)
    return c.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, cid), f)


def alert(r):
    m = re.search(r'<p class="alert" role="alert">([^<]*)</p>', r.text)
    return m.group(1) if m else ""


def outbox(db, to):
    # the body's lines as one (psql's output has a row a line)
    return [(str(s), str(b)) for s, b in db.sql("SELECT subject, REPLACE(body, '\n', ' ') FROM mail_outbox "
                                                "WHERE recipient = '%s' ORDER BY id" % to)]


def count(db, sql):
    return int(db.sql(sql)[0][0])


@contextlib.contextmanager
def mail_setup(env, name, args=()):
    """A fresh database and a server that sends e-mail to a sink; yields (srv, db, api key)."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                         "layanan@mataramkota.go.id", "--public-url", "https://sigap.example.id"]
                               + list(args))
        yield srv, db, apikey(db, name)
    finally:
        sink.close()


def test_similar_open_complaints_for_the_intake_form(env):
    db = env.new_db()
    srv = env.start_server(db)
    key = apikey(db, "serupa")
    tag = unique("ktp")
    text = "KTP-el %s belum dicetak sudah tiga bulan NIK %s mohon kejelasan" % (tag, NIK)
    a = file_o311(srv, key, text)
    # the same words, 2 km away: outside the 300 m radius
    far = file_o311(srv, key, text, lat="-8.6017")
    # the same spot, another category
    other = file_o311(srv, key, text, code="jalan")
    # a kelurahan without coordinates
    kel = file_o311(srv, key, "Akta kelahiran %s anak kami belum terbit di kelurahan" % tag, kelurahan="52.71.02.1011")

    got = similar(srv, category="adminduk", lat="-8,5838", long="116.1166",
                  text="KTP-el %s saya belum dicetak tiga bulan" % tag)
    assert ids(got) == [a], got.text
    item = got.json()["items"][0]
    # what a public list shows, nothing more: the NIK in the title masked
    assert set(item) == {"id", "number", "title", "status", "status_label", "url", "followers"}, item
    assert NIK not in got.text and "5271********0001" in item["title"], item
    assert item["url"] == "/t/%s/pengaduan/%d" % (TENANT, a) and item["followers"] == 0, item
    assert item["status"] in ("baru", "disposisi"), item
    assert got.header("content-type").startswith("application/json"), got.header("content-type")
    assert far not in ids(similar(srv, category="adminduk", lat="-8.5838", long="116.1166", text=text))
    assert other not in ids(similar(srv, category="adminduk", lat="-8.5838", long="116.1166", text=text))
    assert ids(similar(srv, category="jalan", lat="-8.5838", long="116.1166", text=text)) == [other]
    # unrelated words: nothing
    assert ids(similar(srv, category="adminduk", lat="-8.5838", long="116.1166",
                       text="Lampu jalan padam di perempatan")) == []
    # by kelurahan
    assert ids(similar(srv, category="adminduk", kelurahan="52.71.02.1011",
                       text="akta kelahiran %s belum terbit" % tag)) == [kel]
    assert ids(similar(srv, category="adminduk", kelurahan="52.71.02.1012",
                       text="akta kelahiran %s belum terbit" % tag)) == []

    # at most 5, and only open ones: an answered complaint is no longer offered
    more = [file_o311(srv, key, text + " lagi %d" % i) for i in range(6)]
    got = ids(similar(srv, category="adminduk", lat="-8.5837", long="116.1165", text=text))
    assert len(got) == 5 and set(got) <= set([a] + more), got
    verify_and_answer(srv, a, "KTP-el sudah dicetak, silakan ambil.")
    for m in more:
        verify_and_answer(srv, m, "Sudah dicetak.")
    assert ids(similar(srv, category="adminduk", lat="-8.5837", long="116.1165", text=text)) == []

    # bounded input, a clear 400 in the reader's language, never a 500
    bad = [
        ({"lat": "-8.58", "long": "116.11", "text": text}, "pilih kategori terlebih dahulu"),
        ({"category": "adminduk", "text": text}, "pilih kelurahan/desa atau titik lokasi terlebih dahulu"),
        ({"category": "tidakada", "lat": "-8.58", "long": "116.11", "text": text}, "kategori tidak dikenal"),
        ({"category": "adminduk", "lat": "40.7", "long": "-74.0", "text": text}, "di luar wilayah Indonesia"),
        ({"category": "adminduk", "lat": "-8.58", "text": text}, "isi lintang dan bujur"),
        ({"category": "adminduk", "lat": "abc", "long": "116.11", "text": text}, "lokasi tidak sah"),
        ({"category": "adminduk", "kelurahan": "35.78.01.1001", "text": text}, "tidak berada di wilayah Pemda ini"),
        ({"category": "adminduk", "lat": "-8.58", "long": "116.11", "text": "x" * 5000}, "terlalu panjang"),
        ({"category": "adminduk", "lat": "-8.58", "long": "116.11", "text": "x" * 12001}, "terlalu panjang"),
        ({"category": "x" * 500, "lat": "-8.58", "long": "116.11", "text": text}, "kategori tidak dikenal"),
    ]
    for q, msg in bad:
        r = similar(srv, **q)
        assert r.status == 400 and msg in r.json()["error"]["message"], (q, r.status, r.text[:300])
        assert r.json()["error"]["code"] == "invalid", r.text
    r = similar(srv, headers={"Accept-Language": "en"}, category="adminduk", text=text)
    assert r.status == 400 and "choose" in r.json()["error"]["message"].lower(), r.text
    # the form carries the list's place and its script
    form = srv.client().get("/t/%s/pengaduan/baru" % TENANT).expect(200, contains="Laporan serupa yang sudah ada")
    assert 'data-url="/t/%s/pengaduan/serupa"' % TENANT in form.text


def test_follow_answer_and_stop(env):
    with mail_setup(env, "ikuti") as (srv, db, key):
        tag = unique("ikut")
        a = file_o311(srv, key, "KTP-el %s belum jadi sudah dua bulan" % tag, email="pelapor.%s@example.id" % tag)

        # a visitor follows with an e-mail address alone: one e-mail with the link that stops it
        v = srv.client()
        mail = "Ikut.%s@Example.ID" % tag
        low = mail.lower()
        r = follow(v, a, email="  " + mail + " ").expect(303)
        assert r.header("location") == "/t/%s/pengaduan/%d?ikut=1" % (TENANT, a)
        v.get(r.header("location")).expect(200, contains="Anda mengikuti laporan ini")
        first = outbox(db, low)
        assert len(first) == 1 and first[0][0].startswith("Anda mengikuti laporan ini: 52.71/ADU/"), first
        token = re.search(r"/pengaduan/%d/berhenti-ikuti\?k=([0-9a-f]{32})" % a, first[0][1]).group(1)
        # the address is stored lower-cased, the code only as its hash
        row = db.sql("SELECT user_id, email, token_hash FROM complaints_follows WHERE complaint_id = %d" % a)
        assert [(int(u), str(e)) for u, e, _ in row] == [(0, low)] and token not in str(row[0][2]), row
        # again, the same address however typed: nothing new, no second e-mail
        follow(v, a, email=mail.upper()).expect(303)
        assert len(outbox(db, low)) == 1
        # a bad address, no address, no token: refused, in the reader's language
        r = follow(v, a, email="bukan-alamat").expect(400)
        assert "alamat e-mail tidak sah" in alert(r), alert(r)
        assert 'value="bukan-alamat"' in r.text
        assert "wajib diisi" in alert(follow(v, a, email="").expect(400))
        r = v.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a), {"aksi": "ikuti", "email": "x@example.id"})
        assert r.status == 403, r.status
        r = follow(srv.client(), a, aksi="lompat").expect(400)

        # a citizen follows in one click; the page says so and offers to stop
        c, name = register(env, client=srv.client(), full_name="Budi Pengikut", email="budi.%s@example.id" % tag)
        page = page_of(c, a).expect(200, contains="Saya juga mengalami ini")
        r = follow(c, a).expect(303)
        page = c.get(r.header("location")).expect(200, contains="Berhenti mengikuti")
        assert "2 warga juga mengalami ini" in page.text, page.text
        follow(c, a).expect(303)
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE complaint_id = %d" % a) == 2
        # the public and the officials see the count
        page_of(srv.client(), a).expect(200, contains="2 warga juga mengalami ini")
        k = srv.client()
        k.login(TENANT, "koordinator")
        kp = page_of(k, a).expect(200, contains="2 warga juga mengalami ini")
        assert low not in kp.text and "budi.%s" % tag not in kp.text
        # and in the queue, by the complaint
        q = k.get("/t/%s/pengaduan/kelola" % TENANT).expect(200).text
        row = re.search(r'<tr[^>]*>(?:(?!</tr>).)*/pengaduan/%d"(?:(?!</tr>).)*</tr>' % a, q, re.S)
        assert row and "2 warga juga mengalami ini" in row.group(0), q
        # an official cannot follow
        r = follow(k, a).expect(403)
        assert "hanya warga" in alert(r)
        # the reporter cannot follow their own
        own = file_complaint(c, "Lampu %s mati" % tag)
        r = follow(c, own).expect(403)
        assert "Anda pelapor laporan ini" in alert(r), alert(r)

        # answered: the account is notified (and mailed at its address), the address mailed,
        # the answer masked as the public reads it
        verify_and_answer(srv, a, "KTP-el %s sudah dicetak; hubungi 0812 3456 7890." % tag)
        uid = int(db.sql("SELECT id FROM users WHERE username = '%s'" % name)[0][0])
        notes = [str(m) for (m,) in db.sql("SELECT message FROM notifications WHERE user_id = %d" % uid)]
        assert "Laporan yang Anda ikuti telah dijawab" in notes, notes
        got = outbox(db, low)
        assert len(got) == 2 and got[1][0].startswith("Laporan yang Anda ikuti telah dijawab: 52.71/ADU/"), got
        assert "sudah dicetak" in got[1][1] and "0812 3456 7890" not in got[1][1] and "0812 **** **90" in got[1][1]
        assert "https://sigap.example.id/t/%s/pengaduan/%d" % (TENANT, a) in got[1][1]
        assert outbox(db, "budi.%s@example.id" % tag), "the account's address gets its notification"
        # it is closed now: nobody new may follow, the follower may still stop
        r = follow(srv.client(), a, email="baru.%s@example.id" % tag).expect(409)
        assert "tidak dapat diikuti lagi" in alert(r), alert(r)
        page = page_of(c, a).expect(200, contains="Berhenti mengikuti")
        c.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a),
                    {"_csrf": page.csrf(), "aksi": "berhenti"}).expect(303)
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE complaint_id = %d AND user_id = %d"
                     % (a, uid)) == 0
        page = page_of(c, a).expect(200)
        r = c.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a), {"_csrf": page.csrf(), "aksi": "berhenti"})
        assert r.status == 404, r.status

        # the e-mail's link: a GET changes nothing, the button stops it, once
        v2 = srv.client()
        page = v2.get("/t/%s/pengaduan/%d/berhenti-ikuti?k=%s" % (TENANT, a, token)).expect(
            200, contains="Berhenti mengikuti laporan ini?")
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE complaint_id = %d" % a) == 1
        f = {"_csrf": page.csrf(), "aksi": "berhenti", "k": token}
        v2.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a), f).expect(303)
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE complaint_id = %d" % a) == 0
        assert v2.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a), f).status == 404
        f["k"] = "zz"
        assert v2.post_form("/t/%s/pengaduan/%d/ikuti" % (TENANT, a), f).status == 404
        assert "2 warga" not in page_of(srv.client(), a).expect(200).text
        # addresses are not logged
        assert low not in srv.log_text()


def test_follow_in_english_and_without_mail(env):
    db = env.new_db()
    srv = env.start_server(db)
    key = apikey(db, "en")
    a = file_o311(srv, key, "KTP-el %s belum jadi" % unique("en"))
    # without an SMTP server an address alone cannot follow; the page offers no field for it
    v = srv.client()
    page = page_of(v, a).expect(200, contains="Masuk untuk mengikuti")
    assert 'name="email"' not in page.text.split('id="cpl-follow"')[1]
    r = follow(v, a, email="warga@example.id").expect(400)
    assert "tidak mengirim e-mail" in alert(r)
    c = srv.client()
    c.cookies["lang"] = "en"
    r = follow(c, a, email="warga@example.id").expect(400)
    assert "does not send e-mail" in alert(r), alert(r)
    assert page_of(srv.client(), 999999).status == 404
    page = page_of(v, a).expect(200)
    assert v.post_form("/t/%s/pengaduan/999999/ikuti" % TENANT,
                       {"_csrf": page.csrf(), "aksi": "ikuti", "email": "a@example.id"}).status in (400, 404)


def test_follows_move_with_a_merge_and_hear_the_answer(env):
    with mail_setup(env, "gabung") as (srv, db, key):
        tag = unique("gab")
        main = file_o311(srv, key, "KTP-el %s belum dicetak sudah tiga bulan" % tag)
        dup = file_o311(srv, key, "KTP-el %s belum dicetak tiga bulan lebih" % tag)
        c, name = register(env, client=srv.client(), full_name="Rina Ikut", email="rina.%s@example.id" % tag)
        uid = int(db.sql("SELECT id FROM users WHERE username = '%s'" % name)[0][0])
        follow(c, dup).expect(303)
        mail = "gabung.%s@example.id" % tag
        follow(srv.client(), dup, email=mail).expect(303)
        # the coordinator merges the duplicate into the main complaint
        k = srv.client()
        k.login(TENANT, "koordinator")
        page = page_of(k, dup).expect(200)
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        k.post_form("/t/%s/pengaduan/%d/aksi" % (TENANT, dup), {"_csrf": page.csrf(), "aksi": "gabung",
                    "version": version, "merge_into": str(main), "yakin": "1"}).expect(303)
        notes = [str(m) for (m,) in db.sql("SELECT message FROM notifications WHERE user_id = %d" % uid)]
        assert "Laporan yang Anda ikuti digabung; Anda kini mengikuti laporan induknya" in notes, notes
        got = outbox(db, mail)
        assert len(got) == 2 and got[1][0].startswith("Laporan yang Anda ikuti digabung"), got
        assert "/t/%s/pengaduan/%d" % (TENANT, main) in got[1][1], got[1][1]
        rows = db.sql("SELECT complaint_id, COUNT(*) FROM complaints_follows GROUP BY complaint_id")
        assert [(int(i), int(n)) for i, n in rows] == [(main, 2)], rows
        page_of(srv.client(), main).expect(200, contains="2 warga juga mengalami ini")
        # the main complaint answered: both hear it
        verify_and_answer(srv, main, "KTP-el %s sudah dicetak." % tag)
        notes = [str(m) for (m,) in db.sql("SELECT message FROM notifications WHERE user_id = %d" % uid)]
        assert "Laporan yang Anda ikuti telah dijawab" in notes, notes
        got = outbox(db, mail)
        assert len(got) == 3 and "sudah dicetak" in got[2][1], got


def test_follows_in_the_export_and_gone_with_the_account(env):
    db = env.new_db()
    srv = env.start_server(db)
    key = apikey(db, "pdp")
    tag = unique("pdp")
    a = file_o311(srv, key, "KTP-el %s NIK %s belum jadi" % (tag, NIK))
    c, name = register(env, client=srv.client(), full_name="Sari Ekspor", email="sari.%s@example.id" % tag)
    follow(c, a).expect(303)
    r = c.get("/t/%s/akun/data.json" % TENANT).expect(200)
    doc = json.loads(r.text)
    got = doc["complaints_followed"]
    assert len(got) == 1 and got[0]["id"] == a and got[0]["url"] == "/t/%s/pengaduan/%d" % (TENANT, a), got
    assert NIK not in json.dumps(got) and "5271********0001" in got[0]["title"], got
    # deleting the account deletes its follows
    page = c.get("/t/%s/akun/hapus" % TENANT).expect(200)
    c.post_form("/t/%s/akun/hapus" % TENANT, {"_csrf": page.csrf(), "password": PW, "yakin": "1"}).expect(303)
    assert count(db, "SELECT COUNT(*) FROM complaints_follows") == 0
    assert "warga juga mengalami ini" not in page_of(srv.client(), a).expect(200).text


def test_follows_by_address_are_limited_per_network(env):
    """Each follow by an address alone sends an e-mail: one network may send only so many
    (complaint-limit-address per complaint-limit-window), counted apart from its complaints."""
    with mail_setup(env, "batas", args=["--complaint-limit-address", "2"]) as (srv, db, key):
        a = file_o311(srv, key, "KTP-el %s belum jadi" % unique("batas"))
        v = srv.client()
        follow(v, a, email="satu@example.id").expect(303)
        follow(v, a, email="satu@example.id").expect(303)  # again: not counted
        follow(v, a, email="dua@example.id").expect(303)
        r = follow(v, a, email="tiga@example.id").expect(429)
        assert r.header("retry-after") and "terlalu banyak permintaan mengikuti" in alert(r), r.text[:3000]
        assert count(db, "SELECT COUNT(*) FROM complaints_follows") == 2
        assert outbox(db, "tiga@example.id") == []
        # a citizen with an account is not held back by it
        c, _name = register(env, client=srv.client(), full_name="Akun Ikut", email="akun.%s@example.id" % unique("b"))
        follow(c, a).expect(303)
        # and the network may still file complaints: the counters are apart
        assert count(db, "SELECT COUNT(*) FROM complaints_rate WHERE subject LIKE 'ikuti:%'") == 1
