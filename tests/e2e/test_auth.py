"""
test_auth.py: logging in and out, the login lockout, CSRF protection,
session cookies, role permissions, tenant isolation, the password change
form and API keys, all against a running sigap server.
"""
import re

from harness import DEMO_PASSWORD, TENANT, TENANT2, check_sigap, raw_request, raw_statuses, unique

LOGIN = "/t/%s/masuk" % TENANT
BAD_LOGIN = "nama pengguna atau kata sandi salah"
BAD_CSRF = "token keamanan formulir tidak valid; muat ulang halaman lalu coba lagi"
FORBIDDEN = "Anda tidak berhak mengakses halaman ini"


def alert(r):
    """The texts of the page's alert and notice boxes."""
    return re.findall(r'<p class="(?:alert|notice)"[^>]*>([^<]*)</p>', r.text)


def new_user(env, role="warga", password="rahasia-panjang-1", tenant=TENANT):
    """Adds a user to the shared database with the CLI; returns its name."""
    name = unique("u")
    check_sigap(["user", "add", "--tenant", tenant, "--username", name, "--name", "Pengguna Uji " + name,
                 "--role", role], db=env.shared_db, input=password + "\n")
    return name


def test_login_ok(env):
    c = env.client()
    form = c.get(LOGIN).expect(200, contains='action="/t/52.71/masuk"')
    assert 'name="password"' in form.text and 'type="password"' in form.text
    r = c.post_form(LOGIN, {"_csrf": form.csrf(), "username": "admin", "password": DEMO_PASSWORD})
    r.expect(303)
    assert r.header("location") == "/t/%s/dasbor" % TENANT
    d = c.get("/t/%s/dasbor" % TENANT).expect(200, contains="Admin Sigap Mataram")
    assert "Dasbor" in d.text
    assert d.header("cache-control") == "no-store", d.header("cache-control")
    # the login form of a logged-in user goes to the dashboard
    r = c.get(LOGIN).expect(303)
    assert r.header("location") == "/t/%s/dasbor" % TENANT
    me = c.get("/api/v1/t/%s/me" % TENANT).expect(200).json()
    assert me == {"tenant": TENANT, "username": "admin", "name": "Admin Sigap Mataram", "role": "admin",
                  "unit": "", "auth": "session"}, me


def test_login_next_is_local_only(env):
    c = env.client()
    r = c.get("/t/%s/admin/audit" % TENANT).expect(303)
    assert r.header("location") == "/t/52.71/masuk?next=%2Ft%2F52.71%2Fadmin%2Faudit", r.header("location")
    form = c.get(r.header("location")).expect(200)
    assert 'name="next" value="/t/52.71/admin/audit"' in form.text, form.text
    r = c.post_form(LOGIN, {"_csrf": form.csrf(), "username": "sekda", "password": DEMO_PASSWORD,
                            "next": "/t/52.71/admin/audit"}).expect(303)
    assert r.header("location") == "/t/52.71/admin/audit"
    c.get("/t/52.71/admin/audit").expect(200, contains="Log audit")
    d = env.client()
    form = d.get(LOGIN + "?next=//evil.example/").expect(200)
    assert "evil" not in form.text
    r = d.post_form(LOGIN, {"_csrf": form.csrf(), "username": "warga", "password": DEMO_PASSWORD,
                            "next": "https://evil.example/"}).expect(303)
    assert r.header("location") == "/t/52.71/dasbor", r.header("location")


def test_login_wrong_password_and_unknown_user_same_message(env):
    c = env.client()
    token = c.get(LOGIN).csrf()
    r1 = c.post_form(LOGIN, {"_csrf": token, "username": "admin", "password": "salah-sekali-123"})
    r1.expect(401, ctype="text/html")
    assert alert(r1) == [BAD_LOGIN], alert(r1)
    r2 = c.post_form(LOGIN, {"_csrf": token, "username": "tidak_ada_" + unique(), "password": "salah-sekali-123"})
    r2.expect(401)
    assert alert(r2) == alert(r1)
    assert "sigap_session" not in c.cookies
    # the username is kept in the form, escaped; the password never comes back
    r3 = c.post_form(LOGIN, {"_csrf": token, "username": '<b>"x', "password": "salah-sekali-123"}).expect(401)
    assert "<b>\"x" not in r3.text and "&lt;b&gt;" in r3.text, r3.text
    assert "salah-sekali-123" not in r3.text
    # empty fields
    r4 = c.post_form(LOGIN, {"_csrf": token, "username": "admin", "password": ""}).expect(400)
    assert alert(r4) == ["isi nama pengguna dan kata sandi"], alert(r4)
    # other tenants' users do not exist here
    user = new_user(env, tenant=TENANT2)
    r5 = c.post_form(LOGIN, {"_csrf": token, "username": user, "password": "rahasia-panjang-1"}).expect(401)
    assert alert(r5) == [BAD_LOGIN]


