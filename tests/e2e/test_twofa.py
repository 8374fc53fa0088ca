"""
test_twofa.py: two-step sign-in for officials (src/auth/twofa.h) against a
running server with the default policy (--two-factor-roles officials): the
enrolment an official is sent to, what a half-made session may and may not
do, the code step with replay refusal, recovery codes, the lockout, an
administrator's reset from the CLI, a citizen who turns it on and off by
choice, and a bad policy at start-up.

Codes are computed here from the secret the page shows, as an
authenticator app does (RFC 6238: HMAC-SHA1, 6 digits, 30 s).
"""
import base64
import hashlib
import html
import hmac
import re
import struct
import time
import urllib.parse

from harness import DEMO_PASSWORD, TENANT, check_sigap, run_sigap, unique

ENROL = "/t/%s/akun/dua-langkah" % TENANT
CODE = "/t/%s/masuk/kode" % TENANT
DASH = "/t/%s/dasbor" % TENANT


def totp(secret, at=None):
    key = base64.b32decode(secret.replace(" ", ""))
    counter = int((time.time() if at is None else at) // 30)
    h = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = h[-1] & 15
    n = struct.unpack(">I", h[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (n % 1000000)


def alerts(r):
    return re.findall(r'<p class="(?:alert|notice)"[^>]*>([^<]*)</p>', r.text)


def secret_of(page):
    m = re.search(r'<code class="secret">((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})</code>', page.text)
    assert m, "no secret in the enrolment page: %s" % page.text[:1500]
    return m.group(1).replace(" ", "")


def recovery_codes(page):
    return re.findall(r"<li><code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{2})</code></li>", page.text)


def n(srv, query):
    """One number from the server's database (either backend)."""
    return int(srv.db.sql(query)[0][0])


def server(env):
    """A server with the default policy, on its own database."""
    return env.start_server(env.new_db(), args=["--two-factor-roles", "officials"])


def password_step(c, username, expect_location):
    form = c.get("/t/%s/masuk" % TENANT).expect(200)
    r = c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": username, "password": DEMO_PASSWORD})
    r.expect(303)
    assert r.header("location") == expect_location, r.header("location")
    assert "sigap_session" in c.cookies
    return r


def enrol(c):
    """Sets up the second factor from the enrolment page; returns (secret, codes, time used)."""
    page = c.get(ENROL).expect(200)
    secret = secret_of(page)
    at = time.time()
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "aktifkan", "code": totp(secret, at)})
    r.expect(200, contains="Verifikasi dua langkah aktif")
    codes = recovery_codes(r)
    assert len(codes) == 10 and len(set(codes)) == 10, codes
    return secret, codes, at


def test_half_signed_in_visitor_can_still_file_a_complaint(env):
    """Someone who stopped at the code page is anonymous everywhere else: the public complaint
    form works for them (its token is the half session's), and the header offers Keluar."""
    srv = server(env)
    c = srv.client(ip="10.25.0.1")
    password_step(c, "sekda", ENROL)
    form = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    assert 'action="/t/52.71/keluar"' in form.text          # a visible way out
    boundary = "x-sigap-uji"
    fields = [("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Lampu jalan mati"),
              ("description", "Lampu jalan di depan kantor pos mati sejak tiga malam"), ("category", "pju"),
              ("identity", "anonim"), ("address", "Jl. Langko")]
    body = "".join('--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n' % (boundary, k, v)
                   for k, v in fields) + "--%s--\r\n" % boundary
    r = c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
                  headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    assert r.status == 303, (r.status, r.text[:500])
    srv.stop()


def test_official_is_sent_to_enrol_first(env):
    srv = server(env)
    c = srv.client(ip="10.20.0.1")
    password_step(c, "sekda", ENROL)
    # half a session: nothing else opens, pages come back here, the API says 401
    r = c.get(DASH).expect(303)
    assert r.header("location") == ENROL + "?next=" + urllib.parse.quote(DASH, safe=""), r.header("location")
    c.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401)
    c.get("/t/%s/usulan" % TENANT).expect(303)
    page = c.get(ENROL).expect(200, contains="wajib memakai verifikasi dua langkah")
    assert page.header("cache-control") == "no-store"
    # a QR code as an image (data: URI, allowed by the CSP), the otpauth link for an app on this
    # phone, and the secret typed in groups of four; the same secret when the page comes again
    assert re.search(r'<img class="qr" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"', page.text), page.text[:2000]
    secret = secret_of(page)
    assert 'href="otpauth://totp/sigap%20Kota%20Mataram%3Asekda?secret=' + secret in html.unescape(page.text)
    assert secret_of(c.get(ENROL).expect(200)) == secret
    # the form needs its CSRF token
    c.post_form(ENROL, {"action": "aktifkan", "code": totp(secret)}).expect(403)
    # a wrong code: 401, the same secret offered again (no new scan), nothing stored
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "aktifkan", "code": "12345"})
    r.expect(400, contains="kode terdiri dari 6 angka")
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "aktifkan",
                            "code": "%06d" % ((int(totp(secret)) + 1) % 1000000)})
    r.expect(401, contains="kode salah")
    assert secret_of(r) == secret
    # a secret of one's own choosing (all zeros) sent with the form is not taken
    weak = "A" * 32
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "aktifkan", "secret": weak, "code": totp(weak)})
    r.expect(401)
    assert n(srv, "SELECT COUNT(*) FROM users WHERE tenant = '52.71' AND username = 'sekda' "
             "AND totp_enabled_at IS NOT NULL") == 0
    # the right code: on, the codes shown once (only their hashes stored), the session whole
    # under a new token; the half session's token opens nothing
    half = c.cookies["sigap_session"]
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "aktifkan", "code": totp(secret)})
    r.expect(200, contains="Verifikasi dua langkah aktif")
    assert c.cookies["sigap_session"] != half
    thief = srv.client(ip="10.20.0.9")
    thief.cookies["sigap_session"] = half
    thief.get(DASH).expect(303)
    thief.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401)
    codes = recovery_codes(r)
    assert len(codes) == 10
    stored = [row[0] for row in srv.db.sql("SELECT code_hash FROM user_recovery_codes")]
    assert len(stored) == 10 and not set(codes) & set(stored)
    # the answer's forms carry the new session's CSRF token: new recovery codes from it work
    r2 = c.post_form(ENROL, {"_csrf": r.csrf(), "action": "kode-baru", "code": totp(secret, time.time() + 30)})
    r2.expect(200, contains="Kode pemulihan baru dibuat")
    codes = recovery_codes(r2)
    c.get(DASH).expect(200, contains="Dasbor")
    c.get("/api/v1/t/%s/me" % TENANT).expect(200)
    # the account page now tells what is set up; the role may not turn it off
    page = c.get(ENROL).expect(200, contains="Sisa kode pemulihan:")
    assert 'value="matikan"' not in page.text and "tidak bisa dimatikan" in page.text
    # a citizen is not asked
    w = srv.client(ip="10.20.0.2")
    password_step(w, "warga", DASH)
    # the audit log has the enrolment, and no secret
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.enable' AND object = 'sekda'") == 1
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE summary LIKE '%%%s%%'" % secret) == 0
    srv.stop()


