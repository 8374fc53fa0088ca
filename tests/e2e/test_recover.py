"""
test_recover.py: a forgotten password, recovered by e-mail, end to end with
the SMTP sink: the link arrives (built from public-url, never from the Host
the asker sent), works once, sets the password, ends the old sessions; the
answer to a request never tells whether an account exists; a newer link voids
the older, an old one expires; requests are limited per address; without
e-mail the pages say to ask the administrator.
"""
import email
import os
import re
import sqlite3
import time

from harness import TENANT, check_sigap, unique, wait_for

FROM = "layanan@mataramkota.go.id"
PUBLIC = "https://sigap.example.id"
ASK = "/t/%s/lupa-sandi" % TENANT
SENT = "tautan untuk memilih kata sandi baru sudah dikirim"


def bodies_to(sink, rcpt):
    out = []
    for _sender, rcpts, raw in list(sink.messages):
        if rcpts == [rcpt]:
            out.append(email.message_from_bytes(raw).get_payload(decode=True).decode("utf-8"))
    return out


def link_in(body):
    m = re.search(r"(https?://\S+/t/52\.71/lupa-sandi/([0-9a-f]{64}))", body)
    assert m, body
    return m.group(1), m.group(2)


def register(c, username, mail, password="rahasia-lama-123"):
    page = c.get("/t/%s/daftar" % TENANT).expect(200)
    c.post_form("/t/%s/daftar" % TENANT, {"_csrf": page.csrf(), "full_name": "Baiq Warga", "username": username,
                                          "email": mail, "password": password, "confirm": password}).expect(303)


def ask(c, who, status=200, headers=None):
    page = c.get(ASK).expect(200)
    return c.post_form(ASK, {"_csrf": page.csrf(), "who": who}, headers=headers).expect(status)


def test_password_recovered_by_email(env):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", PUBLIC, "--sweep-interval", "1"])
        w = srv.client(ip="10.70.0.1")
        register(w, "baiq.warga", "Baiq.Warga@example.id")
        # the sign-in page offers it
        login = srv.client(ip="10.70.0.2").get("/t/%s/masuk" % TENANT).expect(200)
        assert 'href="%s"' % ASK in login.text
        # asked by name, from a request that claims another Host: the link is the public URL's
        c = srv.client(ip="10.70.0.2")
        r = ask(c, "Baiq.Warga ", headers={"Host": "penipu.example"})
        assert SENT in r.text
        got = wait_for(lambda: bodies_to(sink, "baiq.warga@example.id"))
        assert len(got) == 1, sink.messages
        url, token = link_in(got[0])
        assert url.startswith(PUBLIC + "/"), url
        assert "penipu" not in got[0] and '"baiq.warga"' in got[0]
        path = url[len(PUBLIC):]
        # only the token's hash is stored, and the token is not logged
        assert int(db.sql("SELECT COUNT(*) FROM password_resets WHERE token_hash = '%s'" % token)[0][0]) == 0
        assert int(db.sql("SELECT COUNT(*) FROM password_resets")[0][0]) == 1
        assert token not in srv.log_text()
        # the link's page; a mismatch keeps the page
        page = c.get(path).expect(200, contains="baiq.warga")
        assert page.header_all("referrer-policy") == ["no-referrer"], page.headers
        c.post_form(path, {"_csrf": page.csrf(), "password": "rahasia-baru-456", "confirm": "rahasia-baru-457"}).expect(
            400, contains="konfirmasi kata sandi tidak sama")
        c.post_form(path, {"_csrf": page.csrf(), "password": "pendek", "confirm": "pendek"}).expect(400)
        r = c.post_form(path, {"_csrf": page.csrf(), "password": "rahasia-baru-456", "confirm": "rahasia-baru-456"})
        r.expect(303)
        assert r.header("location") == "/t/%s/masuk?changed=1" % TENANT
        c.get(r.header("location")).expect(200, contains="Kata sandi sudah diganti")
        # the session from before ended; the new password works, the old one not
        w.get("/t/%s/dasbor" % TENANT).expect(303)
        srv.client(ip="10.70.0.3").login(TENANT, "baiq.warga", "rahasia-lama-123", expect=401)
        srv.client(ip="10.70.0.3").login(TENANT, "baiq.warga", "rahasia-baru-456")
        assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password.recover' "
                          "AND object = 'baiq.warga'")[0][0]) == 1
        # the link works once
        c.get(path).expect(404, contains="tidak berlaku lagi")
        c.post_form(path, {"_csrf": page.csrf(), "password": "rahasia-lagi-789", "confirm": "rahasia-lagi-789"}).expect(404)

        # asked by address (any case): a new link; a newer one voids it
        ask(c, "BAIQ.WARGA@EXAMPLE.ID")
        got = wait_for(lambda: len(bodies_to(sink, "baiq.warga@example.id")) >= 2 and bodies_to(sink, "baiq.warga@example.id"))
        first = link_in(got[1])[0][len(PUBLIC):]
        ask(c, "baiq.warga")
        got = wait_for(lambda: len(bodies_to(sink, "baiq.warga@example.id")) >= 3 and bodies_to(sink, "baiq.warga@example.id"))
        second = link_in(got[2])[0][len(PUBLIC):]
        c.get(first).expect(404)
        c.get(second).expect(200)
        # and an hour later it is gone too
        db.sql("UPDATE password_resets SET expires_at = expires_at - 3601")
        c.get(second).expect(404)

        # an unknown name, or an account without an address: the same answer, no message
        n = len(sink.messages)
        assert SENT in ask(srv.client(ip="10.70.0.4"), "tidak-ada-orangnya").text
        assert SENT in ask(srv.client(ip="10.70.0.4"), "warga").text      # the demo citizen has no address
        time.sleep(2.5)
        assert len(sink.messages) == n, sink.messages[n:]
        # an account gets at most 3 links an hour, whoever asks: a 4th request, same answer, no message
        n = len(sink.messages)
        assert SENT in ask(srv.client(ip="10.70.0.5"), "baiq.warga").text
        time.sleep(2.5)
        assert len(sink.messages) == n, sink.messages[n:]
        # malformed tokens are simply not found
        c.get(ASK + "/xyz").expect(404)
        c.get(ASK + "/" + "0" * 64).expect(404)
        srv.stop()
    finally:
        sink.close()