def test_lockout_after_five_failures(env):
    user = new_user(env)
    a = env.client()               # each client has its own address (X-Forwarded-For)
    token = a.get(LOGIN).csrf()
    statuses = []
    for _ in range(5):
        r = a.post_form(LOGIN, {"_csrf": token, "username": user, "password": "bukan-sandinya-1"})
        statuses.append(r.status)
    assert statuses == [401, 401, 401, 401, 429], statuses
    assert int(r.header("retry-after")) == 900, r.header("retry-after")
    assert "terlalu banyak percobaan masuk yang gagal" in alert(r)[0], alert(r)
    assert "coba lagi dalam 15 menit" in alert(r)[0], alert(r)   # how long, not "account locked"
    # now even the right password is refused, with a Retry-After
    r = a.post_form(LOGIN, {"_csrf": token, "username": user, "password": "rahasia-panjang-1"}).expect(429)
    assert 0 < int(r.header("retry-after")) <= 900, r.header("retry-after")
    # ... from another address too (the account is locked)
    b = env.client()
    r = b.post_form(LOGIN, {"_csrf": b.get(LOGIN).csrf(), "username": user, "password": "rahasia-panjang-1"})
    r.expect(429)
    assert "sigap_session" not in b.cookies
    # the address is not locked by one user's failures: the others behind it
    # (an office, a proxy) still sign in
    a.post_form(LOGIN, {"_csrf": token, "username": "warga", "password": DEMO_PASSWORD}).expect(303)
    # other users from other addresses are not affected
    env.client().login(TENANT, "warga")
    # the lockout is in the audit log
    rows = env.shared_db.sql("SELECT action, object FROM audit_log WHERE tenant = '52.71' AND action = 'auth.lockout'")
    assert (("auth.lockout", user) in [tuple(x) for x in rows]), rows


def test_shared_address_is_not_locked_by_a_few_users(env):
    """One office address: 12 failed sign-ins of 4 colleagues (3 each, none
    locked) do not lock out the others, with the default settings."""
    users = [new_user(env) for _ in range(4)]
    office = env.client()
    token = office.get(LOGIN).csrf()
    for user in users:
        for _ in range(3):
            r = office.post_form(LOGIN, {"_csrf": token, "username": user, "password": "bukan-sandinya-1"})
            assert r.status == 401, r.describe()
    colleague = env.client(ip=office.ip)     # another browser in the same office
    colleague.login(TENANT, users[0], "rahasia-panjang-1")