def test_code_step_replay_recovery_and_lockout(env):
    srv = server(env)
    c = srv.client(ip="10.21.0.1")
    password_step(c, "wakil", ENROL)
    secret, codes, at = enrol(c)
    r = c.post_form("/t/%s/keluar" % TENANT, {"_csrf": c.get(ENROL).csrf()}).expect(303)

    # the password now leads to the code page; nothing else opens meanwhile
    password_step(c, "wakil", CODE)
    r = c.get(DASH).expect(303)
    assert r.header("location").startswith(CODE + "?next="), r.header("location")
    c.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401)
    # the login form sends a half-signed-in user back to the code
    r = c.get("/t/%s/masuk" % TENANT).expect(303)
    assert r.header("location") == CODE
    page = c.get(CODE).expect(200, contains='autocomplete="one-time-code"')
    c.post_form(CODE, {"code": totp(secret)}).expect(403)  # no CSRF token
    c.post_form(CODE, {"_csrf": page.csrf(), "code": ""}).expect(400)
    # the enrolment's code again: within its window, but already used
    c.post_form(CODE, {"_csrf": page.csrf(), "code": totp(secret, at)}).expect(401, contains="sudah dipakai")
    # the next one, typed with a space, opens the dashboard (and next is kept)
    nxt = totp(secret, time.time() + 30)
    half = c.cookies["sigap_session"]
    r = c.post_form(CODE, {"_csrf": page.csrf(), "code": nxt[:3] + " " + nxt[3:], "next": "/t/52.71/usulan"})
    r.expect(303)
    assert r.header("location") == "/t/52.71/usulan"
    c.get(DASH).expect(200)
    # the whole session has a new token: the half session's token (seen on a shared
    # computer, say) opens nothing
    assert c.cookies["sigap_session"] != half
    thief = srv.client(ip="10.21.0.9")
    thief.cookies["sigap_session"] = half
    thief.get(DASH).expect(303)
    assert n(srv, "SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE tenant = '52.71' "
             "AND username = 'wakil')") == 1
    c.post_form("/t/%s/keluar" % TENANT, {"_csrf": c.session_csrf(TENANT)}).expect(303)

    # a recovery code, once; the account page says how many are left
    password_step(c, "wakil", CODE)
    page = c.get(CODE).expect(200)
    r = c.post_form(CODE, {"_csrf": page.csrf(), "code": codes[0].upper()}).expect(303)
    assert r.header("location") == ENROL + "?pemulihan=9", r.header("location")
    c.get(r.header("location")).expect(200, contains="sisa 9 kode")
    c.post_form("/t/%s/keluar" % TENANT, {"_csrf": c.session_csrf(TENANT)}).expect(303)
    password_step(c, "wakil", CODE)
    page = c.get(CODE).expect(200)
    c.post_form(CODE, {"_csrf": page.csrf(), "code": codes[0]}).expect(401)

    # wrong codes: the fifth (login-max-failures, default 5) locks the second step, with Retry-After
    for i in range(3):
        r = c.post_form(CODE, {"_csrf": page.csrf(), "code": "99999%d" % i})
        r.expect(401)
    r = c.post_form(CODE, {"_csrf": page.csrf(), "code": "888888"}).expect(429, contains="coba lagi dalam")
    assert int(r.header("retry-after")) > 0
    # while locked, even a right code is refused
    c.post_form(CODE, {"_csrf": page.csrf(), "code": codes[1]}).expect(429)
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = '2fa:wakil'") == 1
    # the sign-in of other officials is not held
    k = srv.client(ip="10.21.0.2")
    password_step(k, "kepala_daerah", ENROL)
    srv.stop()


