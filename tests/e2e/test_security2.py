"""
test_security2.py: findings of a security review, each reproduced the way an
attacker would do it (against the shared demo server, or a server of its own
where a setting is needed):

- an API key (user id 0) is no user: it reads no notification addressed to
  a role (every OPD's and the leaders') as if it were its own, and a
  citizen's key lists no complaint as "Laporan saya";
- a confidential or anonymous reporter is not named in the audit log (which
  the Sekda and the Kepala Daerah read) when filing, replying, rating or
  reopening;
- a password in a URL setting (smtp-url, db) is never written to the log or
  to stdout;
- a main complaint's answer e-mailed to the reporters of the complaints
  merged into it has its personal data masked, as on their page;
- a photo declaring gigapixels (a decompression bomb for every browser on
  the public page) is refused;
- an upload that is refused (a citizen sending a service's result or a
  proposal's attachment) leaves no file in the file store.
"""
import base64
import os
import re
import struct
import time
import uuid
import zlib

from harness import DEMO_PASSWORD, TENANT, check_sigap, run_sigap, unique

NOTE_RE = re.compile(r"<li(?: class=\"unseen\")?><time>")
NUMBER_RE = re.compile(r"\d+\.\d+/ADU/\d{4}/\d{6}")


def new_key(env, role="warga", unit=None):
    args = ["apikey", "create", "--tenant", TENANT, "--name", unique("sec"), "--role", role]
    if unit:
        args += ["--unit", unit]
    return check_sigap(args, db=env.shared_db).stdout.strip()


def new_citizen(env):
    name = unique("w")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", "Warga Uji " + name,
                 "--role", "warga"], db=env.shared_db, input=DEMO_PASSWORD + "\n")
    c = env.client()
    c.login(TENANT, name)
    return name, c


