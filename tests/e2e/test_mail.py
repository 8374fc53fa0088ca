"""
test_mail.py: e-mail to citizens, end to end. A reporter without an account
who leaves an e-mail address hears of the answer: the message is queued with
the answer's transaction and sent by the periodic job through the SMTP server
(here tests/e2e/smtp_sink.py), with the answer and the link to the public
page; a refused recipient stays queued with the server's reason, to be tried
again later; without an SMTP server nothing is queued.
"""
import base64
import email
import email.header
import re
import time
import urllib.parse

from harness import TENANT, check_sigap, wait_for

FROM = "layanan@mataramkota.go.id"


def file_and_answer(srv, db, reporter, text):
    """An Open311 report with the reporter's e-mail (no account), verified by the coordinator if
    it waits for that, answered by the DISDUKCAPIL officer. Returns the complaint's id."""
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "mail-" + reporter], db=db).stdout.strip()
    c = srv.client()
    r = c.post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837", "long": "116.1165",
        "description": "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan", "email": reporter})
    assert r.status == 200, (r.status, r.text[:300])
    cid = r.json()[0]["service_request_id"]
    verify_and_answer(srv, cid, text)
    return cid


def verify_and_answer(srv, cid, text):
    """The coordinator verifies the complaint to DISDUKCAPIL if it waits for that; the OPD's
    officer answers it with text."""
    k = srv.client()
    k.login(TENANT, "koordinator")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
    if "Verifikasi koordinator" in page.text:
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid), {"_csrf": page.csrf(), "aksi": "verifikasi",
                    "version": version, "category": "adminduk"}).expect(303)
    p = srv.client()
    p.login(TENANT, "petugas")
    page = p.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Jawaban OPD")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "jawab", "version": version, "text": text}).expect(303)


def test_answer_reaches_the_reporter_by_email(env):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    sink.reject.add("tidak.ada@example.id")
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", "https://sigap.example.id", "--sweep-interval", "1"])
        # the intake form says where the answer will go, and that an anonymous report keeps no
        # contact (its e-mail address was dropped without a word while the form promised the answer)
        form = srv.client().get("/t/%s/pengaduan/baru" % TENANT).expect(
            200, contains="Jika Anda mengisi alamat e-mail dan tidak memilih Anonim, jawaban atas laporan ini dikirim ke sana.")
        assert "Anonim (tanpa nama, e-mail dan nomor HP;" in form.text, form.text[-4000:]
        cid = file_and_answer(srv, db, "warga.pelapor@example.id", "KTP-el Anda sudah dicetak, ambil di loket 3.")
        got = wait_for(lambda: [m for m in sink.messages if m[1] == ["warga.pelapor@example.id"]])
        assert got, "no e-mail reached the sink: %r" % sink.messages
        sender, rcpts, raw = got[0]
        assert sender == FROM, sender
        msg = email.message_from_bytes(raw)
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        assert subject.startswith("Pengaduan Anda telah dijawab: 52.71/ADU/"), subject
        assert msg["To"] == "<warga.pelapor@example.id>" and "sigap" in msg["From"], (msg["To"], msg["From"])
        assert msg.get_content_type() == "text/plain" and msg.get_content_charset() == "utf-8"
        body = msg.get_payload(decode=True).decode("utf-8")
        assert "KTP-el Anda sudah dicetak, ambil di loket 3." in body, body
        assert "https://sigap.example.id/t/52.71/pengaduan/%s" % cid in body, body
        assert body.rstrip().endswith("-- \nsigap: pesan otomatis, tidak perlu dibalas."), body
        # sent once, and marked so
        assert wait_for(lambda: db.sql("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL")[0][0] in (1, "1"))
        time.sleep(1.5)
        assert len([m for m in sink.messages if m[1] == ["warga.pelapor@example.id"]]) == 1, sink.messages

        # a mailbox the server refuses: kept, with the reason, for a later attempt
        file_and_answer(srv, db, "tidak.ada@example.id", "Sudah dicetak.")
        row = wait_for(lambda: db.sql("SELECT attempts, last_error, sent_at, failed_at FROM mail_outbox "
                                      "WHERE recipient = 'tidak.ada@example.id' AND attempts > 0"))
        assert row, db.sql("SELECT * FROM mail_outbox")
        attempts, err, sent, failed = row[0]
        assert int(attempts) == 1 and "550" in err and sent in (None, "") and failed in (None, ""), row
        # addresses are not logged
        assert "tidak.ada@example.id" not in srv.log_text() and "warga.pelapor" not in srv.log_text()

        # forgotten 30 days after it was sent, by the periodic jobs; the one still being retried
        # stays, however old
        db.sql("UPDATE mail_outbox SET sent_at = sent_at - 29 * 86400 WHERE recipient = 'warga.pelapor@example.id'")
        db.sql("UPDATE mail_outbox SET created_at = created_at - 90 * 86400 WHERE recipient = 'tidak.ada@example.id'")
        out = check_sigap(["sweep"], db=db).stdout
        assert "mail.prune" in out, out
        assert int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'warga.pelapor@example.id'")[0][0]) == 1
        db.sql("UPDATE mail_outbox SET sent_at = sent_at - 2 * 86400 WHERE recipient = 'warga.pelapor@example.id'")
        check_sigap(["sweep"], db=db)
        assert int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'warga.pelapor@example.id'")[0][0]) == 0
        assert int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'tidak.ada@example.id'")[0][0]) == 1
    finally:
        sink.close()


