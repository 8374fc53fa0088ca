"""
test_races.py: decisions that must still hold when the write commits, tried
with requests sent at the same moment (threads released together by a
barrier, each on its own connection). A limit read before the write
transaction is passed by every request in flight, since none of them has
committed yet; the server must decide again inside the transaction. Covered:
the sign-in lockout (password guesses), the lockout of the second step's
codes, the signing-key passphrase lockout, the per-address limit of
self-registration, the limits on password-reset links (per account and
per address), and a refusal whose commit is shared with other writes.
"""
import re
import threading

from harness import DEMO_PASSWORD, TENANT, check_sigap, unique, wait_for

BASE = "/t/%s" % TENANT
N = 12


def together(n, prepare, send):
    """prepare(i) for every i first (pages, tokens), then send(i, prepared) from n threads
    released at once; returns the responses in order of i."""
    ready = [prepare(i) for i in range(n)]
    out = [None] * n
    errors = []
    gate = threading.Barrier(n)

    def one(i):
        try:
            gate.wait()
            out[i] = send(i, ready[i])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return out


def statuses(rs):
    return sorted(r.status for r in rs)


def count(db, query):
    return int(db.sql(query)[0][0])


def test_password_guesses_sent_together_keep_the_lockout(env):
    """login-max-failures = 3: of wrong passwords sent together for one account (each from its
    own address), two are told "wrong" and the third locks; every other one is held (429) and
    not counted again, exactly as when they come one after another. Before, every guess in
    flight had passed the lockout's read and was judged: a burst tried any number of passwords."""
    db = env.new_db()
    srv = env.start_server(db, args=["--login-max-failures", "3"])
    name = unique("tebak")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", "Warga Tebak", "--role", "warga"],
                db=db, input=DEMO_PASSWORD + "\n")

    def prepare(i):
        c = srv.client()
        return c, c.get(BASE + "/masuk").expect(200).csrf()

    def send(i, p):
        c, csrf = p
        return c.post_form(BASE + "/masuk", {"_csrf": csrf, "username": name, "password": "salah-tebak-%02d" % i})

    rs = together(N, prepare, send)
    codes = statuses(rs)
    assert codes.count(401) == 2 and codes.count(429) == N - 2, codes
    for r in rs:
        if r.status == 429:
            r.expect(429, contains="coba lagi dalam")
            assert int(r.header("retry-after")) > 0
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = '%s'" % name) == 1
    # the right password is held too until the lockout ends
    srv.client().login(TENANT, name, expect=429)
    srv.stop()