def test_address_lockout_at_its_own_limit(env):
    """login-max-failures-address: failures of many usernames from one
    address add up; at the limit the address is locked for everyone (429,
    audited), other addresses are not."""
    db = env.new_db()
    srv = env.start_server(db, args=["--login-max-failures-address", "7"])
    a = srv.client(ip="10.66.0.1")
    token = a.get(LOGIN).expect(200).csrf()
    statuses = []
    for i in range(7):
        r = a.post_form(LOGIN, {"_csrf": token, "username": "tamu%d" % (i // 2), "password": "bukan-sandinya-1"})
        statuses.append(r.status)
    assert statuses == [401] * 6 + [429], statuses
    assert int(r.header("retry-after")) == 900, r.header("retry-after")
    # now every user is refused from that address, even with the right password
    a.post_form(LOGIN, {"_csrf": token, "username": "warga", "password": DEMO_PASSWORD}).expect(429)
    srv.client(ip="10.66.0.2").login(TENANT, "warga")
    rows = db.sql("SELECT object FROM audit_log WHERE tenant = '52.71' AND action = 'auth.lockout'")
    assert [tuple(x) for x in rows] == [("address",)], rows


def test_address_from_the_proxy_not_the_client(env):
    """With trust-proxy, the address is what the proxy added (the rightmost
    entry of the last X-Forwarded-For line): a client that writes addresses
    into the header itself cannot spread its failures over made-up ones, nor
    get another address locked."""
    db = env.new_db()
    srv = env.start_server(db, args=["--login-max-failures-address", "3"])
    c = srv.client()
    token = c.get(LOGIN).expect(200).csrf()
    statuses = []
    for i, fake in enumerate(["1.1.1.1", "2.2.2.2, 3.3.3.3", "10.67.0.2"]):
        r = c.post_form(LOGIN, {"_csrf": token, "username": "tamu%d" % i, "password": "bukan-sandinya-1"},
                        headers={"X-Forwarded-For": fake + ", 10.67.0.1"})
        statuses.append(r.status)
    assert statuses == [401, 401, 429], statuses
    # 10.67.0.1 is locked, whatever it claims to be; 10.67.0.2 (only written by the client) is not
    r = c.post_form(LOGIN, {"_csrf": token, "username": "warga", "password": DEMO_PASSWORD},
                    headers={"X-Forwarded-For": "10.67.0.9, 10.67.0.1"})
    r.expect(429)
    srv.client(ip="10.67.0.2").login(TENANT, "warga")
    # haproxy adds its own line after the client's: the last line counts
    form = srv.client(ip="10.67.0.3").get(LOGIN)
    raw = ("POST %s HTTP/1.1\r\nHost: x\r\nCookie: %s\r\nX-Forwarded-For: 10.67.0.3\r\n"
           "X-Forwarded-For: 10.67.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
           "Content-Length: %d\r\nConnection: close\r\n\r\n%s")
    cookie = "; ".join("%s=%s" % kv for kv in c.cookies.items())
    body = "_csrf=%s&username=warga&password=%s" % (token, DEMO_PASSWORD)
    data = raw_request(srv.port, (raw % (LOGIN, cookie, len(body), body)).encode())
    assert raw_statuses(data) == [429], data[:300]
    assert form.status == 200
    srv.stop()


def test_csrf_missing_or_wrong_is_403(env):
    c = env.client()
    good = c.get(LOGIN).csrf()
    for fields in ({"username": "admin", "password": DEMO_PASSWORD},
                   {"_csrf": "0" * 64, "username": "admin", "password": DEMO_PASSWORD},
                   {"_csrf": good[:-1], "username": "admin", "password": DEMO_PASSWORD},
                   {"_csrf": "", "username": "admin", "password": DEMO_PASSWORD}):
        r = c.post_form(LOGIN, fields).expect(403, ctype="text/html")
        assert BAD_CSRF in r.text, r.text
    assert "sigap_session" not in c.cookies
    # the right token without its cookie (another browser) is refused
    other = env.client()
    other.post_form(LOGIN, {"_csrf": good, "username": "admin", "password": DEMO_PASSWORD}).expect(403)
    # with a session, the session's token is needed: the pre-login one is not enough
    c.login(TENANT, "admin")
    new = {"username": unique("c"), "full_name": "Uji CSRF", "role": "warga", "password": "rahasia-panjang-1"}
    c.post_form("/t/%s/admin/pengguna" % TENANT, dict(new, _csrf=good)).expect(403, contains=BAD_CSRF)
    c.post_form("/t/%s/admin/pengguna" % TENANT, new).expect(403, contains=BAD_CSRF)
    users = c.get("/t/%s/admin/pengguna" % TENANT).expect(200)
    assert new["username"] not in users.text
    # the token in a header works as well as the form field
    r = c.post_form("/t/%s/admin/pengguna" % TENANT, new, headers={"X-CSRF-Token": users.csrf()})
    r.expect(303)
    r = c.get(r.header("location")).expect(200)
    assert alert(r) == ["pengguna ditambahkan"], alert(r)
    # logging out needs the token too
    c.post_form("/t/%s/keluar" % TENANT, {}).expect(403)
    c.get("/t/%s/dasbor" % TENANT).expect(200)


def test_logout_ends_the_session(env):
    c = env.client()
    c.login(TENANT, "petugas")
    token = c.session_csrf(TENANT)
    old_cookie = c.cookies["sigap_session"]
    r = c.post_form("/t/%s/keluar" % TENANT, {"_csrf": token}).expect(303)
    assert r.header("location") == "/t/%s/" % TENANT
    cleared = [l for l in r.header_all("set-cookie") if l.startswith("sigap_session=")]
    assert cleared and cleared[0].startswith("sigap_session=;") and "Max-Age=0" in cleared[0], cleared
    assert "sigap_session" not in c.cookies
    # the old cookie no longer works anywhere
    c.cookies["sigap_session"] = old_cookie
    r = c.get("/t/%s/dasbor" % TENANT).expect(303)
    assert r.header("location").startswith("/t/%s/masuk" % TENANT)
    c.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401, code="unauthorized",
                                                       message="silakan masuk terlebih dahulu")
    # a logout without a session is harmless
    d = env.client()
    d.post_form("/t/%s/keluar" % TENANT, {"_csrf": d.get(LOGIN).csrf()}).expect(303)


def test_session_cookie_flags(env):
    c = env.client()
    r = c.login(TENANT, "warga")
    lines = [l for l in r.header_all("set-cookie") if l.startswith("sigap_session=")]
    assert len(lines) == 1, r.header_all("set-cookie")
    attrs = [a.strip() for a in lines[0].split(";")]
    token = attrs[0].split("=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{64}", token), token
    assert "HttpOnly" in attrs and "SameSite=Lax" in attrs and "Path=/" in attrs, attrs
    assert "Max-Age=28800" in attrs, attrs
    assert "Secure" not in attrs, attrs    # plain HTTP in this test
    # the token is not stored in clear in the database
    rows = env.shared_db.sql("SELECT COUNT(*) FROM sessions WHERE token_hash = '%s'" % token)
    assert int(rows[0][0]) == 0, rows
    # a garbage cookie is just anonymous
    d = env.client()
    d.cookies["sigap_session"] = "f" * 64
    d.get("/t/%s/dasbor" % TENANT).expect(303)


def test_role_permissions(env):
    w = env.client()
    w.login(TENANT, "warga")
    for path in ("/t/%s/admin/pengguna" % TENANT, "/t/%s/admin/audit" % TENANT):
        r = w.get(path).expect(403, ctype="text/html")
        assert FORBIDDEN in r.text, r.text
    r = w.post_form("/t/%s/admin/pengguna" % TENANT, {"_csrf": w.session_csrf(TENANT), "username": "x" + unique(),
                                                      "full_name": "X", "role": "admin", "password": "a" * 12})
    r.expect(403, contains=FORBIDDEN)
    d = w.get("/t/%s/dasbor" % TENANT).expect(200, contains="Baiq Nurul Aini")
    assert "/t/%s/admin/pengguna" % TENANT not in d.text      # no link to what warga may not open
    # the audit log: admin, sekda and kepala_daerah only
    for role, status in (("sekda", 200), ("kepala_daerah", 200), ("petugas", 403), ("dprd", 403),
                         ("koordinator", 403)):
        c = env.client()
        c.login(TENANT, role)
        assert c.get("/t/%s/admin/audit" % TENANT).status == status, role
        assert c.get("/t/%s/admin/pengguna" % TENANT).status == 403, role
    # anonymous: pages redirect to the login, the API says 401
    a = env.client()
    r = a.get("/t/%s/admin/pengguna" % TENANT).expect(303)
    assert r.header("location") == "/t/52.71/masuk?next=%2Ft%2F52.71%2Fadmin%2Fpengguna"
    a.post_form("/t/%s/admin/pengguna" % TENANT, {"_csrf": a.get(LOGIN).csrf(), "username": "zz"}).expect(401)
    a.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401, code="unauthorized")


def test_admin_lists_and_adds_users(env):
    c = env.client()
    c.login(TENANT, "admin")
    page = c.get("/t/%s/admin/pengguna" % TENANT).expect(200)
    for name in ("Baiq Nurul Aini", "Admin Sigap Mataram", "Dewi Anggraini"):
        assert name in page.text, name
    assert "Lalu Muhammad Fikri" not in page.text      # a user of tenant 52
    token = page.csrf()
    path = "/t/%s/admin/pengguna" % TENANT
    name = unique("baru")
    ok = {"_csrf": token, "username": name, "full_name": "Pengguna <Baru>", "role": "warga", "unit": "",
          "password": "sandi-awal-123"}
    r = c.post_form(path, ok).expect(303)
    assert r.header("location") == path + "?ok=tambah", r.header("location")
    r = c.get(r.header("location")).expect(200)
    assert alert(r) == ["pengguna ditambahkan"], alert(r)
    assert name in r.text and "Pengguna &lt;Baru&gt;" in r.text and "Pengguna <Baru>" not in r.text
    bad_cases = [
        ({"username": "Bad User"}, 400, "nama pengguna harus 3-64 karakter"),
        ({"username": "ab"}, 400, "nama pengguna harus 3-64 karakter"),
        ({"username": "a" * 65}, 400, "nama pengguna harus 3-64 karakter"),
        ({"full_name": ""}, 400, "nama lengkap wajib diisi"),
        ({"full_name": "x" * 121}, 400, "nama lengkap wajib diisi"),
        ({"role": "raja"}, 400, "peran tidak dikenal"),
        ({"role": "petugas"}, 400, "peran ini harus terikat pada satu OPD"),
        ({"role": "petugas", "unit": "TIDAK-ADA"}, 400, "OPD tidak dikenal"),
        ({"role": "warga", "unit": "DLH"}, 400, "peran ini tidak terikat pada OPD"),
        ({"role": "sekda", "unit": "DLH"}, 400, "peran ini tidak terikat pada OPD"),
        ({"role": "admin", "unit": "DISDUKCAPIL"}, 400, "peran ini tidak terikat pada OPD"),
        ({"password": "pendek"}, 400, "kata sandi minimal 10 karakter"),
        ({"password": "p" * 129}, 400, "kata sandi maksimal 128 karakter"),
        ({"username": name}, 409, "nama pengguna sudah dipakai"),
    ]
    for change, status, msg in bad_cases:
        fields = dict(ok, username=unique("b"))
        fields.update(change)
        r = c.post_form(path, fields).expect(status)
        assert len(alert(r)) == 1 and alert(r)[0].startswith(msg), (change, alert(r))
    # missing fields entirely
    r = c.post_form(path, {"_csrf": token}).expect(400)
    assert alert(r), r.text
    # a refused form keeps what was typed (escaped), except the password
    typed = unique("ketik")
    r = c.post_form(path, dict(ok, username=typed, full_name='Sekda "Baru"', role="sekda", unit="DLH")).expect(400)
    assert alert(r) == ["peran ini tidak terikat pada OPD"], alert(r)
    assert 'value="%s"' % typed in r.text and 'value="Sekda &quot;Baru&quot;"' in r.text, r.text
    assert '<option value="sekda" selected>' in r.text and '<option value="DLH" selected>' in r.text, r.text
    assert r.text.count(" selected>") == 2 and "sandi-awal-123" not in r.text
    assert typed not in c.get(path).text     # nothing was added
    # the new user can log in and is a warga
    n = env.client()
    n.login(TENANT, name, "sandi-awal-123")
    me = n.get("/api/v1/t/%s/me" % TENANT).expect(200).json()
    assert me["username"] == name and me["role"] == "warga" and me["name"] == "Pengguna <Baru>", me
    # a user with an OPD
    r = c.post_form(path, dict(ok, username=unique("p"), role="petugas", unit="DISDUKCAPIL")).expect(303)
    assert alert(c.get(r.header("location"))) == ["pengguna ditambahkan"]
    # the additions are audited
    audit = c.get("/t/%s/admin/audit" % TENANT).expect(200)
    assert "user.add" in audit.text and name in audit.text
    # what the number counts, said before it (it read "1 entries checked" on a new Pemda)
    assert re.search(r'id="chain-ok">Rantai hash utuh\. Entri log audit yang diperiksa: \d+\.<', audit.text), audit.text
    audit = c.get("/t/%s/admin/audit" % TENANT, headers={"Accept-Language": "en"}).expect(200)
    assert re.search(r'id="chain-ok">Hash chain intact\. Audit log entries checked: \d+\.<', audit.text), audit.text


def test_session_does_not_cross_tenants(env):
    c = env.client()
    c.login(TENANT, "admin")
    token = c.session_csrf(TENANT)
    r = c.get("/t/%s/admin/pengguna" % TENANT2).expect(303)
    assert r.header("location").startswith("/t/52/masuk"), r.header("location")
    r = c.get("/t/%s/dasbor" % TENANT2).expect(303)
    c.get("/api/v1/t/%s/me" % TENANT2).expect_json_error(401, code="unauthorized")
    name = unique("x")
    r = c.post_form("/t/%s/admin/pengguna" % TENANT2, {"_csrf": token, "username": name, "full_name": "X",
                                                        "role": "admin", "password": "rahasia-panjang-1"})
    assert r.status in (401, 403), r.describe()
    rows = env.shared_db.sql("SELECT COUNT(*) FROM users WHERE username = '%s'" % name)
    assert int(rows[0][0]) == 0, rows
    # the session still works at home
    c.get("/api/v1/t/%s/me" % TENANT).expect(200)
    # and the admin of 52 sees only 52's users
    d = env.client()
    d.login(TENANT2, "admin")
    page = d.get("/t/%s/admin/pengguna" % TENANT2).expect(200)
    assert "Lalu Muhammad Fikri" in page.text and "Baiq Nurul Aini" not in page.text


def test_password_change_flow(env):
    user = new_user(env, password="sandi-lama-123")
    c, other = env.client(), env.client()
    c.login(TENANT, user, "sandi-lama-123")
    other.login(TENANT, user, "sandi-lama-123")
    form = c.get("/t/%s/akun/sandi" % TENANT).expect(200, contains='action="/t/52.71/akun/sandi"')
    token = form.csrf()
    path = "/t/%s/akun/sandi" % TENANT
    cases = [
        ({"old": "sandi-salah-99", "new": "sandi-baru-456", "confirm": "sandi-baru-456"}, 403, "kata sandi lama salah"),
        ({"old": "sandi-lama-123", "new": "sandi-baru-456", "confirm": "sandi-baru-457"}, 400,
         "konfirmasi kata sandi tidak sama"),
        ({"old": "sandi-lama-123", "new": "pendek", "confirm": "pendek"}, 400, "kata sandi minimal 10 karakter"),
        ({"old": "sandi-lama-123", "new": "sandi-baru-456"}, 400, "semua kolom wajib diisi"),
        ({"old": "sandi-lama-123", "new": "sandi-lama-123", "confirm": "sandi-lama-123"}, 400,
         "kata sandi baru harus berbeda dari kata sandi lama"),
    ]
    for fields, status, msg in cases:
        r = c.post_form(path, dict(fields, _csrf=token)).expect(status)
        assert alert(r) == [msg], (fields, alert(r))
    # none of them ended the session
    c.get("/t/%s/dasbor" % TENANT).expect(200)
    c.post_form(path, {"old": "sandi-lama-123", "new": "sandi-baru-456", "confirm": "sandi-baru-456"}).expect(403)
    r = c.post_form(path, {"_csrf": token, "old": "sandi-lama-123", "new": "sandi-baru-456",
                           "confirm": "sandi-baru-456"}).expect(303)
    assert r.header("location") == "/t/%s/masuk?changed=1" % TENANT, r.header("location")
    assert "sigap_session" not in c.cookies
    # every session of the user ended, the other browser's too
    other.get("/t/%s/dasbor" % TENANT).expect(303)
    other.get("/api/v1/t/%s/me" % TENANT).expect(401)
    # the old password is gone, the new one works
    env.client().login(TENANT, user, "sandi-lama-123", expect=401)
    env.client().login(TENANT, user, "sandi-baru-456")
    # anonymous visitors get the login page
    r = env.client().get(path).expect(303)
    assert r.header("location").startswith("/t/%s/masuk?next=" % TENANT)


def test_api_key_from_cli(env):
    p = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "test", "--role", "admin"], db=env.shared_db)
    key = p.stdout.strip()
    assert re.fullmatch(r"sgp_[0-9a-f]{12}_[0-9a-f]{64}", key), p.stdout
    assert "shown only once" in p.stderr, p.stderr
    c = env.client()
    me = c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + key}).expect(200).json()
    assert me["auth"] == "apikey" and me["role"] == "admin" and me["tenant"] == TENANT, me
    assert me["username"] == "apikey:" + key[4:16] and me["name"] == "test", me
    c.get("/api/v1/t/%s/me" % TENANT, headers={"X-API-Key": key}).expect(200)
    # no session cookie is made for an API key
    assert "sigap_session" not in c.cookies
    # the key works in its tenant only
    c.get("/api/v1/t/%s/me" % TENANT2, headers={"Authorization": "Bearer " + key}).expect_json_error(401)
    # a wrong secret with the right prefix, or a malformed key, is refused
    wrong = key[:-1] + ("0" if key[-1] != "0" else "1")
    c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + wrong}).expect_json_error(401)
    c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer sgp_x"}).expect_json_error(401)
    # with a key, form POSTs need no CSRF token (no cookies are involved)
    name = unique("k")
    r = c.post_form("/t/%s/admin/pengguna" % TENANT, {"username": name, "full_name": "Lewat API",
                                                      "role": "warga", "password": "rahasia-panjang-1"},
                    headers={"Authorization": "Bearer " + key}).expect(303)
    assert r.header("location").endswith("/admin/pengguna?ok=tambah"), r.header("location")
    # a warga key cannot manage users
    wk = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "warga-key", "--role", "warga"],
                     db=env.shared_db).stdout.strip()
    assert c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + wk}).json()["role"] == "warga"
    c.get("/t/%s/admin/pengguna" % TENANT, headers={"Authorization": "Bearer " + wk}).expect(403)
    # revoked by prefix: refused at once
    p = check_sigap(["apikey", "revoke", "--tenant", TENANT, key[4:16]], db=env.shared_db)
    assert "revoked" in p.stdout, p.stdout
    c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + key}).expect_json_error(
        401, code="unauthorized")
    # revoking again fails with a message; the whole key is accepted as well
    p = env.sigap(["apikey", "revoke", "--tenant", TENANT, key], db=env.shared_db)
    assert p.returncode == 1 and "no active API key" in p.stderr, (p.returncode, p.stderr)
    p = env.sigap(["apikey", "create", "--tenant", "99.99", "--name", "x"], db=env.shared_db)
    assert p.returncode == 1 and "unknown tenant" in p.stderr, (p.returncode, p.stderr)
    p = env.sigap(["apikey", "create", "--tenant", TENANT, "--name", "x", "--role", "raja"], db=env.shared_db)
    assert p.returncode == 1 and "unknown role" in p.stderr, (p.returncode, p.stderr)


