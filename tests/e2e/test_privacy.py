"""
test_privacy.py: citizens' rights over their personal data (UU 27/2022;
docs/privacy.md) through the real server, on both backends.

"Akun saya" (/t/{tenant}/akun) shows the account with the NIK masked and
corrects name, e-mail and phone: a stale form is a 409, a bad field a 400 in
the user's language next to the field, a form without its CSRF token a 403,
each correction audited without the values; an official corrects e-mail and
phone but not the name. "Unduh data saya" (/akun/data.json) is an attachment,
no-store, with the account, sessions, complaints (contact, location,
history), applications (answers, documents with links the owner opens),
notifications and the account's log, and nothing secret and nothing of
anyone else (another citizen's complaint, another tenant's account of the
same name, what an official typed about a third person). Deleting an
account (/akun/hapus) needs the password and a tick; a wrong password is
counted and refused, an application in progress holds it back, officials
and API keys are refused. Afterwards the browser is signed out, sign-in is
impossible and the username stays taken; the complaints stay public but
anonymous, the applications stay as records unlinked from the login, the
account's sessions, notifications and e-mails are gone, the audit entry
holds no personal data and `sigap audit verify` still passes. The privacy
notice (/privasi) is public, in both languages, linked from the footer, the
registration form and the complaint form, and shows the contact the
Pemda's administrator sets (escaped; 409 on a stale form).
"""
import base64
import json
import re

from harness import TENANT, TENANT2, check_sigap, run_sigap, unique
from test_complaints import multipart, set_auto_route
from test_services import NIK, PDF, api, new_service

PW = "rahasia-warga-99"
ACCOUNT = "/t/%s/akun" % TENANT
EXPORT = ACCOUNT + "/data.json"
DELETE = ACCOUNT + "/hapus"


def register(env, tenant=TENANT, username=None, full_name="Siti Aminah", phone="0812 3456 7890",
             email="siti@example.id", client=None):
    """A fresh citizen, signed in; returns (client, username)."""
    c = client or env.client()
    username = username or unique("pdp")
    page = c.get("/t/%s/daftar" % tenant).expect(200)
    c.post_form("/t/%s/daftar" % tenant, {"_csrf": page.csrf(), "full_name": full_name, "username": username,
                                          "phone": phone, "email": email, "password": PW,
                                          "confirm": PW}).expect(303)
    return c, username


def one(env, sql):
    rows = env.shared_db.sql(sql)
    return rows[0][0] if rows else None


def user_row(env, username, cols, tenant=TENANT):
    rows = env.shared_db.sql("SELECT %s FROM users WHERE tenant = '%s' AND username = '%s'" % (cols, tenant, username))
    assert len(rows) == 1, rows
    return tuple("" if v is None else str(v) for v in rows[0])


def alert(r):
    m = re.search(r'<p class="alert" role="alert">([^<]*)</p>', r.text)
    return m.group(1) if m else ""


def version_of(page):
    return re.search(r'name="version" value="(\d+)"', page.text).group(1)


def correct(c, page, **fields):
    f = {"_csrf": page.csrf(), "version": version_of(page)}
    f.update(fields)
    return c.post_form(ACCOUNT, f)