def totp(secret, at):
    import base64
    import hashlib
    import hmac
    import struct
    key = base64.b32decode(secret)
    h = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    off = h[-1] & 15
    return "%06d" % ((struct.unpack(">I", h[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def test_second_step_codes_sent_together_keep_the_lockout(env):
    """The second step's wrong codes share the sign-in limit (3 here): of wrong codes sent
    together on one half-made session, two are told "wrong", the third locks, the rest are held
    (429). Before, all of them passed the lockout's read: a burst tried that many codes."""
    import time
    db = env.new_db()
    srv = env.start_server(db, args=["--two-factor-roles", "officials", "--login-max-failures", "3"])
    c = srv.client()
    form = c.get(BASE + "/masuk").expect(200)
    r = c.post_form(BASE + "/masuk", {"_csrf": form.csrf(), "username": "wakil", "password": DEMO_PASSWORD})
    enrol = BASE + "/akun/dua-langkah"
    assert r.expect(303).header("location") == enrol, r.header("location")
    page = c.get(enrol).expect(200)
    m = re.search(r'<code class="secret">((?:[A-Z2-7]{4} ){7}[A-Z2-7]{4})</code>', page.text)
    assert m, page.text[:1500]
    secret = m.group(1).replace(" ", "")
    c.post_form(enrol, {"_csrf": page.csrf(), "action": "aktifkan", "code": totp(secret, time.time())}).expect(200)
    c.post_form(BASE + "/keluar", {"_csrf": c.session_csrf(TENANT)}).expect(303)
    form = c.get(BASE + "/masuk").expect(200)
    r = c.post_form(BASE + "/masuk", {"_csrf": form.csrf(), "username": "wakil", "password": DEMO_PASSWORD})
    r.expect(303)
    assert r.header("location") == BASE + "/masuk/kode", r.header("location")
    csrf = c.get(BASE + "/masuk/kode").expect(200).csrf()
    now = time.time()
    right = {totp(secret, now + d) for d in (-60, -30, 0, 30, 60)}
    wrong = [w for w in ("%06d" % (111111 * k % 1000000) for k in range(1, 40)) if w not in right][:N]

    def prepare(i):
        k = srv.client()
        k.cookies = dict(c.cookies)
        return k

    def send(i, k):
        return k.post_form(BASE + "/masuk/kode", {"_csrf": csrf, "code": wrong[i]})

    rs = together(N, prepare, send)
    codes = statuses(rs)
    assert codes.count(401) == 2 and codes.count(429) == N - 2, codes
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = '2fa:wakil'") == 1
    # while locked, the right code is refused as well
    c.post_form(BASE + "/masuk/kode", {"_csrf": csrf, "code": totp(secret, time.time() + 30)}).expect(429)
    srv.stop()


def test_signing_passphrase_guesses_sent_together_keep_the_lockout(env):
    """Wrong signing-key passphrases share the sign-in limit (3 here) under "sign:USER": of
    guesses sent together for one step, two are refused as wrong, the third locks, the rest are
    held (429) and nothing is signed. Before, each guess in flight was tried (argon2id) and
    judged."""
    db = env.new_db()
    srv = env.start_server(db, args=["--login-max-failures", "3"])
    opd = srv.client()
    opd.login(TENANT, "kepala_opd")
    sek = srv.client()
    sek.login(TENANT, "sekda")
    for k in (opd, sek):
        page = k.get(BASE + "/kunci-tanda-tangan").expect(200)
        if 'name="confirm"' in page.text:       # the demo may have made it already
            k.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                       "confirm": DEMO_PASSWORD}).expect(200)
    r = opd.post_form(BASE + "/usulan", {"_csrf": opd.session_csrf(TENANT), "kind": "telaahan",
                                         "title": "Usulan serentak", "background": "Latar", "analysis": "Analisis",
                                         "options": "1. Satu", "proposed": "Usul", "urgency": "biasa"}).expect(303)
    pid = int(re.search(r"/usulan/(\d+)$", r.header("location")).group(1))
    act = "%s/usulan/%d/tindakan" % (BASE, pid)
    opd.post_form(act, {"_csrf": opd.session_csrf(TENANT), "action": "ajukan",
                        "passphrase": DEMO_PASSWORD}).expect(303)
    csrf = sek.session_csrf(TENANT)

    def prepare(i):
        k = srv.client()
        k.cookies = dict(sek.cookies)
        return k

    def send(i, k):
        return k.post_form(act, {"_csrf": csrf, "action": "saran", "verdict": "setuju", "note": "serentak",
                                 "passphrase": "frasa-salah-%02d" % i})

    rs = together(N, prepare, send)
    codes = statuses(rs)
    assert codes.count(403) == 2 and codes.count(429) == N - 2, codes
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout' AND object = 'sign:sekda'") == 1
    # held: even the right passphrase signs nothing until the lockout ends
    sek.post_form(act, {"_csrf": csrf, "action": "saran", "verdict": "setuju", "note": "benar",
                        "passphrase": DEMO_PASSWORD}).expect(429)
    assert count(db, "SELECT COUNT(*) FROM governance_steps WHERE proposal_id = %d" % pid) == 1
    srv.stop()


def register_form(c):
    return c.get(BASE + "/daftar").expect(200).csrf()


def test_registrations_sent_together_keep_the_address_limit(env):
    """register-max-per-address = 3: of registrations sent together from one address, three
    accounts are made and the others are refused with 429. Before, every one in flight had
    passed the limit's read and was made."""
    db = env.new_db()
    srv = env.start_server(db, args=["--register-max-per-address", "3"])
    prefix = unique("serentak")

    def prepare(i):
        c = srv.client(ip="10.99.7.1")
        return c, register_form(c)

    def send(i, p):
        c, csrf = p
        return c.post_form(BASE + "/daftar", {"_csrf": csrf, "full_name": "Warga Serentak",
                                              "username": "%s_%d" % (prefix, i), "password": "rahasia-serentak-1",
                                              "confirm": "rahasia-serentak-1"})

    rs = together(N, prepare, send)
    codes = statuses(rs)
    assert codes.count(303) == 3 and codes.count(429) == N - 3, codes
    for r in rs:
        if r.status == 429:
            r.expect(429, contains="coba lagi dalam")
    assert count(db, "SELECT COUNT(*) FROM users WHERE username LIKE '%s%%'" % prefix) == 3
    srv.stop()


def test_password_reset_requests_sent_together_keep_their_limits(env):
    """A password-reset link goes to an account at most 3 times an hour, whoever asks: requests
    for it sent together from many addresses make 3 links, not one per request (each gets the same
    answer). And an address asks at most register-max-per-address (4 here) times an hour: of its
    requests sent together, 4 are answered and the rest held with 429. Before, every request in
    flight had passed both limits' reads: each one sent a link."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from",
                                         "layanan@mataramkota.go.id", "--public-url", "https://sigap.example.id",
                                         "--sweep-interval", "1", "--register-max-per-address", "4"])
        name = unique("lupa")
        c = srv.client()
        csrf = register_form(c)
        c.post_form(BASE + "/daftar", {"_csrf": csrf, "full_name": "Warga Lupa", "username": name,
                                       "email": "%s@example.id" % name, "password": "rahasia-lama-123",
                                       "confirm": "rahasia-lama-123"}).expect(303)

        def prepare_many(i):
            k = srv.client()
            return k, k.get(BASE + "/lupa-sandi").expect(200).csrf()

        def ask(who):
            def send(i, p):
                k, csrf = p
                return k.post_form(BASE + "/lupa-sandi", {"_csrf": csrf, "who": who(i)})
            return send

        rs = together(N, prepare_many, ask(lambda i: name))
        assert statuses(rs) == [200] * N, statuses(rs)
        links = count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'user.password.recover_request' "
                          "AND object = '%s'" % name)
        assert links == 3, "%d links for one account, at most 3 an hour" % links
        got = wait_for(lambda: len([m for m in list(sink.messages) if m[1] == ["%s@example.id" % name]]) >= 3)
        assert got
        assert count(db, "SELECT COUNT(*) FROM password_resets") == 1      # only the newest works

        def prepare_one(i):
            k = srv.client(ip="10.99.8.1")
            return k, k.get(BASE + "/lupa-sandi").expect(200).csrf()

        rs = together(N, prepare_one, ask(lambda i: "tidak-ada-%d" % i))
        codes = statuses(rs)
        assert codes.count(200) == 4 and codes.count(429) == N - 4, codes
        srv.stop()
    finally:
        sink.close()


def test_refusals_batched_with_other_writes_stay_refusals(env):
    """A governance action refused inside its write transaction (its refusal is audited, so it
    commits) answers 409 even when its commit is shared with other writes. The group commit's
    first pass used to answer every caller of a batch with 0, so a refused action that shared a
    commit with complaints filed meanwhile was answered as done (a 303 to "tersimpan")."""
    from test_governance import create, ensure_key
    db = env.new_db()
    srv = env.start_server(db)
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "balapan", "--rate-limit", "0"],
                      db=db).stdout.strip()
    opd = srv.client()
    opd.login(TENANT, "kepala_opd")
    ensure_key(opd)
    pid = create(opd, "Usulan untuk balapan %s" % unique("r"))
    form = {"_csrf": opd.session_csrf(TENANT), "action": "ajukan", "passphrase": DEMO_PASSWORD}
    opd.post_form("%s/usulan/%d/tindakan" % (BASE, pid), form).expect(303)
    refused_before = count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'")
    # complaints filed without a pause by four threads, so that the writer always has company
    stop, filed, failed = threading.Event(), [], []

    def file_complaints():
        c = srv.client()
        while not stop.is_set():
            r = c.post_form("/open311/v2/requests.json", {
                "jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921",
                "long": "116.0893", "description": "Sampah menumpuk di TPS nomor %s belum diangkut" % unique("t")})
            (filed if r.status == 200 else failed).append(r.status)

    filers = [threading.Thread(target=file_complaints) for _ in range(4)]
    for t in filers:
        t.start()
    try:
        wait_for(lambda: len(filed) >= 20)
        # submitted already: refused in the transaction, and the refusal audited
        rs = together(N, lambda i: None,
                      lambda i, _: opd.post_form("%s/usulan/%d/tindakan" % (BASE, pid), form))
        rs += together(N, lambda i: None,
                       lambda i, _: opd.post_form("%s/usulan/%d/tindakan" % (BASE, pid), form))
    finally:
        stop.set()
        for t in filers:
            t.join()
    assert not failed, failed
    assert statuses(rs) == [409] * (2 * N), [(r.status, r.header("location")) for r in rs if r.status != 409]
    assert count(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'") == refused_before + 2 * N
    assert count(db, "SELECT COUNT(*) FROM governance_steps WHERE proposal_id = %d" % pid) == 1
