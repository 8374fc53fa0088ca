"""
test_mail_language.py: e-mails in the reader's language, with what the reader needs.

A password-reset link goes out in the account's language (users.lang), and in Indonesian with an
English paragraph only for an account that never chose one; an import's invitations are in the
language the administrator chose (the form's default the server's), which becomes the new
accounts' language; the applicant hears why an application was returned or rejected (the
officer's reason) and what to do next, and where the result of a finished one is; the officials'
digest names their role as the pages do, not by its code.
"""
import email
import email.header
import re

from harness import TENANT, wait_for
from test_services import FORM, NIK, file_app, new_service, post_mp

FROM = "layanan@mataramkota.go.id"
PUBLIC = "https://sigap.example.id"


def mail_server(env, extra=()):
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    db = env.new_db()
    srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                     "--public-url", PUBLIC, "--sweep-interval", "1"] + list(extra))
    return sink, db, srv


def mails_to(sink, rcpt, n=1):
    """The first n messages to rcpt as (subject, body), waiting for them."""
    got = wait_for(lambda: len([m for m in sink.messages if m[1] == [rcpt]]) >= n and
                   [m for m in sink.messages if m[1] == [rcpt]])
    assert got and len(got) >= n, "no e-mail to %s: %r" % (rcpt, sink.messages)
    out = []
    for _sender, _rcpts, raw in got[:n]:
        msg = email.message_from_bytes(raw)
        out.append((str(email.header.make_header(email.header.decode_header(msg["Subject"]))),
                    msg.get_payload(decode=True).decode("utf-8")))
    return out


def ask_reset(srv, who, ip):
    c = srv.client(ip=ip)
    page = c.get("/t/%s/lupa-sandi" % TENANT).expect(200)
    c.post_form("/t/%s/lupa-sandi" % TENANT, {"_csrf": page.csrf(), "who": who}).expect(200)


def test_reset_link_in_the_accounts_language(env):
    """The same request for three accounts: the one that reads English gets an English subject and
    body (and signature), the Indonesian one Indonesian only, the one that never chose a language
    both, as before. The link is the same kind of one line in each."""
    sink, db, srv = mail_server(env)
    try:
        for i, (user, lang) in enumerate((("warga", "NULL"), ("petugas", "'en'"), ("kepala_opd", "'id'"))):
            db.sql("UPDATE users SET email = '%s.reset@example.id', lang = %s WHERE tenant = '%s' AND username = '%s'"
                   % (user, lang, TENANT, user))
            ask_reset(srv, "%s.reset@example.id" % user, "10.71.0.%d" % (i + 1))
        link = re.compile(r"^%s/t/52\.71/lupa-sandi/[0-9a-f]{64}$" % re.escape(PUBLIC), re.M)

        ((subject, body),) = mails_to(sink, "petugas.reset@example.id")
        assert subject == "Reset your sigap Kota Mataram password: account petugas", subject
        assert 'Someone asked to reset the password of the account "petugas" on sigap Kota Mataram.' in body, body
        assert "within one hour" in body and link.search(body), body
        assert "Ada permintaan" not in body and "kata sandi" not in body and "(English:" not in body, body
        assert "pesan otomatis" not in body, body          # the signature in English too

        ((subject, body),) = mails_to(sink, "kepala_opd.reset@example.id")
        assert subject == "Atur ulang kata sandi sigap Kota Mataram: akun kepala_opd", subject
        assert 'Ada permintaan untuk mengatur ulang kata sandi akun "kepala_opd"' in body and link.search(body), body
        assert "English" not in body and "Someone" not in body, body

        ((subject, body),) = mails_to(sink, "warga.reset@example.id")
        assert subject == "Atur ulang kata sandi sigap Kota Mataram: akun warga", subject
        assert "Ada permintaan untuk mengatur ulang" in body and "(English: someone asked to reset" in body, body
        assert link.search(body), body
    finally:
        sink.close()