def file_complaint(c, title, phone="081234567890", identity="terbuka", email=""):
    """Files a complaint from c's account; returns its id. It waits for the coordinator when
    auto-routing is off (held_complaint)."""
    form = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", title),
                             ("description", "Lampu jalan di depan rumah mati sejak seminggu"),
                             ("identity", identity), ("email", email), ("phone", phone), ("address", "Jl. Pejanggik 12"),
                             ("lat", "-8.5837"), ("long", "116.1165")])
    r = c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype})
    assert r.status == 303, (r.status, r.text[:800])
    return int(re.match(r"/t/52\.71/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1))


def held_complaint(env, c, title, note, phone="081234567890", email=""):
    """A complaint of c's that the coordinator puts on hold with note (which the reporter is
    told of): filed with auto-routing off, so that it waits for the coordinator whatever the
    routing model says; the setting is restored."""
    set_auto_route(env, False)
    try:
        cid = file_complaint(c, title, phone=phone, email=email)
    finally:
        set_auto_route(env, True)
    k = env.client()
    k.login(TENANT, "koordinator")
    page = k.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    k.post_form("/t/%s/pengaduan/%d/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "tunda", "version": version_of(page), "text": note}).expect(303)
    return cid, k


def file_application(c, code, nama="Siti Aminah"):
    csrf = c.session_csrf(TENANT)
    r = api(c, "POST", "/api/v1/t/%s/applications" % TENANT,
            {"service": code, "values": {"nama": nama, "nik_pemohon": NIK, "keperluan": "Baru"},
             "files": {"kk": {"filename": "kk-saya.pdf", "content_base64": base64.b64encode(PDF).decode()}}}, csrf)
    assert r.status == 201, r.text
    return r.json()["id"]


def cancel_application(c, app_id):
    page = c.get("/t/%s/permohonan/%d" % (TENANT, app_id)).expect(200)
    c.post_form("/t/%s/permohonan/%d/aksi" % (TENANT, app_id),
                {"_csrf": page.csrf(), "op": "cancel", "yakin": "1"}).expect(303)


def delete(c, password=PW, sure=True, csrf=True):
    page = c.get(DELETE).expect(200)
    f = {"password": password}
    if csrf:
        f["_csrf"] = page.csrf()
    if sure:
        f["yakin"] = "1"
    return c.post_form(DELETE, f)


# ------------------------------------------------------------------ Akun saya

def test_account_page_and_corrections(env):
    c, name = register(env)
    # a NIK the administrator recorded is shown masked, as everywhere
    env.shared_db.sql("UPDATE users SET nik = '%s' WHERE tenant = '%s' AND username = '%s'" % (NIK, TENANT, name))
    page = c.get(ACCOUNT).expect(200, contains="Akun saya")
    assert "5271********0001" in page.text and NIK not in page.text
    assert 'value="081234567890"' in page.text and "siti@example.id" in page.text
    assert page.header("cache-control") == "no-store"
    # linked from the header of every signed-in page, and from the dashboard
    assert 'href="/t/%s/akun"' % TENANT in c.get("/t/%s/dasbor" % TENANT).expect(200).text
    for link in ("/akun/sandi", "/akun/dua-langkah", "/akun/data.json", "/akun/hapus", "/privasi"):
        assert 'href="/t/%s%s"' % (TENANT, link) in page.text, link

    # a correction, then the page says so and shows it
    r = correct(c, page, full_name="  Siti Aminah Rahman ", phone="+62 819-0123-4567", email="Siti.Baru@Example.ID")
    r.expect(303)
    assert r.header("location") == ACCOUNT + "?ok=disimpan"
    page = c.get(r.header("location")).expect(200, contains="perbaikan data akun Anda sudah disimpan")
    assert user_row(env, name, "full_name, phone, email") == ("Siti Aminah Rahman", "+6281901234567",
                                                              "siti.baru@example.id")
    assert "Siti Aminah Rahman" in c.get("/t/%s/dasbor" % TENANT).expect(200).text
    # audited by field name, never the values
    rows = env.shared_db.sql("SELECT actor, summary FROM audit_log WHERE action = 'user.profile' AND object = '%s'" % name)
    assert len(rows) == 1 and rows[0][0] == name and "full_name,email,phone" in rows[0][1], rows
    assert "6281901234567" not in rows[0][1] and "example" not in rows[0][1]
    # the same again (as stored): nothing written
    before = user_row(env, name, "version")
    r = correct(c, page, full_name="Siti Aminah Rahman", phone="+6281901234567", email="siti.baru@example.id")
    assert r.status == 303 and r.header("location").endswith("?ok=sama"), r.header("location")
    assert user_row(env, name, "version") == before

    # a stale form (another tab saved meanwhile): 409, nothing undone
    stale = c.get(ACCOUNT).expect(200)
    correct(c, stale, full_name="Siti Aminah Rahman", phone="", email="siti.baru@example.id").expect(303)
    r = correct(c, stale, full_name="Siti A. Rahman", phone="081901234567", email="siti.baru@example.id")
    r.expect(409)
    assert "baru saja diubah di tempat lain" in alert(r)
    assert 'value="Siti A. Rahman"' in r.text, "what was typed is kept"
    assert user_row(env, name, "full_name, phone") == ("Siti Aminah Rahman", "")

    # bad fields: 400 with the reason at the field, in the user's language
    page = c.get(ACCOUNT).expect(200)
    for fields, field, said in (
            ({"full_name": "S"}, "full_name", "nama lengkap wajib diisi"),
            ({"full_name": "Siti\u200bAminah"}, "full_name", "nama lengkap wajib diisi"),
            ({"email": "bukan-email"}, "email", "alamat e-mail tidak valid"),
            ({"email": "siti@example.id\r\nBcc: x@example.id"}, "email", "alamat e-mail tidak valid"),
            ({"phone": "0812"}, "phone", "nomor HP tidak sah"),
            ({"phone": "08123abc456"}, "phone", "nomor HP hanya berisi angka")):
        f = {"full_name": "Siti Aminah Rahman", "email": "siti.baru@example.id", "phone": ""}
        f.update(fields)
        r = correct(c, page, **f).expect(400)
        assert said in alert(r), (fields, alert(r))
        assert 'id="%s-error"' % field in r.text and 'aria-invalid="true"' in r.text, fields
    r = c.post_form(ACCOUNT, {"_csrf": page.csrf(), "version": version_of(page), "full_name": "Siti", "email": "x@",
                              "phone": ""}, headers={"Accept-Language": "en"}).expect(400)
    assert "invalid e-mail address" in alert(r), alert(r)
    r = c.post_form(ACCOUNT, {"_csrf": page.csrf(), "version": "abc", "full_name": "Siti Aminah Rahman"}).expect(400)
    assert "versi data akun tidak valid" in alert(r)
    # without the form's token: 403, nothing changed
    c.post_form(ACCOUNT, {"version": version_of(page), "full_name": "Tanpa Token", "email": "", "phone": ""}).expect(403)
    assert user_row(env, name, "full_name, email") == ("Siti Aminah Rahman", "siti.baru@example.id")
    # an API key acts for a program, not for a person's account
    key = api_key_warga(env)
    env.client().get(ACCOUNT, headers={"X-API-Key": key}).expect(403)
    env.client().get(EXPORT, headers={"X-API-Key": key}).expect(403)
    # signed out: to the sign-in page
    r = env.client().get(ACCOUNT).expect(303)
    assert r.header("location").startswith("/t/%s/masuk?next=" % TENANT)


def api_key_warga(env):
    out = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("pdp")], db=env.shared_db).stdout
    return re.search(r"sgp_[A-Za-z0-9]+_[0-9a-f]{64}", out).group(0)


def test_email_change_tells_the_old_address(env):
    db = env.new_db()
    srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "sigap@pemda.example.id"])
    c = srv.client()
    page = c.get("/t/%s/daftar" % TENANT).expect(200)
    name = unique("pdpm")
    c.post_form("/t/%s/daftar" % TENANT, {"_csrf": page.csrf(), "full_name": "Budi Santoso", "username": name,
                                          "email": "budi.lama@example.id", "password": PW, "confirm": PW}).expect(303)
    page = c.get(ACCOUNT).expect(200)
    correct(c, page, full_name="Budi Santoso", email="budi.baru@example.id", phone="").expect(303)
    rows = db.sql("SELECT recipient, subject FROM mail_outbox WHERE recipient IN ('budi.lama@example.id', "
                  "'budi.baru@example.id')")
    assert [tuple(r) for r in rows] == [("budi.lama@example.id", "Alamat e-mail akun sigap Anda diganti")], rows
    srv.stop()


