"""
test_register.py: citizens make their own account at /t/{tenant}/daftar and
are signed in at once: the form and its link from the sign-in page (keeping
where the visitor was going), every refusal with its message and the typed
fields kept, the per-address limit shared in the database, the setting that
closes registration, and a policy that asks citizens for two steps too.
"""
import re
import urllib.parse

from harness import TENANT, unique

REG = "/t/%s/daftar" % TENANT
PW = "rahasia-warga-99"


def alerts(r):
    return re.findall(r'<p class="(?:alert|notice)"[^>]*>([^<]*)</p>', r.text)


def form_fields(username=None, **kw):
    f = {"full_name": "Siti Aminah", "username": username or unique("siti"), "phone": "0812-3456-7890",
         "email": "", "password": PW, "confirm": PW}
    f.update(kw)
    return f


def register(c, fields, path=REG):
    page = c.get(path).expect(200)
    fields = dict(fields)
    fields["_csrf"] = page.csrf()
    return c.post_form(REG, fields)


def test_citizen_registers_and_is_signed_in(env):
    c = env.client(ip="10.30.0.1")
    # the sign-in page offers it, keeping where the visitor was going
    target = "/t/%s/layanan/ktp-el/ajukan" % TENANT
    login = c.get("/t/%s/masuk?next=%s" % (TENANT, urllib.parse.quote(target, safe=""))).expect(200)
    link = "/t/%s/daftar?next=%s" % (TENANT, urllib.parse.quote(target, safe=""))
    assert 'href="%s"' % link in login.text, login.text[-1500:]
    page = c.get(link).expect(200, contains='name="full_name"')
    assert 'name="next" value="%s"' % target in page.text
    name = unique("Siti.")
    r = c.post_form(REG, dict(form_fields(username="  " + name + " "), _csrf=page.csrf(), next=target))
    r.expect(303)
    assert r.header("location") == target, r.header("location")
    assert "sigap_session" in c.cookies
    me = c.get("/api/v1/t/%s/me" % TENANT).expect(200).json()
    assert me["username"] == name.lower() and me["role"] == "warga" and me["name"] == "Siti Aminah", me
    # stored with the phone normalised; audited with the citizen as the actor
    db = env.shared_db
    row = db.sql("SELECT role, phone, email, unit FROM users WHERE tenant = '52.71' AND username = '%s'" % name.lower())
    assert [tuple(str(v) if v is not None else "" for v in row[0])] == [("warga", "081234567890", "", "")], row
    assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'user.add' AND actor = '%s' AND object = '%s'"
                      % (name.lower(), name.lower()))[0][0]) == 1
    # a signed-in user is sent on from the form
    r = c.get(REG).expect(303)
    assert r.header("location") == "/t/%s/dasbor" % TENANT
    # without next: the dashboard, with a welcome
    d = env.client(ip="10.30.0.2")
    r = register(d, form_fields(email="Budi@Example.id", phone=""))
    r.expect(303)
    assert r.header("location") == "/t/%s/dasbor?baru=1" % TENANT
    d.get(r.header("location")).expect(200, contains="Akun Anda sudah dibuat")


def test_refusals_keep_what_was_typed(env):
    c = env.client(ip="10.31.0.1")
    taken = unique("ani")
    register(c, form_fields(username=taken)).expect(303)
    c = env.client(ip="10.31.0.2")
    cases = [
        (form_fields(username="ab"), 400, "nama pengguna harus 3-64 karakter"),
        (form_fields(username="ani budi"), 400, "nama pengguna harus 3-64 karakter"),
        (form_fields(full_name=""), 400, "nama lengkap wajib diisi"),
        (form_fields(full_name="A"), 400, "nama lengkap wajib diisi"),
        (form_fields(full_name="Siti\x07Aminah"), 400, "nama lengkap wajib diisi"),
        (form_fields(full_name="x" * 121), 400, "nama lengkap wajib diisi"),
        (form_fields(email="bukan-email"), 400, "alamat e-mail tidak valid"),
        (form_fields(phone="0812"), 400, "nomor HP tidak sah"),
        (form_fields(phone="08123abc456"), 400, "nomor HP hanya berisi angka"),
        (form_fields(password="pendek", confirm="pendek"), 400, "10"),
        (form_fields(confirm=PW + "x"), 400, "konfirmasi kata sandi tidak sama"),
        (form_fields(username=taken), 409, "nama pengguna sudah dipakai"),
    ]
    for fields, status, message in cases:
        r = register(c, fields)
        r.expect(status)
        got = " ".join(alerts(r))
        assert message in got, (fields, got)
        # the typed fields come back (never the password)
        assert 'value="Siti Aminah"' in r.text or fields["full_name"] != "Siti Aminah", fields
        assert PW not in r.text
        assert "sigap_session" not in c.cookies
    # no CSRF token: refused, nothing made
    name = unique("tanpa")
    c.post_form(REG, form_fields(username=name)).expect(403)
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM users WHERE username = '%s'" % name)[0][0]) == 0