def confirm_import(c, csv, bahasa=None, status=200):
    path = "/t/%s/admin/impor-pengguna" % TENANT
    page = c.get(path).expect(200)
    fields = [("_csrf", page.csrf()), ("csv", csv)] + ([("bahasa", bahasa)] if bahasa is not None else [])
    pre = post_mp(c, path, fields)
    assert pre.status == status, (pre.status, pre.text[:2000])
    if status != 200:
        return pre
    m = re.search(r'<input type="hidden" name="bahasa" value="(id|en)">', pre.text)
    assert m, pre.text[:3000]
    done = post_mp(c, path, [("_csrf", pre.csrf()), ("yakin", "1"), ("csv", csv), ("bahasa", m.group(1))])
    assert done.status == 200 and "imp-done" in done.text, (done.status, done.text[:2000])
    return pre


def test_invitations_in_the_language_the_administrator_chose(env):
    """The import form asks for the invitations' language (the server's by default, Indonesian):
    English ones read English from subject to signature, Indonesian ones Indonesian only; the
    new accounts keep that language for their next e-mails; any other value is a 400 that says
    what to choose, and nobody is added."""
    sink, db, srv = mail_server(env)
    try:
        c = srv.client()
        c.login(TENANT, "admin")
        form = c.get("/t/%s/admin/impor-pengguna" % TENANT).expect(200)
        assert re.search(r'<option value="id" lang="id" selected>Bahasa Indonesia</option>', form.text), form.text

        pre = confirm_import(c, "username,nama,peran,opd,email\nraden.en,Raden Ayu,petugas,DLH,raden@example.id\n",
                             bahasa="en")
        assert "Bahasa e-mail undangan:" in pre.text and '<span lang="en">English</span>' in pre.text
        ((subject, body),) = mails_to(sink, "raden@example.id")
        assert subject == "Your sigap Kota Mataram account: raden.en", subject
        assert body.startswith("Dear Raden Ayu,\n\nThe administrator of sigap Kota Mataram has made an account "
                               'for you with the username "raden.en".'), body
        assert re.search(r"^%s/t/52\.71/lupa-sandi/[0-9a-f]{64}$" % re.escape(PUBLIC), body, re.M), body
        assert "Then sign in at %s/t/52.71/masuk." % PUBLIC in body, body
        assert "Yth." not in body and "tujuh hari" not in body and "pesan otomatis" not in body, body

        confirm_import(c, "username,nama,peran,opd,email\nlalu.id,Lalu Ahmad,petugas,DLH,lalu@example.id\n")
        ((subject, body),) = mails_to(sink, "lalu@example.id")
        assert subject == "Akun sigap Kota Mataram untuk Anda: lalu.id", subject
        assert body.startswith("Yth. Lalu Ahmad,") and "tujuh hari" in body, body
        assert "English" not in body and "Dear" not in body, body

        assert sorted(db.sql("SELECT username, lang FROM users WHERE username IN ('raden.en', 'lalu.id')")) == \
            [("lalu.id", "id"), ("raden.en", "en")]

        r = confirm_import(c, "username,nama,peran\nsiapa.saja,Siapa Saja,warga\n", bahasa="fr", status=400)
        assert "pilih bahasa undangan: Bahasa Indonesia atau English" in r.text, r.text[:2000]
        assert db.sql("SELECT COUNT(*) FROM users WHERE username = 'siapa.saja'")[0][0] in (0, "0")
    finally:
        sink.close()