def test_officials_correct_contact_but_not_name(env):
    admin = env.client()
    admin.login(TENANT, "admin")
    page = admin.get("/t/%s/admin/pengguna" % TENANT).expect(200)
    name = unique("ptgpdp")
    admin.post_form("/t/%s/admin/pengguna" % TENANT,
                    {"_csrf": page.csrf(), "username": name, "full_name": "Lalu Petugas", "role": "petugas",
                     "unit": "DISDUKCAPIL", "password": "kata-sandi-uji-123"}).expect(303)
    o = env.client()
    o.login(TENANT, name, password="kata-sandi-uji-123")
    page = o.get(ACCOUNT).expect(200, contains="Lalu Petugas")
    assert 'name="full_name"' not in page.text and "kunci tanda tangan" in page.text
    assert 'href="/t/%s/akun/hapus"' % TENANT not in page.text
    correct(o, page, email="lalu@pemda.example.id", phone="0370 123456").expect(303)
    assert user_row(env, name, "full_name, email, phone") == ("Lalu Petugas", "lalu@pemda.example.id", "0370123456")
    page = o.get(ACCOUNT).expect(200)
    r = correct(o, page, full_name="Lalu Bukan Petugas", email="lalu@pemda.example.id", phone="0370123456")
    r.expect(403)
    assert "tidak dapat diubah sendiri" in alert(r)
    assert user_row(env, name, "full_name") == ("Lalu Petugas",)
    # the same name sent back is no change
    correct(o, page, full_name="Lalu Petugas", email="lalu@pemda.example.id", phone="0370123456").expect(303)
    # officials do not delete their own account: the administrator disables it
    o.get(DELETE).expect(403)
    o.post_form(DELETE, {"_csrf": page.csrf(), "password": "kata-sandi-uji-123", "yakin": "1"}).expect(403)
    assert user_row(env, name, "deleted_at, disabled") == ("", "0")
    # their export holds their own account
    j = o.get(EXPORT).expect(200).json()
    assert j["account"]["username"] == name and j["account"]["role"] == "petugas", j["account"]