def test_api_key_default_role_is_warga(env):
    """Least privilege: without --role a key is a citizen's, which is enough
    for Open311 reports but not for managing users."""
    p = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "open311-app"], db=env.shared_db)
    key = p.stdout.strip()
    assert "created with role warga" in p.stderr, p.stderr
    c = env.client()
    h = {"Authorization": "Bearer " + key}
    me = c.get("/api/v1/t/%s/me" % TENANT, headers=h).expect(200).json()
    assert me["role"] == "warga" and me["unit"] == "" and me["auth"] == "apikey", me
    c.get("/t/%s/admin/pengguna" % TENANT, headers=h).expect(403)
    r = c.post_form("/open311/v2/requests.json", {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921", "long": "116.0893",
        "description": "Sampah menumpuk di depan pasar, uji kunci warga"})
    assert r.status == 200 and r.json()[0]["service_request_id"], r.describe()


def test_api_key_of_an_opd_role_is_scoped_to_its_opd(env):
    def create(*extra):
        return env.sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("opd")] + list(extra),
                         db=env.shared_db)

    # an OPD role needs --unit, of an OPD of the tenant; other roles take none
    for args, msg in ((["--role", "kepala_opd"], "an API key with role 'kepala_opd' belongs to one OPD: give --unit"),
                      (["--role", "petugas", "--unit", ""], "belongs to one OPD: give --unit"),
                      (["--role", "admin_opd", "--unit", "TIDAK-ADA"], "unknown OPD 'TIDAK-ADA' in '52.71'"),
                      (["--role", "warga", "--unit", "DLH"], "role 'warga' has no OPD: leave out --unit"),
                      (["--role", "admin", "--unit", "DLH"], "role 'admin' has no OPD: leave out --unit")):
        p = create(*args)
        assert p.returncode == 1 and msg in p.stderr, (args, p.returncode, p.stderr)
    p = env.sigap(["apikey", "create", "--tenant", TENANT2, "--name", "x", "--role", "petugas", "--unit", "DLH"],
                  db=env.shared_db)
    assert p.returncode == 1 and "unknown OPD 'DLH' in '52'" in p.stderr, p.stderr
    # a kepala_opd key sees its own OPD's performance, not the whole tenant's
    p = create("--role", "kepala_opd", "--unit", "DISDUKCAPIL")
    assert p.returncode == 0 and "for OPD DISDUKCAPIL" in p.stderr, p.stderr
    h = {"Authorization": "Bearer " + p.stdout.strip()}
    c = env.client()
    me = c.get("/api/v1/t/%s/me" % TENANT, headers=h).expect(200).json()
    assert me["role"] == "kepala_opd" and me["unit"] == "DISDUKCAPIL", me
    j = c.get("/api/v1/t/%s/kinerja" % TENANT, headers=h).expect(200).json()
    assert j["unit"] == "DISDUKCAPIL", j.get("unit")
    c.get("/api/v1/t/%s/kinerja?opd=DLH" % TENANT, headers=h).expect_json_error(403)
    # a key of an OPD role left without its OPD (made before keys had one) is refused
    p = create("--role", "petugas", "--unit", "DLH")
    old = p.stdout.strip()
    env.shared_db.sql("UPDATE api_keys SET unit = NULL WHERE prefix = '%s'" % old[4:16])
    c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + old}).expect_json_error(401)