def test_per_address_limit_is_shared(env):
    db = env.new_db()
    a = env.start_server(db, args=["--register-max-per-address", "2"])
    b = env.start_server(db, args=["--register-max-per-address", "2"])
    register(a.client(ip="10.32.0.1"), form_fields()).expect(303)
    register(b.client(ip="10.32.0.1"), form_fields()).expect(303)
    # the third from the same address, on either instance, waits; nothing is made
    name = unique("ketiga")
    r = register(a.client(ip="10.32.0.1"), form_fields(username=name))
    r.expect(429, contains="terlalu banyak akun dibuat dari alamat ini")
    assert int(r.header("retry-after")) > 0
    register(b.client(ip="10.32.0.1"), form_fields()).expect(429)
    assert int(db.sql("SELECT COUNT(*) FROM users WHERE username = '%s'" % name)[0][0]) == 0
    # another address is not held
    register(b.client(ip="10.32.0.2"), form_fields()).expect(303)
    a.stop()
    b.stop()


def test_registration_closed(env):
    srv = env.start_server(env.new_db(), args=["--self-registration", "0"])
    c = srv.client(ip="10.33.0.1")
    assert "/daftar" not in c.get("/t/%s/masuk" % TENANT).expect(200).text
    c.get(REG).expect(404, contains="pendaftaran mandiri tidak dibuka")
    login = c.get("/t/%s/masuk" % TENANT).expect(200)
    c.post_form(REG, dict(form_fields(), _csrf=login.csrf())).expect(404)
    srv.stop()


def test_two_steps_for_citizens_when_asked(env):
    srv = env.start_server(env.new_db(), args=["--two-factor-roles", "warga"])
    c = srv.client(ip="10.34.0.1")
    r = register(c, form_fields())
    r.expect(303)
    assert r.header("location") == "/t/%s/akun/dua-langkah" % TENANT, r.header("location")
    c.get("/t/%s/dasbor" % TENANT).expect(303)
    srv.stop()


def test_taken_names_and_ipv6_count_against_the_address(env):
    """Trying names that are taken counts against the address like accounts made (no argon2id
    is spent on them, and names cannot be tried without limit); an IPv6 client counts by its /64."""
    srv = env.start_server(env.new_db(), args=["--register-max-per-address", "3"])
    c = srv.client(ip="10.35.0.1")
    for _ in range(3):
        register(c, form_fields(username="warga")).expect(409, contains="sudah dipakai")
    register(c, form_fields()).expect(429)
    # one subscriber's /64 is one address
    for host in ("1", "2", "3"):
        register(srv.client(ip="2001:db8:7:1::" + host), form_fields()).expect(303)
    register(srv.client(ip="2001:db8:7:1::9"), form_fields()).expect(429)
    register(srv.client(ip="2001:db8:7:2::1"), form_fields()).expect(303)
    # the name is then usable to sign in, typed as the citizen typed it at first
    name = unique("Tika.")
    d = srv.client(ip="10.35.0.2")
    register(d, form_fields(username=name, password="rahasia-tika-99", confirm="rahasia-tika-99")).expect(303)
    srv.client(ip="10.35.0.3").login(TENANT, name + " ", password="rahasia-tika-99")
    srv.stop()