# ------------------------------------------------------------------ the export

def test_export_holds_own_data_and_nothing_else(env):
    code, _admin, _ = new_service(env)
    a, name = register(env, full_name="Siti Aminah", phone="081234567890", email="siti.ekspor@example.id")
    b, other = register(env, full_name="Baiq Lain Orang", phone="081377778888", email="baiq.lain@example.id")
    # the coordinator holds A's complaint with a note about a third person
    cid, _k = held_complaint(env, a, "Lampu jalan mati di Jl. Pejanggik", "Menunggu konfirmasi dari pak RT 081299998888",
                             email="siti.lapor@contoh.id")
    other_cid = file_complaint(b, "Sampah menumpuk milik orang lain", phone="081377778888", email="baiq.lapor@contoh.id")
    app_id = file_application(a, code)
    # another tenant's account of the same name is someone else
    register(env, tenant=TENANT2, username=name, full_name="Orang Provinsi", email="provinsi@example.id")

    r = a.get(EXPORT).expect(200, ctype="application/json")
    assert r.header("cache-control") == "no-store"
    assert r.header("content-disposition") == 'attachment; filename="sigap-data-pribadi-%s-%s.json"' % (TENANT, name)
    j = r.json()
    text = r.text
    assert j["format"] == "sigap-data-pribadi/1" and j["tenant"]["code"] == TENANT
    assert set(j) == {"format", "generated_at", "tenant", "account", "sessions", "complaints", "complaints_followed",
                      "applications", "survey_answers", "notifications", "emails", "account_log"}, sorted(j)
    assert j["complaints_followed"] == [], j["complaints_followed"]
    acc = j["account"]
    assert (acc["username"], acc["full_name"], acc["phone"], acc["email"], acc["role"]) == (
        name, "Siti Aminah", "081234567890", "siti.ekspor@example.id", "warga"), acc
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$", acc["created_at"]), acc
    # sessions: when, not which token
    assert len(j["sessions"]) == 1 and j["sessions"][0]["current"] is True, j["sessions"]
    assert set(j["sessions"][0]) == {"created_at", "expires_at", "second_step_pending", "current"}
    # the complaint with the reporter's own contact and location, and its history
    (cp,) = j["complaints"]
    assert cp["id"] == cid and cp["phone"] == "081234567890" and cp["email"] == "siti.lapor@contoh.id", cp
    assert cp["identity"] == "terbuka" and "contact" not in cp, cp
    assert abs(cp["location"]["lat"] + 8.5837) < 1e-6 and abs(cp["location"]["lon"] - 116.1165) < 1e-6
    assert cp["address"] == "Jl. Pejanggik 12" and cp["status"] == "tunda" and cp["url"] == "/t/%s/pengaduan/%d" % (TENANT, cid)
    assert any(h["action"] == "tunda" for h in cp["history"]), cp["history"]
    # what an official typed about a third person is masked, as on the page
    assert "081299998888" not in text and "0812******88" in text
    # the application: answers (the NIK whole: it is the applicant's own), documents, links
    (ap,) = j["applications"]
    assert ap["id"] == app_id and ap["service"]["code"] == code and ap["state"] == "proses", ap
    assert {f["name"]: f["value"] for f in ap["fields"]} == {"nama": "Siti Aminah", "nik_pemohon": NIK,
                                                               "keperluan": "Baru"}, ap["fields"]
    (doc,) = ap["files"]
    assert (doc["field"], doc["filename"], doc["size"]) == ("kk", "kk-saya.pdf", len(PDF)), doc
    a.get(doc["url"]).expect(200)
    a.get(ap["receipt_url"]).expect(200, ctype="application/pdf")
    assert j["survey_answers"] == []
    assert any(n.get("url") == "/t/%s/pengaduan/%d" % (TENANT, cid) for n in j["notifications"]), j["notifications"]
    assert any(e["action"] == "user.add" and e["by_you"] for e in j["account_log"]), j["account_log"]
    # nothing secret, nothing of anyone else
    cookie = a.cookies["sigap_session"]
    for secret in ("argon2", "password", "totp", "csrf", "token", cookie, "hash"):
        assert secret not in text, secret
    for theirs in ("Baiq Lain Orang", "081377778888", "baiq.lain@example.id", "baiq.lapor@contoh.id", "Sampah menumpuk",
                   "Orang Provinsi", "provinsi@example.id", "/pengaduan/%d" % other_cid, "koordinator"):
        assert theirs not in text, theirs
    # and B's export has none of A's
    jb = b.get(EXPORT).expect(200).text
    assert "Siti Aminah" not in jb and "Lampu jalan mati" not in jb and "081234567890" not in jb
    # tenant isolation: A's session opens nothing of the province; its own account there is someone else's
    r = a.get("/t/%s/akun/data.json" % TENANT2).expect(303)
    assert r.header("location").startswith("/t/%s/masuk" % TENANT2)
    p = env.client()
    p.login(TENANT2, name, password=PW)
    jp = p.get("/t/%s/akun/data.json" % TENANT2).expect(200).json()
    assert jp["tenant"]["code"] == TENANT2 and jp["account"]["full_name"] == "Orang Provinsi"
    assert jp["complaints"] == [] and jp["applications"] == [] and "Siti" not in json.dumps(jp)


