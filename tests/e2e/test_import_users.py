"""
test_import_users.py: the administrator adds a Pemda's officials from a CSV
file (/t/{tenant}/admin/impor-pengguna). A file is checked first and a
preview shows who would be added and how each is invited, with nothing
stored; the confirmation adds them all in one transaction, each with a
one-time link to choose their own password (e-mailed when the server sends
e-mail and the row has an address, otherwise shown once to hand over). A
file with any bad row adds nobody and names every bad row by line and
column; only the tenant's administrator gets in.
"""
import email
import email.header
import html
import re

from harness import TENANT, TENANT2, check_sigap, unique, wait_for
from test_citizen_ux import post_mp

PATH = "/t/%s/admin/impor-pengguna" % TENANT
LINK_RE = re.compile(r"/t/%s/lupa-sandi/([0-9a-f]{64})" % re.escape(TENANT))


def admin(srv):
    c = srv.client()
    c.login(TENANT, "admin")
    return c


def users_named(db, names):
    q = "SELECT username, full_name, role, COALESCE(unit, ''), COALESCE(email, ''), COALESCE(phone, '') " \
        "FROM users WHERE tenant = '%s' AND username IN (%s) ORDER BY username" % (
            TENANT, ", ".join("'%s'" % n for n in names))
    return [tuple(r) for r in db.sql(q)]


def check(c, csv, **extra):
    """Sends csv as a file (as a spreadsheet user does) for the check."""
    form = c.get(PATH).expect(200)
    data = csv if isinstance(csv, bytes) else csv.encode("utf-8")
    return post_mp(c, PATH, [("_csrf", form.csrf())] + list(extra.items()),
                   [("berkas", "pegawai.csv", "text/csv", data)])


def confirm(c, preview):
    box = re.search(r'<textarea name="csv" hidden>(.*?)</textarea>', preview.text, re.S)
    assert box, preview.text[:3000]
    return c.post_form(PATH, {"_csrf": preview.csrf(), "yakin": "1", "csv": html.unescape(box.group(1))})


def errors(page):
    """(line, column, message) of each row of the error table."""
    table = re.search(r'<table class="adm-table" id="imp-errors">(.*?)</table>', page.text, re.S)
    assert table, page.text[:3000]
    out = []
    for tr in re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>.*?</td><td[^>]*>(.*?)</td></tr>",
                         table.group(1), re.S):
        out.append((tr[0], tr[1], html.unescape(tr[2])))
    return out


def test_import_checks_previews_then_adds_with_links(env):
    srv = env.server
    c = admin(srv)
    a, b, d = unique("imp"), unique("imp"), unique("imp")
    # what Excel in an Indonesian locale saves: a BOM, ';', CRLF, a quoted
    # name holding the separator, capitals, a phone typed with spaces
    csv = ("\ufeffUsername;Nama;Peran;OPD;Email;HP\r\n"
           "%s;\"Budi Santoso; S.T.\";Petugas;dlh;Budi@Example.go.id;0812 3456 7890\r\n"
           "\r\n"
           "%s;Sari Wulandari;sekda;;;\r\n"
           "%s;Wayan Warga;warga;;;+62 813-1111-2222\r\n" % (a.upper(), b, d))
    before = int(env.shared_db.sql("SELECT COUNT(*) FROM users")[0][0])
    pre = check(c, csv).expect(200, contains="Pengguna yang akan ditambahkan: 3")
    for name in (a, b, d):
        assert name in pre.text
    assert "Budi Santoso; S.T." in pre.text and "tautan untuk diserahkan" in pre.text
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM users")[0][0]) == before, "the check stored something"

    done = confirm(c, pre).expect(200, contains="Pengguna ditambahkan: 3")
    assert done.header("cache-control") == "no-store"
    table = re.search(r'<table class="adm-table" id="imp-result">(.*?)</table>', done.text, re.S).group(1)
    links = LINK_RE.findall(table)
    assert len(links) == 3, done.text[:3000]
    rows = users_named(env.shared_db, [a, b, d])
    assert rows == sorted([(a, "Budi Santoso; S.T.", "petugas", "DLH", "budi@example.go.id", "081234567890"),
                           (b, "Sari Wulandari", "sekda", "", "", ""),
                           (d, "Wayan Warga", "warga", "", "", "+6281311112222")]), rows
    # nobody signs in before choosing a password
    c2 = srv.client()
    r = c2.post_form("/t/%s/masuk" % TENANT, {"_csrf": c2.get("/t/%s/masuk" % TENANT).csrf(), "username": d,
                                             "password": "!invited"})
    assert r.status != 303, r.status
    # each link is that user's, works once, and the password it sets signs in
    order = re.findall(r'<a href="/t/%s/admin/pengguna/([^"]+)">' % re.escape(TENANT), table)
    token = dict(zip(order, links))[d]
    page = c2.get("/t/%s/lupa-sandi/%s" % (TENANT, token)).expect(200, contains=d)
    c2.post_form("/t/%s/lupa-sandi/%s" % (TENANT, token), {"_csrf": page.csrf(), "password": "kata-sandi-baru-1",
                                                           "confirm": "kata-sandi-baru-1"}).expect(303)
    c2.get("/t/%s/lupa-sandi/%s" % (TENANT, token)).expect(404)
    srv.client().login(TENANT, d, "kata-sandi-baru-1")
    # audited, by the administrator, once per user
    audit = env.shared_db.sql("SELECT actor, summary FROM audit_log WHERE tenant = '%s' AND action = 'user.add' "
                       "AND object IN ('%s', '%s', '%s')" % (TENANT, a, b, d))
    assert len(audit) == 3 and all(r[0] == "admin" and "imported, invited by link" in r[1] for r in audit), audit
    assert token not in srv.log_text()
    # the same links as CSV, for a mail merge (a name starting with = would be quoted as text)
    box = re.search(r'<textarea id="imp-links" readonly[^>]*>(.*?)</textarea>', done.text, re.S)
    assert box, done.text[:3000]
    import csv as csvmod
    import io
    got = list(csvmod.reader(io.StringIO(html.unescape(box.group(1)))))
    assert got[0] == ["username", "nama", "tautan"] and len(got) == 4, got
    assert dict((r[0], r[2]) for r in got[1:])[d].endswith("/lupa-sandi/" + token), got
    # the same file again: every username is taken now, nobody is added twice
    again = check(c, csv).expect(409)
    assert [e[1] for e in errors(again)] == ["username"] * 3, errors(again)