def test_a_sent_link_is_not_kept_in_the_outbox(env):
    """A reset link is a live secret for an hour; the outbox keeps a message 30 days (and so do
    backups and `sigap tenant export`). Once sent, the row keeps the address, subject, times and
    text, the token replaced by [dihapus]; what went out had it, without the marks around it."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", PUBLIC])
        w = srv.client(ip="10.70.2.1")
        register(w, "rahasia.warga", "rahasia.warga@example.id")
        assert SENT in ask(srv.client(ip="10.70.2.2"), "rahasia.warga").text
        got = wait_for(lambda: bodies_to(sink, "rahasia.warga@example.id"))
        assert len(got) == 1, sink.messages
        url, token = link_in(got[0])
        assert "\x02" not in got[0] and "\x03" not in got[0], repr(got[0])
        where = "recipient = 'rahasia.warga@example.id'"
        assert wait_for(lambda: int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE %s AND sent_at IS NOT NULL" % where)[0][0]))
        # (one line: psql gives a row a line)
        rows = db.sql("SELECT subject, REPLACE(body, '\n', ' '), created_at, sent_at FROM mail_outbox WHERE %s" % where)
        assert len(rows) == 1, rows
        subject, body = str(rows[0][0]), str(rows[0][1])
        assert subject.startswith("Atur ulang kata sandi sigap") and "rahasia.warga" in subject, subject
        assert token not in body and "/t/52.71/lupa-sandi/[dihapus]" in body, body
        assert "\x02" not in body and "\x03" not in body and "dalam satu jam" in body, repr(body)
        assert int(rows[0][2]) > 0 and int(rows[0][3]) >= int(rows[0][2]), rows
        # the link itself still works: the record lost it, not the citizen
        srv.client(ip="10.70.2.3").get(url[len(PUBLIC):]).expect(200, contains="rahasia.warga")
        # "Unduh data saya" lists the message, never a body
        doc = w.get("/t/%s/akun/data.json" % TENANT).expect(200).text
        assert subject in doc and token not in doc and "lupa-sandi" not in doc
        srv.stop()
        # a Pemda's export (a new SQLite file, from either backend) takes the sent row as it is now
        out = os.path.join(env.tmp, unique("ekspor") + ".db")
        check_sigap(["tenant", "export", "--tenant", TENANT, "--to", out], db=db)
        con = sqlite3.connect(out)
        try:
            kept = con.execute("SELECT body FROM mail_outbox WHERE %s" % where).fetchall()
        finally:
            con.close()
        assert len(kept) == 1 and token not in kept[0][0] and "[dihapus]" in kept[0][0], kept
    finally:
        sink.close()


def test_migration_37_redacts_links_sent_before(env):
    """Messages sent or given up before the outbox redacted one-time links (migration 37): the
    token after /lupa-sandi/ (a reset, an invitation) or /pindah-ke-akun/ (moving followed
    complaints) becomes [dihapus] wherever it is in the body, the rest as it was; a message still
    waiting keeps its link (it must still go out), and what is no token is left alone. (A new
    database is migrated to 36, the rows go in as that schema held them, then `sigap migrate`.)"""
    import secrets
    db = env.new_db(init=False)
    check_sigap(["migrate", "--to", "36"], db=db)
    tok = [secrets.token_hex(32) for _ in range(5)]
    base = "https://sigap.example.id/t/%s/" % TENANT
    sig = "\n\n-- \nsigap: pesan otomatis, tidak perlu dibalas.\n"
    # (body, sent_at, failed_at, expected body afterwards)
    rows = [
        ("Yth. Baiq,\n\nBuka tautan ini dalam satu jam:\n\n%slupa-sandi/%s\n\nBila Anda tidak memintanya, "
         "abaikan pesan ini." % (base, tok[0]) + sig, 1735689700, None, None),
        ("Yth. Lalu,\n\nUntuk memilih kata sandi Anda, buka tautan ini:\n\n%slupa-sandi/%s\n\nSesudah itu, "
         "masuk di %smasuk." % (base, tok[1], base) + sig, None, 1735689800, None),
        ("Akun warga \"baiq\" memakai alamat ini.\n\n%spengaduan/pindah-ke-akun/%s\n\n(tautan: %s)"
         % (base, tok[2], tok[2]) + sig, 1735689900, None, None),
        # still waiting: its link must still go out
        ("Buka tautan ini:\n\n%slupa-sandi/%s\n" % (base, tok[3]) + sig, None, None, "same"),
        # sent, but no token after the path: the page itself, a token cut short, upper case
        ("Lupa kata sandi? Buka %slupa-sandi atau %slupa-sandi/%s dan %spindah-ke-akun/%s."
         % (base, base, tok[4][:40], base, tok[4].upper()) + sig, 1735690000, None, "same"),
    ]
    for i, (body, sent, failed, _) in enumerate(rows):
        db.sql("INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at, attempts, sent_at, "
               "failed_at) VALUES ('%s', 'warga%d@example.id', 'Pesan %d', '%s', 1735689600, 1735689600, 1, %s, %s)"
               % (TENANT, i, i, body.replace("'", "''"), sent or "NULL", failed or "NULL"))
    p = check_sigap(["migrate"], db=db)
    assert "now applied   37  platform: one-time links redacted" in p.stdout, p.stdout
    # (one line: psql gives a row a line)
    got = [str(r[0]) for r in db.sql("SELECT REPLACE(body, '\n', ' ') FROM mail_outbox ORDER BY recipient")]
    want = [b.replace(t, "[dihapus]") if w is None else b for (b, _, _, w), t in zip(rows, tok)]
    assert got == [w.replace("\n", " ") for w in want], got
    for t, body in zip(tok[:3], got[:3]):
        assert t not in body and body.count("[dihapus]") == (2 if t == tok[2] else 1), body
    assert tok[3] in got[3] and "[dihapus]" not in got[4], got
    assert [str(r[0]) for r in db.sql("SELECT subject FROM mail_outbox ORDER BY recipient")] == \
        ["Pesan %d" % i for i in range(5)]


def test_migration_39_redacts_stop_following_links_sent_before(env):
    """Follower e-mails sent or given up before the stop-following link was queued as a secret
    (migration 39): its token (32 hex digits after /berhenti-ikuti?k=) becomes [dihapus], the rest
    as it was; a message still waiting keeps it (it must still go out), and what is no token (cut
    short, upper case) is left alone."""
    import secrets
    db = env.new_db(init=False)
    check_sigap(["migrate", "--to", "38"], db=db)
    tok = [secrets.token_hex(16) for _ in range(4)]
    base = "https://sigap.example.id/t/%s/pengaduan/12" % TENANT
    sig = "\n\n-- \nsigap: pesan otomatis, tidak perlu dibalas.\n"
    # (body, sent_at, failed_at, redacted?)
    rows = [
        ("Laporan 52.71/ADU/2026/000012 dijawab.\n\n%s\n\nBerhenti mengikuti laporan ini:\n%s/berhenti-ikuti?k=%s\n"
         % (base, base, tok[0]) + sig, 1735689700, None, True),
        ("Laporan dijawab.\n\nBerhenti mengikuti laporan ini:\n%s/berhenti-ikuti?k=%s\n" % (base, tok[1]) + sig,
         None, 1735689800, True),
        # still waiting: its link must still go out
        ("Berhenti mengikuti laporan ini:\n%s/berhenti-ikuti?k=%s\n" % (base, tok[2]) + sig, None, None, False),
        # sent, but no token: cut short, upper case
        ("%s/berhenti-ikuti?k=%s dan %s/berhenti-ikuti?k=%s" % (base, tok[3][:20], base, tok[3].upper()) + sig,
         1735690000, None, False),
    ]
    for i, (body, sent, failed, _) in enumerate(rows):
        db.sql("INSERT INTO mail_outbox (tenant, recipient, subject, body, created_at, next_at, attempts, sent_at, "
               "failed_at) VALUES ('%s', 'pengikut%d@example.id', 'Pesan %d', '%s', 1735689600, 1735689600, 1, %s, %s)"
               % (TENANT, i, i, body.replace("'", "''"), sent or "NULL", failed or "NULL"))
    p = check_sigap(["migrate"], db=db)
    assert "now applied   39  platform: stop-following links redacted" in p.stdout, p.stdout
    got = [str(r[0]) for r in db.sql("SELECT REPLACE(body, '\n', ' ') FROM mail_outbox ORDER BY recipient")]
    want = [(b.replace(t, "[dihapus]") if red else b).replace("\n", " ") for (b, _, _, red), t in zip(rows, tok)]
    assert got == want, got
    assert tok[0] not in got[0] and "berhenti-ikuti?k=[dihapus]" in got[0] and tok[2] in got[2], got


def test_the_link_goes_out_at_once_not_at_the_next_sweep(env):
    """The commit that queues the message wakes the outbox: with sweeps an hour apart, the link
    still arrives within seconds (a citizen waiting at the sign-in page)."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        srv = env.start_server(env.new_db(), args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                                   FROM, "--public-url", PUBLIC, "--sweep-interval", "3600"])
        register(srv.client(ip="10.70.1.1"), "lalu.segera", "lalu.segera@example.id")
        started = time.time()
        assert SENT in ask(srv.client(ip="10.70.1.2"), "lalu.segera").text
        got = wait_for(lambda: bodies_to(sink, "lalu.segera@example.id"), secs=10)
        assert len(got) == 1 and time.time() - started < 10, (sink.messages, time.time() - started)
        link_in(got[0])
    finally:
        sink.close()