# ------------------------------------------------------------------ deletion

def test_deletion_refused_while_an_application_is_in_progress(env):
    code, _admin, _ = new_service(env)
    c, name = register(env)
    app_id = file_application(c, code)
    number = one(env, "SELECT number FROM services_apps WHERE id = %d" % app_id)
    page = c.get(DELETE).expect(200)
    assert "masih ada permohonan yang sedang diproses" in alert(page) and number in page.text
    assert 'name="password"' not in page.text, "no form while it cannot be done"
    r = c.post_form(DELETE, {"_csrf": page.csrf(), "password": PW, "yakin": "1"}).expect(409)
    assert "masih ada permohonan" in alert(r) and number in r.text
    assert user_row(env, name, "deleted_at, disabled") == ("", "0")
    # in English too
    r = c.post_form(DELETE, {"_csrf": page.csrf(), "password": PW, "yakin": "1"},
                    headers={"Accept-Language": "en"}).expect(409)
    assert "application is still being processed" in alert(r), alert(r)
    # withdrawn, it holds nothing back
    cancel_application(c, app_id)
    assert 'name="password"' in c.get(DELETE).expect(200).text


def test_deletion_needs_the_password_a_tick_and_the_token(env):
    c, name = register(env)
    r = delete(c, password="salah-sekali-123").expect(403)
    assert "kata sandi salah" in alert(r)
    r = delete(c, sure=False).expect(400)
    assert "Saya mengerti" in alert(r)
    delete(c, password="").expect(400)
    delete(c, csrf=False).expect(403)
    assert user_row(env, name, "deleted_at, disabled, full_name") == ("", "0", "Siti Aminah")
    # the wrong password was counted, like a sign-in's
    assert int(one(env, "SELECT failures FROM login_attempts WHERE tenant = '%s' AND subject = 'del:%s'"
                   % (TENANT, name))) == 1
    c.get(ACCOUNT).expect(200)  # still signed in


def test_wrong_passwords_lock_the_deletion(env):
    srv = env.start_server(env.new_db(), args=["--login-max-failures", "2"])
    c, _name = register(env, client=srv.client())
    delete(c, password="salah-satu-12345").expect(403)
    r = delete(c, password="salah-dua-123456").expect(429)
    assert int(r.header("retry-after")) > 0 and "terlalu banyak kata sandi salah" in alert(r)
    # locked: not even the right one is tried
    delete(c).expect(429)
    srv.stop()