def test_admin_reset_from_cli(env):
    srv = server(env)
    c = srv.client(ip="10.22.0.1")
    password_step(c, "koordinator", ENROL)
    enrol(c)
    c.get(DASH).expect(200)
    # the phone is lost, and the recovery codes with it
    out = check_sigap(["user", "2fa-reset", "--tenant", TENANT, "--username", "koordinator"], db=srv.db).stdout
    assert "second factor removed" in out, out
    # every session ended; the next sign-in sets one up again
    r = c.get(DASH).expect(303)
    assert r.header("location").startswith("/t/%s/masuk" % TENANT)
    password_step(c, "koordinator", ENROL)
    c.get(ENROL).expect(200, contains='class="secret"')
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.reset' AND object = 'koordinator'") == 1
    p = run_sigap(["user", "2fa-reset", "--tenant", TENANT, "--username", "nobody"], db=srv.db)
    assert p.returncode == 1 and "no such user" in p.stderr, (p.returncode, p.stderr)
    # a user without a second factor: nothing changes, nothing is audited, sessions stay
    w = srv.client(ip="10.22.0.2")
    password_step(w, "warga", DASH)
    out = check_sigap(["user", "2fa-reset", "--tenant", TENANT, "--username", "warga"], db=srv.db).stdout
    assert "nothing changed" in out, out
    w.get(DASH).expect(200)
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.reset' AND object = 'warga'") == 0
    srv.stop()


def test_citizen_turns_it_on_and_off(env):
    # the shared server (policy none): anyone may choose it
    name = unique("w2fa")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", "Warga Hati-hati",
                 "--role", "warga"], db=env.shared_db, input="rahasia-panjang-1\n")
    c = env.client(ip="10.23.0.1")
    c.login(TENANT, name, password="rahasia-panjang-1")
    page = c.get(ENROL).expect(200, contains='value="aktifkan"')
    assert "wajib" not in page.text
    secret, codes, at = enrol(c)
    # a second browser signs in with the code
    d = env.client(ip="10.23.0.2")
    form = d.get("/t/%s/masuk" % TENANT).expect(200)
    r = d.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": name, "password": "rahasia-panjang-1"})
    assert r.status == 303 and r.header("location") == CODE, (r.status, r.header("location"))
    page = d.get(CODE).expect(200)
    d.post_form(CODE, {"_csrf": page.csrf(), "code": totp(secret, time.time() + 30)}).expect(303)
    d.get(DASH).expect(200)
    # new recovery codes need a code; the old ones stop working
    page = c.get(ENROL).expect(200, contains='value="kode-baru"')
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "kode-baru", "code": codes[5]})
    r.expect(200, contains="Kode pemulihan baru dibuat")
    fresh = recovery_codes(r)
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    # turning it off needs a code too, and ends the other sessions
    page = c.get(ENROL).expect(200, contains='value="matikan"')
    c.post_form(ENROL, {"_csrf": page.csrf(), "action": "matikan", "code": "000000x"}).expect(401)
    r = c.post_form(ENROL, {"_csrf": page.csrf(), "action": "matikan", "code": fresh[0]})
    r.expect(200, contains="Verifikasi dua langkah dimatikan")
    d.get(DASH).expect(303)
    c.get(DASH).expect(200)
    c.get(ENROL).expect(200, contains='value="aktifkan"')
    # an unknown action
    page = c.get(ENROL).expect(200)
    c.post_form(ENROL, {"_csrf": page.csrf(), "action": "hapus", "code": "123456"}).expect(400)
    # anonymous visitors are sent to sign in
    r = env.client().get(ENROL).expect(303)
    assert r.header("location").startswith("/t/%s/masuk?next=" % TENANT)