def test_a_bad_row_adds_nobody_and_every_bad_row_is_named(env):
    srv = env.server
    c = admin(srv)
    ok = unique("imp")
    csv = ("username,nama,peran,opd,email,hp\n"
           "%s,Pengguna Baik,warga,,,\n"       # 2: good
           "x,Terlalu Pendek,warga,,,\n"        # 3: username
           "%s,Peran Aneh,raja,,,\n"            # 4: role
           "%s,Tanpa OPD,petugas,,,\n"          # 5: unit needed
           "%s,OPD Salah,petugas,TIDAKADA,,\n"  # 6: no such OPD
           "%s,Warga OPD,warga,DLH,,\n"         # 7: unit not allowed
           "%s,Surel Salah,warga,,bukan-email,\n"   # 8: e-mail
           "%s,HP Salah,warga,,,12ab\n"         # 9: phone
           "%s,Dua Kali,warga,,,\n"             # 10: duplicate of line 2
           "admin,Sudah Ada,warga,,,\n"         # 11: taken
           % (ok, unique("imp"), unique("imp"), unique("imp"), unique("imp"), unique("imp"), unique("imp"), ok))
    before = int(env.shared_db.sql("SELECT COUNT(*) FROM users")[0][0])
    r = check(c, csv).expect(400, contains="Belum ada pengguna yang ditambahkan")
    got = errors(r)
    assert [(e[0], e[1]) for e in got] == [("3", "username"), ("4", "peran"), ("5", "opd"), ("6", "opd"),
                                          ("7", "opd"), ("8", "email"), ("9", "hp"), ("10", "username"),
                                          ("11", "username")], got
    assert "OPD dengan kode ini tidak ada di Pemda ini" in got[3][2] and "sudah dipakai" in got[8][2], got
    # the text stays in the box for the corrections
    assert "Pengguna Baik" in r.text and 'id="csv"' in r.text
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM users")[0][0]) == before
    # the file as a whole
    for bad, said in ((b"", "pilih berkas CSV"),
                      (b"username,nama\nabc,Abc\n", "kolom wajib tidak ada di judul"),
                      (b"username,nama,peran,jabatan\nabc,Abc,warga,x\n", "kolom tidak dikenal"),
                      (b"username,nama,peran\n", "berkas kosong"),
                      (b"username,nama,peran\nabc,\"Abc,warga\n", "tidak dapat dibaca sebagai CSV"),
                      ("username,nama,peran\nabcd,Jos\xe9,warga\n".encode("latin-1"), "bukan teks UTF-8"),
                      (b"username,nama,peran\n" + b"".join(b"u%05d,Nama Orang,warga\n" % i for i in range(1001)),
                       "terlalu banyak baris")):
        if bad:
            check(c, bad).expect(400, contains=said)
        else:
            form = c.get(PATH).expect(200)
            c.post_form(PATH, {"_csrf": form.csrf(), "csv": ""}).expect(400, contains=said)
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM users")[0][0]) == before