def test_deletion_anonymises_keeps_records_and_signs_out(env):
    code, _admin, _ = new_service(env)
    c, name = register(env, full_name="Siti Terhapus", phone="081211112222", email="siti.hapus@example.id")
    # on hold (a notification for the reporter), and the reporter's reply in its history
    cid, k = held_complaint(env, c, "Jalan rusak di depan SD", "Mohon foto", phone="081211112222",
                            email="siti.hapus.lapor@contoh.id")
    app_id = file_application(c, code, nama="Siti Terhapus")
    cancel_application(c, app_id)
    page = c.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    c.post_form("/t/%s/pengaduan/%d/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "balas", "text": "Fotonya menyusul"}).expect(303)
    uid = int(one(env, "SELECT id FROM users WHERE tenant = '%s' AND username = '%s'" % (TENANT, name)))
    assert int(one(env, "SELECT COUNT(*) FROM notifications WHERE user_id = %d" % uid)) >= 1
    public = env.client().get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    assert "S*** T***" in public.text

    r = delete(c)
    r.expect(303)
    assert r.header("location") == "/t/%s/akun/dihapus" % TENANT
    assert "sigap_session" not in c.cookies, "signed out"
    c.get(r.header("location")).expect(200, contains="Akun Anda sudah dihapus")
    r = c.get(ACCOUNT).expect(303)
    assert r.header("location").startswith("/t/%s/masuk" % TENANT)

    # the users row: emptied, disabled, its username kept and taken
    assert user_row(env, name, "full_name, email, phone, nik, disabled, totp_secret") == ("", "", "", "", "1", "")
    assert user_row(env, name, "deleted_at")[0] != ""
    assert "argon2" not in user_row(env, name, "password_hash")[0]
    env.client().login(TENANT, name, password=PW, expect=401)
    reg = env.client()
    page = reg.get("/t/%s/daftar" % TENANT).expect(200)
    reg.post_form("/t/%s/daftar" % TENANT, {"_csrf": page.csrf(), "full_name": "Orang Baru", "username": name,
                                            "password": PW, "confirm": PW}).expect(409, contains="sudah dipakai")
    for table in ("sessions", "notifications", "user_recovery_codes", "password_resets", "notify_seen"):
        assert int(one(env, "SELECT COUNT(*) FROM %s WHERE user_id = %d" % (table, uid))) == 0, table
    assert int(one(env, "SELECT COUNT(*) FROM mail_outbox WHERE recipient = 'siti.hapus@example.id'")) == 0

    # the complaint: public, anonymous, no contact, no account, no reporter code
    row = env.shared_db.sql("SELECT identity, reporter_user_id, reporter_name, reporter_email, reporter_phone, "
                            "reporter_key_hash, title FROM complaints WHERE id = %d" % cid)[0]
    assert tuple("" if v is None else str(v) for v in row) == ("anonim", "0", "", "", "", "",
                                                               "Jalan rusak di depan SD"), row
    assert int(one(env, "SELECT COUNT(*) FROM complaints_events WHERE complaint_id = %d AND actor = '%s'"
                   % (cid, name))) == 0
    public = env.client().get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200, contains="Jalan rusak di depan SD")
    assert "Anonim" in public.text and "S*** T***" not in public.text and "Siti" not in public.text
    assert "Fotonya menyusul" in public.text, "the public history stays"
    coord = k.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    assert "Siti Terhapus" not in coord.text and "081211112222" not in coord.text
    assert "siti.hapus.lapor" not in coord.text and "s***************@contoh.id" not in coord.text
    # the application: the Pemda's record, whole, linked to no login
    row = env.shared_db.sql("SELECT applicant_id, applicant_name, nik FROM services_apps WHERE id = %d" % app_id)[0]
    assert (str(row[0]), row[1], row[2]) == ("0", "Siti Terhapus", NIK), row

    # one audit entry with counts, no personal data; the chain still verifies
    rows = env.shared_db.sql("SELECT actor, summary FROM audit_log WHERE action = 'user.delete' AND object = '%s'" % name)
    assert len(rows) == 1 and rows[0][0] == name, rows
    assert "complaints made anonymous: 1" in rows[0][1] and "applications kept as records: 1" in rows[0][1], rows
    for personal in ("Siti", "0812", "example.id", NIK):
        assert personal not in rows[0][1]
    p = check_sigap(["audit", "verify"], db=env.shared_db)
    assert "ok" in (p.stdout + p.stderr).lower(), p.stdout

    # the administrator sees it deleted and cannot bring it back
    admin = env.client()
    admin.login(TENANT, "admin")
    page = admin.get("/t/%s/admin/pengguna/%s" % (TENANT, name)).expect(200, contains="dihapus atas permintaan")
    assert 'action="/t/%s/admin/pengguna/%s/status"' % (TENANT, name) not in page.text
    ver = user_row(env, name, "version")[0]
    r = admin.post_form("/t/%s/admin/pengguna/%s/status" % (TENANT, name),
                        {"_csrf": page.csrf(), "version": ver, "disabled": "0"}).expect(409)
    assert "dihapus atas permintaan pemiliknya" in r.text
    assert user_row(env, name, "disabled") == ("1",)