def test_no_smtp_server_no_outbox(env):
    db = env.new_db()
    srv = env.start_server(db, args=["--sweep-interval", "1"])
    assert "dikirim ke sana" not in srv.client().get("/t/%s/pengaduan/baru" % TENANT).expect(200).text
    file_and_answer(srv, db, "warga.lain@example.id", "Sudah selesai.")
    assert int(db.sql("SELECT COUNT(*) FROM mail_outbox")[0][0]) == 0
    assert "e-mail off" in srv.log_text()


def test_bad_mail_settings_stop_the_start(env):
    db = env.new_db()
    p = env.sigap(["serve", "--smtp-url", "http://mail.example.id", "--mail-from", FROM], db=db)
    assert p.returncode != 0 and "smtp-url must start with smtp:// or smtps://" in p.stderr, p.stderr
    p = env.sigap(["serve", "--smtp-url", "smtp://127.0.0.1:25"], db=db)
    assert p.returncode != 0 and "mail-from must be a plain e-mail address" in p.stderr, p.stderr


def test_officials_daily_digest(env):
    """Role-addressed notifications (a new complaint waits for the coordinator or an OPD) reach
    the officials with an address as one digest a day, from --mail-digest-hour local time (0
    here, so it is due at once): the items with their links and the dashboard link; a second
    sweep the same day sends nothing more."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", "https://sigap.example.id", "--sweep-interval", "1",
                                         "--mail-digest-hour", "0"])
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "digest"], db=db).stdout.strip()
        r = srv.client().post_form("/open311/v2/requests.json", {
            "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837",
            "long": "116.1165", "description": "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan"})
        assert r.status == 200, (r.status, r.text[:300])
        cid = r.json()[0]["service_request_id"]
        waiting = db.sql("SELECT role, unit FROM notifications WHERE object = 'complaint:%s' AND user_id = 0" % cid)
        assert waiting, "no role-addressed notification for the new complaint"
        role, unit = waiting[0]
        who = db.sql("SELECT username FROM users WHERE tenant = '%s' AND role = '%s' AND disabled = 0 %s "
                     "ORDER BY id LIMIT 1" % (TENANT, role, "AND unit = '%s'" % unit if unit else ""))[0][0]
        db.sql("UPDATE users SET email = 'pejabat.uji@mataramkota.go.id' WHERE tenant = '%s' AND username = '%s'"
               % (TENANT, who))
        got = wait_for(lambda: [m for m in sink.messages if m[1] == ["pejabat.uji@mataramkota.go.id"]])
        assert got, "no digest reached the sink: %r" % sink.messages
        msg = email.message_from_bytes(got[0][2])
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        assert re.match(r"sigap: \d+ pemberitahuan baru untuk jabatan Anda$", subject), subject
        body = msg.get_payload(decode=True).decode("utf-8")
        assert "https://sigap.example.id/t/52.71/pengaduan/%s" % cid in body, body
        assert body.rstrip().endswith("-- \nsigap: pesan otomatis, tidak perlu dibalas."), body
        assert "Dasbor: https://sigap.example.id/t/52.71/dasbor" in body, body
        time.sleep(2.5)                     # two more sweeps: nothing more today
        assert len([m for m in sink.messages if m[1] == ["pejabat.uji@mataramkota.go.id"]]) == 1, sink.messages
        assert "pejabat.uji" not in srv.log_text()
    finally:
        sink.close()


def test_user_mail_in_the_language_they_read(env):
    """A citizen who signs in reading English gets their notification e-mails in English
    (users.lang is kept at sign-in); switching the site back to Indonesian while signed in
    switches their e-mails too. Without a choice the account's language is left as it is."""
    from smtp_sink import SmtpSink
    from test_complaints import file_web, filed_id
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", "https://sigap.example.id", "--sweep-interval", "1"])
        addr = "warga.english@example.id"
        db.sql("UPDATE users SET email = '%s' WHERE tenant = '%s' AND username = 'warga'" % (addr, TENANT))

        def mails_to(n):
            got = wait_for(lambda: len([m for m in sink.messages if m[1] == [addr]]) >= n and
                           [m for m in sink.messages if m[1] == [addr]])
            assert got and len(got) >= n, "no e-mail reached the sink: %r" % sink.messages
            msg = email.message_from_bytes(got[n - 1][2])
            return str(email.header.make_header(email.header.decode_header(msg["Subject"])))

        fields = [("kind", "pengaduan"), ("description", "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan"),
                  ("category", "adminduk"), ("address", "Jl. Pejanggik 1"), ("identity", "terbuka")]
        # signed in from an English page: the account keeps "en"
        c = srv.client()
        c.cookies["lang"] = "en"
        c.login(TENANT, "warga")
        assert db.sql("SELECT lang FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0][0] == "en"
        cid = filed_id(file_web(c, fields))
        verify_and_answer(srv, cid, "KTP-el Anda sudah dicetak, ambil di loket 3.")
        number = db.sql("SELECT number FROM complaints WHERE id = %s" % cid)[0][0]
        # the complaint's number after the message, which is in the reader's language
        assert mails_to(1) == "Your complaint has been answered: %s" % number, sink.messages
        # back to Indonesian on the site while signed in: the account follows
        c.get("/bahasa/id").expect(303)
        assert db.sql("SELECT lang FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0][0] == "id"
        cid = filed_id(file_web(c, fields))
        verify_and_answer(srv, cid, "Sudah selesai.")
        number = db.sql("SELECT number FROM complaints WHERE id = %s" % cid)[0][0]
        assert mails_to(2) == "Pengaduan Anda telah dijawab: %s" % number, sink.messages
        # a sign-in without any language choice or Accept-Language leaves it
        db.sql("UPDATE users SET lang = 'en' WHERE tenant = '%s' AND username = 'warga'" % TENANT)
        srv.client().login(TENANT, "warga")
        assert db.sql("SELECT lang FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0][0] == "en"
        assert addr not in srv.log_text()
    finally:
        sink.close()


def test_reporter_mail_in_the_language_they_filed_in(env):
    """A reporter without an account hears of the answer in the language they filed in: the web
    form read in English, or an Open311 client asking for English (Accept-Language), gets the
    e-mail in English, subject and body, also when their report was merged into another one; the
    OPD's answer is quoted as written. Reports filed before the language was kept stay Indonesian
    (test_answer_reaches_the_reporter_by_email)."""
    from smtp_sink import SmtpSink
    from test_complaints import file_web, filed_id
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", "https://sigap.example.id", "--sweep-interval", "1"])

        def mail_to(addr):
            got = wait_for(lambda: [m for m in sink.messages if m[1] == [addr]])
            assert got, "no e-mail reached %s: %r" % (addr, sink.messages)
            msg = email.message_from_bytes(got[0][2])
            subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
            return subject, msg.get_payload(decode=True).decode("utf-8")

        # the web form, read in English, by a visitor without an account
        web = "web.en@example.id"
        c = srv.client()
        c.cookies["lang"] = "en"
        main = filed_id(file_web(c, [("kind", "pengaduan"), ("category", "adminduk"), ("identity", "terbuka"),
                                     ("description", "KTP-el belum dicetak sudah tiga bulan, mohon kejelasan"),
                                     ("address", "Jl. Pejanggik 1"), ("name", "Wayan"), ("email", web),
                                     ("phone", "081234567890")]))
        assert db.sql("SELECT reporter_lang FROM complaints WHERE id = %s" % main)[0][0] == "en"
        # an Open311 client asking for English, whose report the coordinator merges into the first
        o311 = "open311.en@example.id"
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "mail-lang"], db=db).stdout.strip()
        r = srv.client().request("POST", "/open311/v2/requests.json", body=urllib.parse.urlencode({
            "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837",
            "long": "116.1165", "description": "KTP-el saya juga belum dicetak, sudah tiga bulan", "email": o311,
            "phone": "0813-1111-2222"}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en-US,en;q=0.9"})
        assert r.status == 200, (r.status, r.text[:300])
        merged = r.json()[0]["service_request_id"]
        assert db.sql("SELECT reporter_lang FROM complaints WHERE id = %s" % merged)[0][0] == "en"
        k = srv.client()
        k.login(TENANT, "koordinator")
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, merged)).expect(200)
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, merged), {"_csrf": page.csrf(), "aksi": "gabung",
                    "version": version, "merge_into": main, "yakin": "1"}).expect(303)

        verify_and_answer(srv, main, "KTP-el Anda sudah dicetak, ambil di loket 3.")
        subject, body = mail_to(web)
        assert subject.startswith("Your complaint has been answered: 52.71/ADU/"), subject
        assert "KTP-el Anda sudah dicetak, ambil di loket 3." in body, body
        assert "See the answer, reply or rate it at https://sigap.example.id/t/52.71/pengaduan/%s" % main in body, body
        assert "Lihat jawaban" not in body, body
        assert body.rstrip().endswith("-- \nsigap: an automated message, please do not reply."), body
        subject, body = mail_to(o311)
        assert subject.startswith("A report merged with yours has been answered: 52.71/ADU/"), subject
        assert "See the answer, reply or rate it at https://sigap.example.id/t/52.71/pengaduan/%s" % merged in body, body
        assert web not in srv.log_text() and o311 not in srv.log_text()
        # the e-mails went to the e-mail field alone, never to a phone number
        assert all("@" in m[1][0] for m in sink.messages), [m[1] for m in sink.messages]
    finally:
        sink.close()