def test_a_shared_address_gets_a_link_per_account(env):
    """A household shares one mailbox: asked by that address, each account gets its own
    message naming it, and each link sets its own account's password; asked by a username,
    that account only."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--public-url", PUBLIC, "--sweep-interval", "1"])
        c = srv.client(ip="10.72.0.1")
        register(c, "ibu.rumah", "Keluarga.Lalu@example.id", password="sandi-ibu-lama-1")
        register(srv.client(ip="10.72.0.2"), "bapak.rumah", "keluarga.lalu@example.id", password="sandi-bapak-lama-1")
        mailbox = "keluarga.lalu@example.id"
        assert SENT in ask(srv.client(ip="10.72.0.3"), "KELUARGA.LALU@example.id").text
        got = wait_for(lambda: len(bodies_to(sink, mailbox)) >= 2 and bodies_to(sink, mailbox))
        time.sleep(1.5)
        assert len(bodies_to(sink, mailbox)) == 2, sink.messages
        by_account = {}
        for body in got:
            names = re.findall(r'akun "([a-z.]+)"', body)
            assert len(names) == 1, body
            assert "lebih dari satu akun" in body, body
            by_account[names[0]] = link_in(body)[0][len(PUBLIC):]
        assert sorted(by_account) == ["bapak.rumah", "ibu.rumah"], by_account
        # each link is its own account's
        page = c.get(by_account["bapak.rumah"]).expect(200, contains="bapak.rumah")
        c.post_form(by_account["bapak.rumah"], {"_csrf": page.csrf(), "password": "sandi-bapak-baru-2",
                                                "confirm": "sandi-bapak-baru-2"}).expect(303)
        srv.client(ip="10.72.0.4").login(TENANT, "bapak.rumah", "sandi-bapak-baru-2")
        srv.client(ip="10.72.0.4").login(TENANT, "ibu.rumah", "sandi-ibu-lama-1")      # untouched
        c.get(by_account["ibu.rumah"]).expect(200, contains="ibu.rumah")               # still works
        assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'user.password.recover_request'")[0][0]) == 2
        # by username: that account only, without the note about sharing
        n = len(bodies_to(sink, mailbox))
        ask(srv.client(ip="10.72.0.5"), "ibu.rumah")
        got = wait_for(lambda: len(bodies_to(sink, mailbox)) > n and bodies_to(sink, mailbox))
        time.sleep(1.5)
        assert len(bodies_to(sink, mailbox)) == n + 1
        assert 'akun "ibu.rumah"' in got[-1] and "lebih dari satu akun" not in got[-1], got[-1]
        srv.stop()
    finally:
        sink.close()


def test_requests_limited_per_address(env):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        srv = env.start_server(env.new_db(), args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                                   FROM, "--public-url", PUBLIC, "--register-max-per-address", "3"])
        c = srv.client(ip="10.71.0.1")
        for who in ("a1", "a2", "a3"):
            ask(c, who)
        r = ask(c, "a4", status=429)
        assert int(r.header("retry-after")) > 0 and "coba lagi dalam" in r.text
        ask(srv.client(ip="10.71.0.2"), "a5")
        srv.stop()
    finally:
        sink.close()


def test_without_email_ask_the_administrator(env):
    c = env.client(ip="10.72.0.1")      # the shared server: no SMTP server
    assert "/lupa-sandi" not in c.get("/t/%s/masuk" % TENANT).expect(200).text
    page = c.get(ASK).expect(200, contains="hubungi admin Pemda")
    assert 'name="who"' not in page.text
    token = c.get("/t/%s/masuk" % TENANT).csrf()
    c.post_form(ASK, {"_csrf": token, "who": "warga"}).expect(404, contains="hubungi admin Pemda")


def test_a_link_dies_when_the_password_changes_otherwise(env):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        srv = env.start_server(env.new_db(), args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                                   FROM, "--public-url", PUBLIC, "--sweep-interval", "1"])
        w = srv.client(ip="10.73.0.1")
        register(w, "ayu.lestari", "ayu@example.id")
        ask(srv.client(ip="10.73.0.2"), "ayu.lestari")
        got = wait_for(lambda: bodies_to(sink, "ayu@example.id"))
        path = link_in(got[0])[0][len(PUBLIC):]
        srv.client(ip="10.73.0.3").get(path).expect(200)
        # Ayu changes her password herself: the link from before no longer works
        form = w.get("/t/%s/akun/sandi" % TENANT).expect(200)
        w.post_form("/t/%s/akun/sandi" % TENANT, {"_csrf": form.csrf(), "old": "rahasia-lama-123",
                                                   "new": "rahasia-baru-321", "confirm": "rahasia-baru-321"}).expect(303)
        srv.client(ip="10.73.0.3").get(path).expect(404, contains="tidak berlaku lagi")
        srv.stop()
    finally:
        sink.close()