def test_the_applicant_hears_the_reason_and_what_to_do(env):
    """Returned for correction: the officer's reason as typed and what to do next; rejected: the
    reason and the way on (a new application, or a complaint); finished: where the result is
    and the survey. In the applicant's language, with no other personal data (the NIK)."""
    sink, db, srv = mail_server(env)
    try:
        addr = "warga.permohonan@example.id"
        db.sql("UPDATE users SET email = '%s', lang = 'en' WHERE tenant = '%s' AND username = 'warga'" % (addr, TENANT))
        admin = srv.client()
        admin.login(TENANT, "admin")
        code, _a, _c = new_service(env, admin=admin)
        w = srv.client()
        w.login(TENANT, "warga")
        o = srv.client()
        o.login(TENANT, "petugas")

        def act(app_id, fields, who=o):
            path = "/t/%s/permohonan/%d" % (TENANT, app_id)
            p = who.get(path).expect(200)
            who.post_form(path + "/aksi", dict(fields, _csrf=p.csrf())).expect(303)

        def number(app_id):
            return db.sql("SELECT number FROM services_apps WHERE id = %d" % app_id)[0][0]

        reason = "Scan kartu keluarga buram <b>& terpotong</b>; unggah ulang yang jelas"
        _w, _csrf, returned = file_app(env, code, warga=w)
        act(returned, {"op": "return", "text": reason})
        ((subject, body),) = mails_to(sink, addr)
        assert subject == "Application returned for correction: %s" % number(returned), subject
        # the reason as typed: plain text, not HTML-escaped
        assert "The officer's reason:\n%s\n" % reason in body, body
        assert "What to do: open this application in sigap (My applications)" in body, body
        assert "The service clock is stopped until you send it again." in body, body
        assert "%s/t/52.71/permohonan/%d" % (PUBLIC, returned) in body, body
        assert NIK not in body and "Alasan" not in body, body

        # in Indonesian for an applicant who reads Indonesian
        db.sql("UPDATE users SET lang = 'id' WHERE tenant = '%s' AND username = 'warga'" % TENANT)
        _w, _csrf, rejected = file_app(env, code, warga=w)
        act(rejected, {"op": "reject", "text": "Bukan warga Kota Mataram", "yakin": "1"})
        subject, body = mails_to(sink, addr, 2)[1]
        assert subject == "Permohonan ditolak: %s" % number(rejected), subject
        assert "Alasan penolakan:\nBukan warga Kota Mataram\n" in body, body
        assert "ajukan permohonan baru" in body and "sampaikan pengaduan" in body, body
        assert NIK not in body and "reason" not in body, body

        # finished with a result document, through the three steps
        _w, _csrf, done = file_app(env, code, warga=w)
        path = "/t/%s/permohonan/%d" % (TENANT, done)
        p = o.get(path).expect(200)
        assert post_mp(o, path + "/hasil", [("_csrf", p.csrf()), ("text", "generate")]).status == 303
        act(done, {"op": "advance"})
        act(done, {"op": "advance"})
        k = srv.client()
        k.login(TENANT, "kepala_opd")
        act(done, {"op": "advance"}, who=k)
        subject, body = mails_to(sink, addr, 3)[2]
        assert subject == "Permohonan selesai: %s" % number(done), subject
        assert "Dokumen hasil dapat Anda unduh di halaman permohonan" in body, body
        assert "memberi nilai layanan ini" in body, body
        # the survey's token stays on the applicant's page: not in an e-mail
        assert "/survei/" not in body, body
    finally:
        sink.close()


def test_digest_names_the_role(env):
    """The officials' digest says "Admin Koordinator Pengaduan" / "Complaint coordinator", not
    "koordinator", and an OPD by its name."""
    sink, db, srv = mail_server(env, ["--mail-digest-hour", "0"])
    try:
        db.sql("UPDATE users SET email = 'koordinator.digest@example.id', lang = 'en' WHERE tenant = '%s' "
               "AND username = 'koordinator'" % TENANT)
        db.sql("UPDATE users SET email = 'petugas.digest@example.id', lang = 'id' WHERE tenant = '%s' "
               "AND username = 'petugas'" % TENANT)
        unit = db.sql("SELECT unit FROM users WHERE tenant = '%s' AND username = 'petugas'" % TENANT)[0][0]
        unit_name = db.sql("SELECT name FROM units WHERE tenant = '%s' AND code = '%s'" % (TENANT, unit))[0][0]
        # something addressed to each role: a complaint for the coordinator, an application for the OPD
        w = srv.client()
        w.login(TENANT, "warga")
        from test_complaints import file_web, filed_id
        filed_id(file_web(w, [("kind", "pengaduan"), ("description", "Lampu jalan di depan sekolah mati sejak minggu lalu"),
                              ("category", "pju"), ("address", "Jl. Pejanggik 1"), ("identity", "terbuka")]))
        admin = srv.client()
        admin.login(TENANT, "admin")
        code, _a, _c = new_service(env, admin=admin)
        file_app(env, code, warga=w)
        ((_s, body),) = mails_to(sink, "koordinator.digest@example.id")
        assert re.search(r"^Notifications for [^\n]+ \(Complaint coordinator\), ", body), body
        ((_s, body),) = mails_to(sink, "petugas.digest@example.id")
        assert re.search(r"^Pemberitahuan untuk [^\n]+ \(Petugas OPD, %s\), " % re.escape(unit_name), body), body
    finally:
        sink.close()