def test_a_phone_by_the_rule_of_the_account_page(env):
    """A phone is an Indonesian number by the rule "Akun saya" and the complaint form apply
    (auth_phone_check); a number only the import took (any 9 to 15 digits) is named by its line,
    in the reader's language, on the page and by the CLI, and nobody is added."""
    c = admin(env.server)
    a, b, d = unique("imp"), unique("imp"), unique("imp")
    csv = ("username;nama;peran;hp\n"
           "%s;Satu Orang;warga;0812 3456 7890\n"
           "%s;Dua Orang;warga;12345678901\n"
           "%s;Tiga Orang;warga;+1 202 555 0100\n" % (a, b, d))
    rule = "nomor HP tidak sah: awali dengan 08 atau +62, 10 sampai 13 angka"
    r = check(c, csv).expect(400, contains="Belum ada pengguna yang ditambahkan")
    assert errors(r) == [("3", "hp", rule), ("4", "hp", rule)], errors(r)
    assert users_named(env.shared_db, [a, b, d]) == []
    en = c.get(PATH, headers={"Accept-Language": "en"}).expect(200)
    r = post_mp(c, PATH, [("_csrf", en.csrf())], [("berkas", "pegawai.csv", "text/csv", csv.encode())],
                headers={"Accept-Language": "en"}).expect(400)
    assert [e[2] for e in errors(r)] == ["invalid mobile number: start with 08 or +62, 10 to 13 digits"] * 2, \
        errors(r)
    # the account page says the same of the same number
    w = env.client()
    w.login(TENANT, "warga")
    page = w.get("/t/%s/akun" % TENANT).expect(200)
    form = {"_csrf": page.csrf(), "full_name": "Warga Demo", "email": "", "phone": "12345678901"}
    m = re.search(r'name="version" value="(\d+)"', page.text)
    if m:
        form["version"] = m.group(1)
    w.post_form("/t/%s/akun" % TENANT, form).expect(400, contains=rule)
    # the operator's import: the same words, by line, in the CLI's English
    rule_en = "invalid mobile number: start with 08 or +62, 10 to 13 digits"
    p = env.sigap(["user", "import", "--tenant", TENANT, "-"], db=env.shared_db, input=csv)
    assert p.returncode == 1 and "line 3, column hp: %s ('12345678901')" % rule_en in p.stderr, p.stderr
    assert "line 4, column hp: %s ('+1 202 555 0100')" % rule_en in p.stderr and "nobody added" in p.stderr, p.stderr
    assert users_named(env.shared_db, [a, b, d]) == []
    # corrected, all three come in, each phone in its one stored form
    fixed = csv.replace("12345678901", "62 813-1111-2222").replace("+1 202 555 0100", "(0370) 123456")
    confirm(c, check(c, fixed).expect(200)).expect(200, contains="Pengguna ditambahkan: 3")
    got = {r[0]: r[5] for r in users_named(env.shared_db, [a, b, d])}
    assert got == {a: "081234567890", b: "+6281311112222", d: "0370123456"}, got


def test_a_username_taken_between_check_and_confirm(env):
    """The confirmation checks again in its transaction: a username another administrator took
    meanwhile refuses the whole import (409), naming the row."""
    srv = env.server
    c = admin(srv)
    a, b = unique("imp"), unique("imp")
    pre = check(c, "username,nama,peran\n%s,Satu Orang,warga\n%s,Dua Orang,warga\n" % (a, b)).expect(200)
    check_sigap(["user", "add", "--tenant", TENANT, "--username", b, "--name", "Lebih Dulu", "--role", "warga"],
                db=env.shared_db, input="kata-sandi-cukup-1\n")
    r = confirm(c, pre).expect(409)
    assert [(e[0], e[1]) for e in errors(r)] == [("3", "username")], errors(r)
    assert users_named(env.shared_db, [a]) == []


def test_only_the_tenants_administrator(env):
    c = env.client()
    c.login(TENANT, "petugas")
    c.get(PATH).expect(403)
    other = env.client()
    other.login(TENANT2, "admin")
    r = other.get(PATH)
    assert r.status in (303, 401, 403), r.status
    # CSRF is checked on the upload as on every form
    a = admin(env.server)
    from test_complaints import multipart
    body, ctype = multipart([("csv", "username,nama,peran\n%s,Tanpa Token,warga\n" % unique("imp"))])
    a.request("POST", PATH, body=body, headers={"Content-Type": ctype}).expect(403)