def test_held_or_forwarded_reporter_hears_by_email(env):
    """A reporter without an account who left an e-mail address hears when the coordinator puts
    the report on hold (it usually waits for them: a photo, the place) with the reason, and when it
    is forwarded as "bukan wewenang", with the agency it went to. Forwarding asks first, naming the
    agency; nothing changes until the coordinator confirms."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", "https://sigap.example.id", "--sweep-interval", "1"])
        k = srv.client()
        k.login(TENANT, "koordinator")
        csrf = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200).csrf()
        k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, {
            "_csrf": csrf, "verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60",
            "escalate_days": "3", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}).expect(303)
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "mail-hold"], db=db).stdout.strip()

        def filed(addr, text):
            r = srv.client().post_form("/open311/v2/requests.json", {
                "jurisdiction_id": TENANT, "api_key": key, "service_code": "adminduk", "lat": "-8.5837",
                "long": "116.1165", "description": text, "email": addr, "phone": "081234567890"})
            assert r.status == 200, (r.status, r.text[:300])
            return r.json()[0]["service_request_id"]

        def act(cid, fields, status):
            page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
            version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
            return k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                               dict(fields, _csrf=page.csrf(), version=version)).expect(status)

        def mail_to(addr):
            got = wait_for(lambda: [m for m in sink.messages if m[1] == [addr]])
            assert got, "no e-mail reached %s: %r" % (addr, sink.messages)
            msg = email.message_from_bytes(got[0][2])
            subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
            return subject, msg.get_payload(decode=True).decode("utf-8")

        def status(cid):
            return db.sql("SELECT status FROM complaints WHERE id = %s" % cid)[0][0]

        held = filed("tunda@example.id", "Jalan rusak di dekat pasar, mohon diperbaiki segera")
        act(held, {"aksi": "tunda", "text": "Mohon kirim foto dan nama jalannya"}, 303)
        subject, body = mail_to("tunda@example.id")
        assert subject.startswith("Pengaduan Anda ditunda: 52.71/ADU/"), subject
        assert "Mohon kirim foto dan nama jalannya" in body, body
        assert "https://sigap.example.id/t/52.71/pengaduan/%s" % held in body, body

        fwd = filed("teruskan@example.id", "Jalan nasional lintas kota berlubang besar, mohon diperbaiki")
        # asked first, naming the agency and carrying the note; nothing changed yet
        r = act(fwd, {"aksi": "bukan_wewenang", "forward_to": "Balai Jalan Nasional <NTB>",
                      "text": "Ruas jalan nasional"}, 200)
        assert "Teruskan sebagai bukan wewenang?" in r.text, r.text
        assert "<strong>Balai Jalan Nasional &lt;NTB&gt;</strong>" in r.text, r.text
        assert 'name="yakin" value="1"' in r.text and 'name="forward_to" value="Balai Jalan Nasional &lt;NTB&gt;"' in r.text
        assert 'name="text" value="Ruas jalan nasional"' in r.text
        assert status(fwd) == "baru"
        # a confirmation without an agency is refused in the transaction's words
        act(fwd, {"aksi": "bukan_wewenang", "forward_to": " ", "yakin": "1"}, 400)
        assert status(fwd) == "baru"
        act(fwd, {"aksi": "bukan_wewenang", "forward_to": "Balai Jalan Nasional <NTB>", "text": "Ruas jalan nasional",
                  "yakin": "1"}, 303)
        assert status(fwd) == "bukan_wewenang"
        subject, body = mail_to("teruskan@example.id")
        assert subject.startswith("Pengaduan Anda bukan wewenang Pemda ini dan diteruskan: 52.71/ADU/"), subject
        assert "Diteruskan kepada: Balai Jalan Nasional <NTB>" in body and "Ruas jalan nasional" in body, body
        assert "tunda@example.id" not in srv.log_text() and "teruskan@example.id" not in srv.log_text()
    finally:
        sink.close()