def test_bad_policy_at_start(env):
    p = run_sigap(["serve", "--listen", "127.0.0.1:0", "--two-factor-roles", "sekda,bupati"], db=env.shared_db)
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert "two-factor-roles" in p.stderr and "bupati" in p.stderr, p.stderr
    # an empty value (a blank config line) must not switch it off unnoticed
    p = run_sigap(["serve", "--listen", "127.0.0.1:0", "--two-factor-roles", ""], db=env.shared_db)
    assert p.returncode == 1 and "empty" in p.stderr, (p.returncode, p.stderr)


def test_admin_resets_from_the_web(env):
    srv = server(env)
    k = srv.client(ip="10.24.0.1")
    password_step(k, "kepala_opd", ENROL)
    enrol(k)
    k.get(DASH).expect(200)
    # the administrator signs in (two steps as well) and opens the user's page
    a = srv.client(ip="10.24.0.2")
    password_step(a, "admin", ENROL)
    enrol(a)
    page = a.get("/t/%s/admin/pengguna/kepala_opd" % TENANT).expect(200, contains="Sisa kode pemulihan:")
    # the button leads to a question first; its form does the reset
    assert 'href="/t/52.71/admin/pengguna/kepala_opd/dua-langkah"' in page.text
    conf = a.get("/t/%s/admin/pengguna/kepala_opd/dua-langkah" % TENANT).expect(
        200, contains="Atur ulang verifikasi dua langkah pengguna ini?")
    assert 'action="/t/52.71/admin/pengguna/kepala_opd/dua-langkah"' in conf.text
    assert n(srv, "SELECT COUNT(*) FROM users WHERE username = 'kepala_opd' AND totp_enabled_at IS NOT NULL") == 1
    # not without the form's token
    a.post_form("/t/%s/admin/pengguna/kepala_opd/dua-langkah" % TENANT, {}).expect(403)
    r = a.post_form("/t/%s/admin/pengguna/kepala_opd/dua-langkah" % TENANT, {"_csrf": conf.csrf()}).expect(303)
    a.get(r.header("location")).expect(200, contains="diatur ulang")
    # the user's sessions ended; signing in asks for a new one
    k.get(DASH).expect(303)
    password_step(k, "kepala_opd", ENROL)
    # with nothing left to reset, the question's address goes back to the user's page
    r = a.get("/t/%s/admin/pengguna/kepala_opd/dua-langkah" % TENANT).expect(303)
    assert r.header("location") == "/t/52.71/admin/pengguna/kepala_opd", r.header("location")
    assert n(srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.2fa.reset' AND actor = 'admin' "
                  "AND object = 'kepala_opd'") == 1
    # not one's own (that is what recovery codes are for), and not by other roles
    own = a.get("/t/%s/admin/pengguna/admin" % TENANT).expect(200)
    assert "/admin/pengguna/admin/dua-langkah" not in own.text
    a.post_form("/t/%s/admin/pengguna/admin/dua-langkah" % TENANT, {"_csrf": own.csrf()}).expect(403)
    unknown = a.post_form("/t/%s/admin/pengguna/nobody/dua-langkah" % TENANT, {"_csrf": own.csrf()})
    unknown.expect(404)
    s = srv.client(ip="10.24.0.3")
    password_step(s, "sekda", ENROL)
    enrol(s)
    s.post_form("/t/%s/admin/pengguna/kepala_opd/dua-langkah" % TENANT, {"_csrf": s.session_csrf(TENANT)}).expect(403)
    srv.stop()