def test_links_go_by_email_when_the_server_sends_it(env):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                         "layanan@mataramkota.go.id", "--public-url", "https://sigap.example.id",
                                         "--sweep-interval", "1"])
        c = admin(srv)
        a, b = unique("imp"), unique("imp")
        pre = check(c, "username,nama,peran,opd,email\n%s,Dewi Lestari,admin_opd,DLH,dewi@example.id\n"
                       "%s,Tanpa Surel,warga,,\n" % (a, b)).expect(200)
        assert "e-mail ke dewi@example.id" in pre.text and "tautan untuk diserahkan" in pre.text
        done = confirm(c, pre).expect(200, contains="Pengguna ditambahkan: 2")
        shown = set(re.findall(r"https://sigap\.example\.id/t/%s/lupa-sandi/([0-9a-f]{64})" % re.escape(TENANT),
                               done.text))
        assert len(shown) == 1 and "dikirim ke dewi@example.id" in done.text, done.text[:3000]
        got = wait_for(lambda: [m for m in sink.messages if m[1] == ["dewi@example.id"]])
        assert got, sink.messages
        msg = email.message_from_bytes(got[0][2])
        subject = str(email.header.make_header(email.header.decode_header(msg["Subject"])))
        body = msg.get_payload(decode=True).decode("utf-8")
        assert subject.startswith("Akun sigap") and a in subject, subject
        m = re.search(r"https://sigap\.example\.id/t/%s/lupa-sandi/([0-9a-f]{64})" % re.escape(TENANT), body)
        assert m and m.group(1) not in shown, body
        assert "tujuh hari" in body and "Dewi Lestari" in body, body
        # the mailed link is Dewi's
        srv.client().get("/t/%s/lupa-sandi/%s" % (TENANT, m.group(1))).expect(200, contains=a)
        assert m.group(1) not in srv.log_text() and "dewi@example.id" not in srv.log_text()
        assert "\x02" not in body and "\x03" not in body, repr(body)
        # sent, the outbox's row (kept 30 days, in backups and exports) no longer holds the link
        # that works for seven days: the token is [dihapus], the rest as it was
        sent = "recipient = 'dewi@example.id' AND sent_at IS NOT NULL"
        assert wait_for(lambda: int(db.sql("SELECT COUNT(*) FROM mail_outbox WHERE %s" % sent)[0][0]) == 1)
        kept = str(db.sql("SELECT REPLACE(body, '\n', ' ') FROM mail_outbox WHERE %s" % sent)[0][0])
        assert m.group(1) not in kept and "/t/%s/lupa-sandi/[dihapus]" % TENANT in kept, kept
        assert "tujuh hari" in kept and "Dewi Lestari" in kept, kept
    finally:
        sink.close()


def test_the_operator_imports_with_the_cli(env):
    """sigap user import: the same checks, all or nothing, the links printed (the operator hands
    them over); the file from stdin or a path."""
    import os
    a, b = unique("cli"), unique("cli")
    bad = "username;nama;peran;opd\n%s;Satu Orang;petugas;DLH\n%s;Dua Orang;raja;\n" % (a, b)
    p = env.sigap(["user", "import", "--tenant", TENANT, "-"], db=env.shared_db, input=bad)
    assert p.returncode == 1 and "line 3, column peran: unknown role ('raja')" in p.stderr, p.stderr
    assert "nobody added" in p.stderr and p.stdout == "", (p.stdout, p.stderr)
    assert users_named(env.shared_db, [a, b]) == []
    path = os.path.join(env.tmp, unique("pegawai") + ".csv")
    with open(path, "w", encoding="utf-8") as f:
        f.write(bad.replace("raja", "warga"))
    p = check_sigap(["user", "import", "--tenant", TENANT, path], db=env.shared_db)
    lines = [ln.split("\t") for ln in p.stdout.splitlines()]
    assert [ln[0] for ln in lines] == [a, b], p.stdout
    assert all(LINK_RE.search(ln[1]) for ln in lines), p.stdout
    assert "2 users added" in p.stderr, p.stderr
    assert [r[2] for r in users_named(env.shared_db, [a, b])] == ["petugas", "warga"]
    # the link works on the web
    token = LINK_RE.search(lines[1][1]).group(1)
    env.client().get("/t/%s/lupa-sandi/%s" % (TENANT, token)).expect(200, contains=b)
    p = env.sigap(["user", "import", "--tenant", "99.99", path], db=env.shared_db)
    assert p.returncode == 1 and "unknown tenant '99.99'" in p.stderr, p.stderr
