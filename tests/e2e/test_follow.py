"""
test_follow.py: "never report the same thing twice" (docs/complaints.md, "Following a
complaint"). The intake form's search for similar open complaints (GET /t/{tenant}/pengaduan/serupa:
the duplicate search's rules, open complaints only, at most 5, titles masked as in public lists,
bounded input with a 400 in the reader's language); following a complaint ("Saya juga mengalami
ini") with an account in one click or with an e-mail address alone, the refusals (the reporter,
an official, a closed complaint, a bad address, no CSRF token), the count on the public and the
officials' page, the notifications and e-mails when it is answered and when it is merged (the
follows move to the main complaint), stopping (the account's button, the e-mail's link), the
personal-data export and account deletion, and a visitor's follows by address becoming their
account's once the account proves that the address is its own (the link e-mailed to it, opened by
the account's session).
"""
import contextlib
import email
import json
import re
import urllib.parse

from harness import TENANT, check_sigap, unique, wait_for
from test_mail import verify_and_answer
from test_privacy import PW, correct, file_complaint, register

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
        srv.sink = sink
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
        # the e-mail as sent carries the link that stops it; the outbox's row (kept 30 days after
        # sending, and in backups and tenant exports) holds it only until it is sent
        sent = wait_for(lambda: sent_bodies(srv, low))
        assert len(sent) == 1, sent
        token = re.search(r"https://sigap\.example\.id/t/%s/pengaduan/%d/berhenti-ikuti\?k=([0-9a-f]{32})\n"
                          % (TENANT, a), sent[0]).group(1)
        assert "\x02" not in sent[0] and "\x03" not in sent[0], repr(sent[0])
        assert wait_for(lambda: count(db, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = '%s' AND sent_at IS NOT "
                                          "NULL AND body LIKE '%%/pengaduan/%d/berhenti-ikuti?k=[dihapus]%%'"
                                      % (low, a)) == 1)
        kept = outbox(db, low)[0][1]
        assert token not in kept and "Berhenti mengikuti laporan ini:" in kept, kept
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


CLAIM = "/t/%s/pengaduan/pindah-ke-akun" % TENANT
MOVE_SUBJECT = "Pindahkan laporan yang Anda ikuti ke akun Anda"


def sent_bodies(srv, to):
    """The bodies of the messages the SMTP sink got for `to`, in order."""
    return [email.message_from_bytes(raw).get_payload(decode=True).decode("utf-8")
            for _sender, rcpts, raw in list(srv.sink.messages) if rcpts == [to]]


def claim_link(srv, db, to, subject=MOVE_SUBJECT):
    """The newest link to move an address's follows (None when no such e-mail is queued), from
    the message as it arrived: the outbox keeps it only until it is sent (mail_enqueue_secret)."""
    queued = [b for subj, b in outbox(db, to) if subj == subject]
    if not queued:
        return None

    def links():
        got = [m.group(1) for m in (re.search(r"https://sigap\.example\.id(/t/[^ ]+/pengaduan/pindah-ke-akun/"
                                              r"[0-9a-f]{64})\n", b) for b in sent_bodies(srv, to)) if m]
        return len(got) >= len(queued) and got
    got = wait_for(links)
    assert got, (queued, sent_bodies(srv, to))
    # once sent, the row holds the message without its link's token
    assert wait_for(lambda: count(db, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = '%s' AND subject = '%s' "
                                      "AND sent_at IS NOT NULL AND body LIKE '%%/pindah-ke-akun/[dihapus]%%'"
                                  % (to, subject)) == len(queued))
    assert not [b for _s, b in outbox(db, to) if got[-1].rsplit("/", 1)[1] in b]
    return got[-1]


def follows_of(db, cid):
    return sorted((int(u), str(e)) for u, e in db.sql("SELECT user_id, email FROM complaints_follows "
                                                      "WHERE complaint_id = %d" % cid))


def followed_ids(c):
    """The complaints "Laporan saya" lists as followed."""
    page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200, contains="Laporan yang saya ikuti").text
    part = page.split('id="cpl-followed"')[1].split("</ul>")[0]
    return sorted(int(i) for i in re.findall(r'/pengaduan/(\d+)"', part))


def user_id(db, name):
    return int(db.sql("SELECT id FROM users WHERE username = '%s'" % name)[0][0])