def test_audit_verify_after_deletions_on_a_fresh_database(env):
    """The chain of a database whose only writes since the demo are a registration and a deletion."""
    db = env.new_db()
    srv = env.start_server(db)
    c, _name = register(env, client=srv.client())
    delete(c).expect(303)
    srv.stop()
    p = run_sigap(["audit", "verify", "--tenant", TENANT], db=db)
    assert p.returncode == 0, (p.stdout, p.stderr)


# ------------------------------------------------------------------ the notice

def test_privacy_notice_and_its_contact(env):
    anon = env.client()
    r = anon.get("/t/%s/privasi" % TENANT).expect(200, contains="Pemberitahuan privasi")
    assert "Kota Mataram" in r.text and "UU 27/2022" in r.text and "8 jam" in r.text
    assert 'href="/t/%s/pengaduan/baru"' % TENANT in r.text, "the fallback when no contact is set"
    en = anon.get("/t/%s/privasi" % TENANT, headers={"Accept-Language": "en"}).expect(200, contains="Privacy notice")
    assert "Who sees your data" in en.text
    # linked from the footer, the registration form and the complaint form
    for path in ("/t/%s/" % TENANT, "/t/%s/daftar" % TENANT, "/t/%s/pengaduan/baru" % TENANT):
        assert 'href="/t/%s/privasi"' % TENANT in anon.get(path).expect(200).text, path
    # the administrator sets the contact; it is shown escaped, line by line
    admin = env.client()
    admin.login(TENANT, "admin")
    page = admin.get("/t/%s/admin/privasi" % TENANT).expect(200)
    old = re.search(r'name="old" value="([0-9a-f]{64})"', page.text).group(1)
    contact = "Pejabat PDP Diskominfo <b>Kota</b>\r\nppid@mataramkota.example.id\r\n(0370) 123456"
    admin.post_form("/t/%s/admin/privasi" % TENANT, {"_csrf": page.csrf(), "old": old, "contact": contact}).expect(303)
    r = anon.get("/t/%s/privasi" % TENANT).expect(200)
    assert "Pejabat PDP Diskominfo &lt;b&gt;Kota&lt;/b&gt;\nppid@mataramkota.example.id" in r.text, r.text[-3000:]
    assert int(one(env, "SELECT COUNT(*) FROM audit_log WHERE action = 'tenant.privacy_contact'")) >= 1
    # a stale form: 409; a non-admin: 403; the province's notice is its own
    r = admin.post_form("/t/%s/admin/privasi" % TENANT, {"_csrf": page.csrf(), "old": old, "contact": "lain"})
    r.expect(409)
    w, _ = register(env)
    w.get("/t/%s/admin/privasi" % TENANT).expect(403)
    assert "ppid@mataramkota" not in anon.get("/t/%s/privasi" % TENANT2).expect(200).text
    # cleared again (the shared database's notice as it was)
    page = admin.get("/t/%s/admin/privasi" % TENANT).expect(200)
    old = re.search(r'name="old" value="([0-9a-f]{64})"', page.text).group(1)
    admin.post_form("/t/%s/admin/privasi" % TENANT, {"_csrf": page.csrf(), "old": old, "contact": ""}).expect(303)