def test_login_burst_beyond_the_compute_queue_gets_503(env):
    """Password hashing runs on compute threads with a bounded queue: with one
    thread and one waiting place, a burst of sign-ins gets some 303s and, for
    the rest, a clean 503 with Retry-After; nothing half-done is stored (one
    session per 303, no failure counted against the user), and the server signs
    people in normally afterwards."""
    import threading
    db = env.new_db()
    srv = env.start_server(db, args=["--threads", "1", "--compute-threads", "1", "--compute-queue", "1"])
    n = 12
    clients = [srv.client(ip="10.77.0.%d" % (i + 1)) for i in range(n)]
    tokens = [c.get(LOGIN).expect(200).csrf() for c in clients]
    results = [None] * n
    go = threading.Barrier(n)

    def run(i):
        go.wait()
        results[i] = clients[i].post_form(LOGIN, {"_csrf": tokens[i], "username": "petugas",
                                                  "password": DEMO_PASSWORD})

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    statuses = sorted(r.status for r in results)
    assert set(statuses) <= {303, 503}, [r.describe() for r in results]
    ok = [r for r in results if r.status == 303]
    busy = [r for r in results if r.status == 503]
    assert ok and busy, statuses
    for r in busy:
        assert r.header("retry-after"), r.describe()
        assert "layanan sedang tidak tersedia" in r.text, r.text[:300]
    for r in ok:
        assert r.header("location") == "/t/%s/dasbor" % TENANT, r.describe()
    sessions = db.sql("SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                      "WHERE u.tenant = '%s' AND u.username = 'petugas'" % TENANT)
    assert int(sessions[0][0]) == len(ok), (sessions, statuses)
    # the refused ones were not counted as failed sign-ins (no lockout)
    fails = db.sql("SELECT COUNT(*) FROM login_attempts")
    assert int(fails[0][0]) == 0, fails
    # the queue drained: a sign-in now simply works, and so does a password form
    c = srv.client(ip="10.77.1.1")
    c.login(TENANT, "petugas")
    c.get("/t/%s/dasbor" % TENANT).expect(200)


def test_next_never_splits_a_header_or_leaves_the_site(env):
    """next goes into the Location header: a CR/LF in it must not add a header (a cookie set by a
    link), a tab must not make "/\\t/evil" into "//evil"; such a next is dropped."""
    c = env.client(ip="10.68.0.1")
    for bad in ("%2F%0D%0ASet-Cookie:%20x=y", "%2F%0ASet-Cookie:%20x=y", "%2F%09%2Fevil.example%2Fx",
                "%2F%5Cevil.example", "%2F%C3%A9"):
        r = c.get("/bahasa/en?next=" + bad).expect(303)
        assert r.header("location") == "/", (bad, r.header("location"))
        assert not [h for h in r.header_all("set-cookie") if h.startswith("x=")], r.headers
        # the sign-in form does not carry it, nor does the POST use it
        form = c.get(LOGIN + "?next=" + bad).expect(200)
        assert 'name="next" value=""' in form.text, (bad, form.text[-1200:])
    form = c.get(LOGIN).expect(200)
    r = c.post_form(LOGIN, {"_csrf": form.csrf(), "username": "warga", "password": DEMO_PASSWORD,
                            "next": "/t/52.71/\r\nSet-Cookie: sigap_session=abc"}).expect(303)
    assert r.header("location") == "/t/%s/dasbor" % TENANT, r.header("location")
    assert [h for h in r.header_all("set-cookie") if h.startswith("sigap_session=")][0] != "sigap_session=abc"


def test_username_typed_with_capitals_or_spaces(env):
    """Usernames are lower case; a phone keyboard's capital letter or a suggestion's trailing
    space must not turn a right name into 'wrong password'."""
    c = env.client(ip="10.69.0.1")
    c.login(TENANT, " Warga ")
    assert 'autocapitalize="none"' in env.client().get(LOGIN).text


def test_form_after_the_session_ended_says_so(env):
    """A form sent after its session ended (expired, or ended elsewhere) is not blamed on the
    form's token: the answer is the sign-in page saying the session ended."""
    db = env.new_db()
    srv = env.start_server(db)
    c = srv.client(ip="10.69.0.2")
    c.login(TENANT, "warga")
    token = c.session_csrf(TENANT)
    db.sql("DELETE FROM sessions")
    r = c.post_form("/t/%s/akun/sandi" % TENANT, {"_csrf": token, "old": "x", "new": "y", "confirm": "y"})
    r.expect(303)
    assert r.header("location") == "/t/%s/masuk?berakhir=1" % TENANT
    c.get(r.header("location")).expect(200, contains="Sesi Anda sudah berakhir")
    # without any session a bad token is still the form's fault
    env.client().post_form("/t/%s/keluar" % TENANT, {"_csrf": "0" * 64}).expect(403)
    srv.stop()


def test_language_switch_keeps_the_query(env):
    c = env.client()
    page = c.get(LOGIN + "?next=%2Ft%2F52.71%2Flayanan%2Fkia%2Fajukan").expect(200)
    m = re.search(r'href="/bahasa/en\?next=([^"]+)"', page.text)
    assert m, page.text[-1500:]
    r = c.get("/bahasa/en?next=" + m.group(1)).expect(303)
    assert r.header("location") == LOGIN + "?next=%2Ft%2F52.71%2Flayanan%2Fkia%2Fajukan", r.header("location")