def multipart(fields, files=()):
    b = "----sec" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (b, k, v)).encode("utf-8")
    for k, name, data, ctype in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (b, k, name, ctype)).encode("utf-8") + data + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def png(width, height):
    """A valid PNG header declaring width x height, with one small IDAT: a
    few hundred bytes (a decompression bomb when the size is large)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9)) + chunk(b"IEND", b""))


def post_complaint(c, identity, name="", files=()):
    form = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    body, ct = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Lampu jalan mati"),
                          ("description", "Lampu jalan di depan masjid mati sejak minggu lalu"),
                          ("category", "pju"), ("kelurahan", ""), ("address", "Jl. Uji Keamanan 7"),
                          ("lat", ""), ("long", ""), ("identity", identity), ("name", name), ("email", ""), ("phone", "")],
                         files)
    return c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ct})


def file_complaint(c, identity, name=""):
    """Files a complaint through the web form; returns its id."""
    r = post_complaint(c, identity, name)
    r.expect(303)
    m = re.search(r"/pengaduan/(\d+)\?baru=1$", r.header("location") or "")
    assert m, r.header("location")
    return int(m.group(1))


# ------------------------------------------------------------ API keys are not users

def test_apikey_reads_no_role_notifications(env):
    # the demo data has notifications to the coordinator, to OPDs and to
    # the leaders; a user of those roles sees them
    k = env.client()
    k.login(TENANT, "koordinator")
    assert NOTE_RE.search(k.get("/t/%s/dasbor" % TENANT).expect(200).text), "the demo has no notification"
    # a citizen's key (what an Open311 client gets) reads none of them:
    # user id 0 matched "user_id = 0", the mark of every role's notification
    anon = env.client()
    key = new_key(env)
    page = anon.get("/t/%s/dasbor" % TENANT, headers={"X-API-Key": key}).expect(200)
    assert not NOTE_RE.search(page.text), "a citizen's key reads notifications: %s" % (
        re.findall(r"<time>[^<]*</time>[^\n]*", page.text)[:5])
    # a key of an OPD role reads its OPD's notifications, like a user of it,
    # and not the coordinator's
    assert env.shared_db.sql("SELECT COUNT(*) FROM notifications WHERE tenant = '%s' AND role = 'petugas' "
                             "AND unit = 'DISPERKIM'" % TENANT)[0][0] not in (0, "0")
    key = new_key(env, "petugas", "DISPERKIM")
    page = anon.get("/t/%s/dasbor" % TENANT, headers={"X-API-Key": key}).expect(200)
    assert NOTE_RE.search(page.text), page.text[:2000]
    assert "/pengaduan/5" in page.text and "menunggu verifikasi" not in page.text, page.text[:3000]


def test_citizen_key_has_no_reports_of_its_own(env):
    # a signed-in citizen's "Laporan saya" lists their own reports only
    w = env.client()
    w.login(TENANT, "warga")
    own = set(NUMBER_RE.findall(w.get("/t/%s/pengaduan/kelola" % TENANT).expect(200).text))
    assert own, "the demo citizen has no report"
    others = set(r[0] for r in env.shared_db.sql(
        "SELECT number FROM complaints WHERE tenant = '%s' AND status <> 'arsip' AND reporter_user_id <> "
        "(SELECT id FROM users WHERE tenant = '%s' AND username = 'warga')" % (TENANT, TENANT)))
    assert others and not (own & others)
    # a citizen's API key has no account, so no reports: user id 0 in the
    # filter meant "anyone's", and it listed every complaint of the Pemda
    key = new_key(env)
    page = env.client().get("/t/%s/pengaduan/kelola" % TENANT, headers={"X-API-Key": key}).expect(200)
    assert NUMBER_RE.findall(page.text) == [], NUMBER_RE.findall(page.text)


# ------------------------------------------------------------ reporters' identity in the audit log

def test_hidden_reporter_not_named_in_audit_log(env):
    name, c = new_citizen(env)
    ids = []
    for identity in ("anonim", "rahasia", "terbuka"):
        cid = file_complaint(c, identity)
        ids.append(cid)
        # the reporter replies at once from the same browser (an anonymous
        # reporter by the reporter code's cookie, set for this complaint)
        page = c.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
        assert 'value="balas"' in page.text, page.text[:2000]
        c.post_form("/t/%s/pengaduan/%d/aksi" % (TENANT, cid),
                    {"_csrf": c.session_csrf(TENANT), "aksi": "balas", "text": "Masih mati sampai hari ini",
                     "version": ""}).expect(303)
    anon_id, secret_id, open_id = ids

    def actors(cid):
        return [r[0] for r in env.shared_db.sql("SELECT actor FROM audit_log WHERE tenant = '%s' AND object = "
                                                  "'complaint:%d' ORDER BY seq" % (TENANT, cid))]
    # filing and replying are both in the log, neither under the account
    assert actors(anon_id) == ["anonim", "anonim"], actors(anon_id)
    assert actors(secret_id) == ["pelapor", "pelapor"], actors(secret_id)
    assert actors(open_id) == [name, name], actors(open_id)
    # the Sekda, who is shown "Dirahasiakan" on the complaint, reads the log
    s = env.client()
    s.login(TENANT, "sekda")
    page = s.get("/t/%s/pengaduan/%d" % (TENANT, secret_id)).expect(200)
    assert "Warga Uji" not in page.text and name not in page.text
    log = s.get("/t/%s/admin/audit" % TENANT).expect(200).text
    rows = [row for row in re.findall(r"<tr>.*?</tr>", log, re.S) if "complaint:%d<" % anon_id in row
            or "complaint:%d<" % secret_id in row]
    assert len(rows) == 4, rows
    assert not [row for row in rows if name in row], rows


# ------------------------------------------------------------ secrets in logs

def test_url_passwords_not_logged(env):
    srv = env.start_server(args=["--smtp-url", "smtp://mailer:S3cretSmtpPw@127.0.0.1:9",
                                 "--mail-from", "sigap@example.org", "--public-url", "http://sigap.example"])
    srv.stop()
    log = srv.log_text()
    assert "e-mail through smtp://mailer:***@127.0.0.1:9" in log, log
    assert "S3cretSmtpPw" not in log, log
    # a bad value is refused with a message that names it, not its password
    p = run_sigap(["serve", "--listen", "127.0.0.1:0", "--smtp-url", "http://u:S3cretSmtpPw@h"],
                  db=env.shared_db)
    assert p.returncode != 0 and "smtp-url must start with" in p.stderr and "S3cretSmtpPw" not in p.stderr, (
        p.returncode, p.stderr)
    if env.backend == "pg":
        # libpq takes a password parameter; init and migrate print the URL
        db = env.new_db(init=False)
        url = db.url + "&password=S3cretPgPw"
        p = run_sigap(["init", "--regions", env.small_regions_csv()], db=url)
        assert p.returncode == 0, p.stderr
        assert "password=***" in p.stdout and "S3cretPgPw" not in p.stdout + p.stderr, p.stdout


# ------------------------------------------------------------ a main complaint's answer, mailed to strangers

def test_merged_reporter_mail_masks_personal_data(env):
    # e-mail set up (the server at port 9 refuses; the messages stay queued)
    db = env.new_db()
    srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "sigap@example.org",
                                     "--public-url", "https://sigap.example"])
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "sec-merge"], db=db).stdout.strip()
    c = srv.client()
    ids = []
    for who in ("pelapor.induk@example.id", "pelapor.lain@example.id"):
        r = c.post_form("/open311/v2/requests.json", {
            "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837",
            "long": "116.1165", "description": "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan", "email": who})
        assert r.status == 200, r.text[:300]
        ids.append(r.json()[0]["service_request_id"])
    main, other = ids
    k = srv.client()
    k.login(TENANT, "koordinator")
    for cid in ids:
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
        if "Verifikasi koordinator" in page.text:
            version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
            k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid), {"_csrf": page.csrf(), "aksi": "verifikasi",
                        "version": version, "category": "adminduk"}).expect(303)
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, other)).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, other), {"_csrf": page.csrf(), "aksi": "gabung",
                "version": version, "merge_into": main, "yakin": "1"}).expect(303)
    # the OPD answers the main complaint's reporter with a phone number in it
    p = srv.client()
    p.login(TENANT, "petugas")
    page = p.get("/t/%s/pengaduan/%s" % (TENANT, main)).expect(200, contains="Jawaban OPD")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, main), {"_csrf": page.csrf(), "aksi": "jawab", "version": version,
                "text": "KTP-el Bapak sudah dicetak; kami hubungi di 081234567890."}).expect(303)
    def mails(to, text):
        """How many messages to `to` have `text` in their body (psql cannot
        return a body of several lines as one row)."""
        return int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE recipient = '%s' AND body LIKE '%%%s%%'"
                          % (to, text))[0][0])
    assert mails("pelapor.induk@example.id", "kami hubungi di 081234567890") == 1
    # the merged complaint's reporter is someone else: the page masks the
    # number for them, and so must the e-mail
    theirs = srv.client().get("/t/%s/pengaduan/%s" % (TENANT, other)).expect(200).text
    assert "081234567890" not in theirs and "KTP-el Bapak sudah dicetak" in theirs
    assert mails("pelapor.lain@example.id", "KTP-el Bapak sudah dicetak") == 1
    assert mails("pelapor.lain@example.id", "081234567890") == 0, db.sql(
        "SELECT body FROM mail_outbox WHERE recipient = 'pelapor.lain@example.id'")
    srv.stop()


# ------------------------------------------------------------ photos

def test_photo_decompression_bomb_refused(env):
    # 100000 x 100000 pixels in about 100 bytes: every browser that opened
    # the public complaint page (and Open311's media_url) would try to
    # decode 40 GB; the metadata stripper passed it untouched
    bomb = png(100000, 100000)
    assert len(bomb) < 200
    before = env.shared_db.sql("SELECT COUNT(*) FROM complaints")[0][0]
    c = env.client()
    r = post_complaint(c, "anonim", files=[("photo", "foto.png", bomb, "image/png")])
    r.expect(400, contains="ukuran gambar foto terlalu besar")
    assert "Lampu jalan di depan masjid" in r.text          # the form comes back as typed
    key = new_key(env)
    r = env.client().post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "pju", "address_string": "Jl. Uji 1",
        "description": "Lampu jalan mati"})
    r.expect(200)    # without a photo it goes in
    body, ct = multipart([("jurisdiction_id", TENANT), ("api_key", key), ("service_code", "pju"),
                          ("address_string", "Jl. Uji 1"), ("description", "Lampu jalan mati lagi")],
                         [("media", "foto.png", bomb, "image/png")])
    r = env.client().request("POST", "/open311/v2/requests.json", body=body, headers={"Content-Type": ct})
    r.expect(400, contains="ukuran gambar foto terlalu besar")
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM complaints")[0][0]) == int(before) + 1
    # a big photo of a real camera (8160 x 6120, 50 MP) still goes in
    r = post_complaint(c, "anonim", files=[("photo", "foto.png", png(8160, 6120), "image/png")])
    r.expect(303)


# ------------------------------------------------------------ refused uploads leave nothing on disk

def test_refused_uploads_store_no_file(env):
    # a citizen's account (anyone can make one) sends files where only an
    # officer may: each was stored before the refusal, 5 MB at a time, and
    # nothing ever removes a file no row refers to
    data_dir = env.tmp + "/files-" + unique("d")
    db = env.new_db()
    srv = env.start_server(db, args=["--data-dir", data_dir])
    w = srv.client()
    w.login(TENANT, "warga")
    csrf = w.session_csrf(TENANT)
    form = w.get("/api/v1/t/%s/services/kia" % TENANT).expect(200)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    r = w.post_json("/api/v1/t/%s/applications" % TENANT, {
        "service": "kia", "values": {"nik_pemohon": "5271014101900001", "nama_anak": "Anak Uji"},
        "files": {"akta_anak": {"filename": "a.pdf", "content_base64": base64.b64encode(pdf).decode()},
                  "kk": {"filename": "k.pdf", "content_base64": base64.b64encode(pdf).decode()}}},
        headers={"X-CSRF-Token": csrf})
    assert r.status == 201 and form.status == 200, r.text[:300]
    app_id = r.json()["id"]

    def stored():
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(data_dir) for f in fs)
    before = stored()
    for i in range(3):
        blob = b"%PDF-1.4\n" + os.urandom(64 * 1024) + b"\n%%EOF\n"
        # the result of their own application (an officer's upload)
        body, ct = multipart([("_csrf", csrf)], [("hasil", "hasil.pdf", blob, "application/pdf")])
        w.request("POST", "/t/%s/permohonan/%d/hasil" % (TENANT, app_id), body=body,
                  headers={"Content-Type": ct}).expect(403, contains="hanya petugas OPD")
        w.post_json("/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {
            "op": "result", "version": 1, "files": {"hasil": {"filename": "h.pdf", "content_base64": base64.b64encode(blob + b"x").decode()}}},
            headers={"X-CSRF-Token": csrf}).expect_json_error(403)
        # an attachment of a proposal (an OPD's draft)
        body, ct = multipart([("_csrf", csrf), ("version", "")], [("file", "lampiran.pdf", blob + b"y", "application/pdf")])
        assert w.request("POST", "/t/%s/usulan/5/lampiran" % TENANT, body=body,
                         headers={"Content-Type": ct}).status == 403
    assert stored() == before, [f for f in stored() if f not in before]
    # the refusal of the attachment is still audited
    assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused' AND actor = 'warga'")[0][0]) == 3
    # the officers' own uploads still work: a result, and an attachment to a returned proposal
    p = srv.client()
    p.login(TENANT, "petugas")
    body, ct = multipart([("_csrf", p.session_csrf(TENANT))], [("hasil", "hasil.pdf", pdf + b"%r\n", "application/pdf")])
    p.request("POST", "/t/%s/permohonan/%d/hasil" % (TENANT, app_id), body=body, headers={"Content-Type": ct}).expect(303)
    page = p.get("/t/%s/usulan/5" % TENANT).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    body, ct = multipart([("_csrf", page.csrf()), ("version", version)], [("file", "l.pdf", pdf + b"%z\n", "application/pdf")])
    p.request("POST", "/t/%s/usulan/5/lampiran" % TENANT, body=body, headers={"Content-Type": ct}).expect(303)
    assert len(stored()) == len(before) + 2, stored()
    srv.stop()


# ------------------------------------------------------------ a spam photo leaves shared caches soon

def test_photo_cache_follows_visibility(env):
    # a photo's bytes never change, but a complaint archived as spam hides
    # them: shared caches may keep a public one but ask each time (it was a
    # day, 'immutable', then ten minutes; test_complaint_photos has the 304s),
    # an archived one (only the coordinator sees it) not at all
    c = env.client()
    r = post_complaint(c, "anonim", files=[("photo", "foto.png", png(64, 48), "image/png")])
    r.expect(303)
    cid = int(re.search(r"/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1))
    photo = "/t/%s/pengaduan/%d/foto/0" % (TENANT, cid)
    # not public until the coordinator has looked at it (tests/e2e/test_complaint_photos.py): the
    # reporter's browser sees it, from no cache
    env.client().get(photo).expect(404)
    r = c.get(photo).expect(200)
    assert r.header("cache-control") == "private, no-store", r.headers
    env.shared_db.sql("UPDATE complaints SET photos_public = 1 WHERE id = %d" % cid)  # as a verification leaves it
    time.sleep(1.1)         # past the one-second cache of a complaint
    r = env.client().get(photo).expect(200)
    assert r.header("cache-control") == "public, no-cache" and r.header("etag"), r.headers
    etag = r.header("etag")
    env.client().get(photo, headers={"If-None-Match": etag}).expect(304)
    env.shared_db.sql("UPDATE complaints SET status = 'arsip' WHERE id = %d" % cid)
    time.sleep(1.1)         # past the one-second cache of a complaint
    env.client().get(photo).expect(404)
    env.client().get(photo, headers={"If-None-Match": etag}).expect(404)     # the cache's question too
    k = env.client()
    k.login(TENANT, "koordinator")
    r = k.get(photo).expect(200)
    assert r.header("cache-control") == "private, no-store", r.headers


# ------------------------------------------------------------ a signing key is a person's

def test_apikey_cannot_make_a_signing_key(env):
    key = new_key(env, role="sekda")
    r = env.client().post_form("/t/%s/kunci-tanda-tangan" % TENANT, {"passphrase": "frasa-sandi-panjang-1",
                                                                     "confirm": "frasa-sandi-panjang-1"},
                               headers={"Authorization": "Bearer " + key})
    r.expect(403, contains="bukan dengan kunci API")
    prefix = key[4:16]
    assert env.shared_db.sql("SELECT COUNT(*) FROM governance_keys WHERE username = 'apikey:%s'" % prefix)[0][0] \
        in (0, "0")