def test_follows_by_address_become_the_accounts_once_it_is_proven(env):
    with mail_setup(env, "pindah") as (srv, db, key):
        tag = unique("pindah")
        a = file_o311(srv, key, "KTP-el %s belum jadi sudah dua bulan" % tag)
        b = file_o311(srv, key, "Lampu jalan %s padam seminggu" % tag, code="jalan")
        # a visitor follows two by an address; a neighbour follows one by hers
        low = "warga.%s@example.id" % tag
        v = srv.client()
        follow(v, a, email="Warga.%s@Example.ID" % tag).expect(303)
        follow(v, b, email=low).expect(303)
        follow(srv.client(), a, email="tetangga.%s@example.id" % tag).expect(303)
        assert len(outbox(db, low)) == 2

        # the same visitor makes an account, the address typed in capitals: the page says nothing
        # of it, the address gets one e-mail with the link; nothing is moved on a typed address
        c, name = register(env, client=srv.client(), full_name="Wati Pengikut", email=low.upper())
        uid = user_id(db, name)
        link = claim_link(srv, db, low)
        assert link, outbox(db, low)
        body = [bd for subj, bd in outbox(db, low) if subj.startswith(MOVE_SUBJECT)][0]
        assert 'Akun warga "%s"' % name in body and "mengikuti 2 laporan" in body, body
        assert follows_of(db, a) == sorted([(0, low), (0, "tetangga.%s@example.id" % tag)])
        assert follows_of(db, b) == [(0, low)]
        assert followed_ids(c) == []
        assert "Anda belum mengikuti laporan warga lain" in c.get("/t/%s/pengaduan/kelola" % TENANT).text

        # the link opened without a session: which account, and a sign-in that comes back here
        anon = srv.client()
        page = anon.get(link).expect(200, contains="Masuk dengan akun ini untuk memindahkannya")
        assert name in page.text and low in page.text and 'id="cpl-claim-btn"' not in page.text
        assert "/t/%s/masuk?next=%s" % (TENANT, link) in page.text, page.text
        r = anon.post_form(link, {"_csrf": page_of(anon, a).csrf()})
        assert r.status == 403, r.status
        form = anon.get("/t/%s/masuk?next=%s" % (TENANT, link)).expect(200)
        r = anon.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": name, "password": PW,
                                                    "next": link}).expect(303)
        assert r.header("location") == link, r.header("location")
        # another citizen's session: refused, nothing moved
        other, _ = register(env, client=srv.client(), full_name="Orang Lain", email="lain.%s@example.id" % tag)
        page = other.get(link).expect(403, contains="Anda sedang masuk dengan akun lain")
        other.post_form(link, {"_csrf": page.csrf()}).expect(403)
        assert follows_of(db, b) == [(0, low)]
        # signed in (here on another device, back from the sign-in), the page offers the move;
        # a GET changes nothing (mail scanners open links)
        page = anon.get(link).expect(200, contains="Pindahkan ke akun saya")
        assert follows_of(db, b) == [(0, low)]

        # the account's session proves it: both follows are the account's, the neighbour's stays hers
        r = anon.post_form(link, {"_csrf": page.csrf()}).expect(303)
        assert r.header("location") == "/t/%s/pengaduan/kelola?ok=dipindah" % TENANT
        mine = c.get(r.header("location")).expect(200, contains="kini diikuti akun Anda")
        assert followed_ids(c) == sorted([a, b]), mine.text
        assert follows_of(db, a) == sorted([(0, "tetangga.%s@example.id" % tag), (uid, "")])
        assert follows_of(db, b) == [(uid, "")]
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE email = '%s'" % low) == 0
        page_of(c, a).expect(200, contains="Berhenti mengikuti")
        page_of(srv.client(), a).expect(200, contains="2 warga juga mengalami ini")
        # once: the link is spent
        c.get(link).expect(404, contains="Tautan ini tidak berlaku lagi")
        assert anon.post_form(link, {"_csrf": page.csrf()}).status == 404
        # audited as the account's, without the address
        rows = db.sql("SELECT actor, summary FROM audit_log WHERE action = 'user.email.confirm'")
        assert len(rows) == 1 and str(rows[0][0]) == name and "2 moved" in str(rows[0][1]), rows
        assert low not in str(rows[0][1])

        # answered: the account hears once (its notification, by e-mail at its address), no
        # follower's e-mail to the address besides; the neighbour still by hers
        before = len(outbox(db, low))
        verify_and_answer(srv, a, "KTP-el %s sudah dicetak." % tag)
        notes = [str(m) for (m,) in db.sql("SELECT message FROM notifications WHERE user_id = %d" % uid)]
        assert notes.count("Laporan yang Anda ikuti telah dijawab") == 1, notes
        got = outbox(db, low)[before:]
        assert len([s_ for s_, _ in got if s_.startswith("Laporan yang Anda ikuti telah dijawab")]) == 1, got
        assert "berhenti-ikuti" not in " ".join(bd for _, bd in got)
        assert len(outbox(db, "tetangga.%s@example.id" % tag)) == 2

        # the export lists them; the deletion takes them and the account's links
        doc = json.loads(c.get("/t/%s/akun/data.json" % TENANT).expect(200).text)
        assert sorted(f["id"] for f in doc["complaints_followed"]) == sorted([a, b]), doc["complaints_followed"]
        page = c.get("/t/%s/akun/hapus" % TENANT).expect(200)
        c.post_form("/t/%s/akun/hapus" % TENANT, {"_csrf": page.csrf(), "password": PW, "yakin": "1"}).expect(303)
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE user_id = %d" % uid) == 0
        assert count(db, "SELECT COUNT(*) FROM email_confirmations WHERE user_id = %d" % uid) == 0
        assert low not in srv.log_text()


def test_moved_follows_are_not_doubled_nor_on_the_reporters_own(env):
    with mail_setup(env, "ganda") as (srv, db, key):
        tag = unique("ganda")
        mail = "ganda.%s@example.id" % tag
        a = file_o311(srv, key, "KTP-el %s belum jadi" % tag)
        b = file_o311(srv, key, "Akta %s belum terbit" % tag)
        # a citizen with the address: nothing followed by it yet, so no e-mail
        c, name = register(env, client=srv.client(), full_name="Dedi Ganda", email=mail)
        uid = user_id(db, name)
        assert claim_link(srv, db, mail) is None
        own = file_complaint(c, "Got %s mampet di depan rumah" % tag)
        follow(c, a).expect(303)
        # signed out, the same person follows a (followed by the account already), their own and b
        v = srv.client()
        for cid in (a, own, b):
            follow(v, cid, email=mail.upper()).expect(303)
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE email = '%s'" % mail) == 3
        # "Laporan saya" asks for the link to the account's address (the same answer either way)
        page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        assert mail in page.text and 'id="cpl-claim-send"' in page.text
        r = c.post_form(CLAIM, {"_csrf": page.csrf()}).expect(303)
        assert r.header("location") == "/t/%s/pengaduan/kelola?ok=tautan" % TENANT
        c.get(r.header("location")).expect(200, contains="tautan untuk memindahkannya ke akun ini sudah dikirim")
        link = claim_link(srv, db, mail)
        assert link
        page = c.get(link).expect(200)
        c.post_form(link, {"_csrf": page.csrf()}).expect(303)
        # one follow each: a once, b moved, none on the reporter's own
        assert follows_of(db, a) == [(uid, "")]
        assert follows_of(db, b) == [(uid, "")]
        assert follows_of(db, own) == []
        assert followed_ids(c) == sorted([a, b])
        page_of(srv.client(), a).expect(200, contains="1 warga juga mengalami ini")
        assert "warga juga mengalami ini" not in page_of(srv.client(), own).expect(200).text
        # at most 3 links an hour per account: asking on gives the same answer, no more e-mails
        for _ in range(4):
            page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
            c.post_form(CLAIM, {"_csrf": page.csrf()}).expect(303)
        follow(v, a, email=mail).expect(303)  # followed by the address again, so there is something to send
        page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        c.post_form(CLAIM, {"_csrf": page.csrf()}).expect(303)
        page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        c.post_form(CLAIM, {"_csrf": page.csrf()}).expect(303)
        page = c.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        c.post_form(CLAIM, {"_csrf": page.csrf()}).expect(303)
        assert len([1 for subj, _ in outbox(db, mail) if subj.startswith(MOVE_SUBJECT)]) == 3
        # an official has no such page nor form
        k = srv.client()
        k.login(TENANT, "koordinator")
        assert 'id="cpl-claim-send"' not in k.get("/t/%s/pengaduan/kelola" % TENANT).expect(200).text
        assert k.post_form(CLAIM, {"_csrf": k.session_csrf(TENANT)}).status == 403


def test_a_typed_or_other_address_moves_nothing(env):
    with mail_setup(env, "ketik") as (srv, db, key):
        tag = unique("ketik")
        mail = "ketik.%s@example.id" % tag
        a = file_o311(srv, key, "KTP-el %s belum jadi" % tag)
        follow(srv.client(), a, email=mail).expect(303)
        # an account with another address: no e-mail to either, nothing moved
        c, name = register(env, client=srv.client(), full_name="Rudi Ketik", email="rudi.%s@example.id" % tag)
        uid = user_id(db, name)
        assert claim_link(srv, db, mail) is None and claim_link(srv, db, "rudi.%s@example.id" % tag) is None
        # the account takes the address (typed, not proven): a link goes to it, in the account's
        # language, and nothing moves until it is opened
        c.get("/bahasa/en?next=/t/%s/akun" % TENANT).expect(303)
        page = c.get("/t/%s/akun" % TENANT).expect(200)
        correct(c, page, full_name="Rudi Ketik", email=mail, phone="").expect(303)
        assert follows_of(db, a) == [(0, mail)]
        subjects = [subj for subj, _ in outbox(db, mail)]
        assert "Move the reports you follow to your account" in subjects, subjects
        link = claim_link(srv, db, mail, "Move the reports you follow to your account")
        page = c.get(link).expect(200, contains="Move them to my account")
        # the address changes again before the link is opened: the link proves nothing now
        acct = c.get("/t/%s/akun" % TENANT).expect(200)
        correct(c, acct, full_name="Rudi Ketik", email="rudi.baru.%s@example.id" % tag, phone="").expect(303)
        assert c.post_form(link, {"_csrf": page.csrf()}).status == 404
        c.get(link).expect(404)
        assert follows_of(db, a) == [(0, mail)]
        assert count(db, "SELECT COUNT(*) FROM complaints_follows WHERE user_id = %d" % uid) == 0
        assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.email.confirm'") == 0
        # a made-up link
        srv.client().get(CLAIM + "/" + "0" * 64).expect(404)
        srv.client().get(CLAIM + "/zz").expect(404)
