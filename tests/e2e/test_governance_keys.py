"""
test_governance_keys.py: replacing a signing key whose passphrase is lost
(docs/governance.md, "Replacing a lost key") through the real server. The
official asks on the key page (the account's password asked again); the
Sekda (or the Kepala Daerah for the Sekda) approves by signing the
retirement with their own key; the old key is retired at once and keeps
verifying what it signed before; the new key can be made only a day after
the approval (the test moves the approval back a day in the database, as
other tests date rows in the past); the official's e-mail address and the
approver hear of the request at once; every step and refusal is audited.
Refusals: a role that does not approve, the administrator, self-approval,
the new key before the day has passed, a second request while one is open,
a cancelled request, a form without its CSRF token, a wrong password.
"""
import re

from harness import DEMO_PASSWORD, TENANT, check_sigap, run_sigap, unique

BASE = "/t/%s" % TENANT
KEYS = BASE + "/kunci-tanda-tangan"
PASSWORD = "rahasia-panjang-1"
NEW_PASS = "frasa-sandi-baru-2026"


def new_official(env, role, unit=None, db=None):
    name = unique("k")
    args = ["user", "add", "--tenant", TENANT, "--username", name, "--name", "Pejabat Uji " + name, "--role", role]
    if unit:
        args += ["--unit", unit]
    check_sigap(args, db=db or env.shared_db, input=PASSWORD + "\n")
    return name


def signed_in(srv, user, password=PASSWORD):
    c = srv.client()
    c.login(TENANT, user, password)
    return c


def make_key(c, passphrase=DEMO_PASSWORD, expect=200):
    page = c.get(KEYS).expect(200)
    if 'name="confirm"' not in page.text:
        assert "Kunci publik" in page.text, page.text[:2000]
        return page
    r = c.post_form(KEYS, {"_csrf": page.csrf(), "passphrase": passphrase, "confirm": passphrase})
    return r.expect(expect)


def ask(c, password=PASSWORD, expect=200):
    page = c.get(KEYS).expect(200)
    return c.post_form(KEYS + "/ganti", {"_csrf": page.csrf(), "password": password}).expect(expect)


def approve(c, rid, passphrase=DEMO_PASSWORD, expect=200):
    page = c.get(KEYS).expect(200)
    return c.post_form("%s/ganti/%d/setujui" % (KEYS, rid), {"_csrf": page.csrf(), "passphrase": passphrase}).expect(expect)


def cancel(c, rid, expect=200):
    page = c.get(KEYS).expect(200)
    return c.post_form("%s/ganti/%d/batal" % (KEYS, rid), {"_csrf": page.csrf()}).expect(expect)


def request_of(db, user):
    rows = db.sql("SELECT id, state FROM governance_key_requests WHERE tenant = '%s' AND username = '%s' "
                  "ORDER BY id DESC" % (TENANT, user))
    return (int(rows[0][0]), rows[0][1]) if rows else (None, None)


def alert(r):
    m = re.search(r'<p class="alert" role="alert">([^<]*)</p>', r.text)
    return m.group(1) if m else ""


def public_key(db, user):
    rows = db.sql("SELECT public_key FROM governance_keys WHERE tenant = '%s' AND username = '%s'" % (TENANT, user))
    return rows[0][0] if rows else None


def a_day_later(db, rid):
    """The test clock: the approval moved back a day (the signed retirement keeps its time)."""
    db.sql("UPDATE governance_key_requests SET approved_at = approved_at - 86400 WHERE id = %d" % rid)


def create_proposal(c, title):
    page = c.get(BASE + "/usulan/baru").expect(200)
    r = c.post_form(BASE + "/usulan", {"_csrf": page.csrf(), "kind": "telaahan", "title": title,
                                       "background": "Latar", "proposed": "Putusan", "urgency": "biasa",
                                       "is_public": "1"}).expect(303)
    return int(re.search(r"/usulan/(\d+)$", r.header("location")).group(1))


def act(c, pid, action, passphrase=DEMO_PASSWORD, expect=303, **fields):
    page = c.get("%s/usulan/%d" % (BASE, pid)).expect(200)
    data = {"_csrf": page.csrf(), "action": action, "passphrase": passphrase}
    data.update(fields)
    return c.post_form("%s/usulan/%d/tindakan" % (BASE, pid), data).expect(expect)


def test_governance_key_replaced_after_approval_and_a_day(env):
    """The whole flow on a server that sends e-mail: a kepala OPD's decided proposal, the
    request (mail to the official and the Sekda at once), the Sekda's signed approval, the
    old key retired, no new key before a day has passed, then the new key signs; the old
    decision still verifies, the new step too; a tampered retirement does not."""
    db = env.new_db()
    srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "layanan@mataramkota.go.id",
                                     "--sweep-interval", "0"])
    db.sql("UPDATE users SET email = 'kepala.opd@example.id' WHERE tenant = '%s' AND username = 'kepala_opd'" % TENANT)
    db.sql("UPDATE users SET email = 'sekda@example.id' WHERE tenant = '%s' AND username = 'sekda'" % TENANT)
    a = {u: signed_in(srv, u, DEMO_PASSWORD) for u in ("kepala_opd", "sekda", "wakil", "kepala_daerah")}
    for c in a.values():
        make_key(c)
    old_key = public_key(db, "kepala_opd")
    before = create_proposal(a["kepala_opd"], "Sebelum kunci diganti")
    act(a["kepala_opd"], before, "ajukan")
    act(a["sekda"], before, "saran", verdict="setuju", note="baik")
    act(a["wakil"], before, "pertimbangan", verdict="setuju", note="baik")
    act(a["kepala_daerah"], before, "keputusan", verdict="setuju", note="laksanakan", is_public="1")
    token = re.search(r"/verifikasi/([0-9a-f]{32})", a["kepala_daerah"].get("%s/usulan/%d" % (BASE, before)).text).group(1)
    anon = srv.client()
    anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan sah")

    # the request: the form asks for the account's password again
    page = a["kepala_opd"].get(KEYS).expect(200)
    assert 'action="/t/%s/kunci-tanda-tangan/ganti"' % TENANT in page.text and 'name="password"' in page.text
    r = ask(a["kepala_opd"], password=DEMO_PASSWORD)
    assert "permintaan penggantian kunci dikirim" in r.text, r.text[:2000]
    rid, state = request_of(db, "kepala_opd")
    assert state == "menunggu"
    # both hear at once: the official's address and the Sekda's, and their dashboards
    outbox = [row[0] for row in db.sql("SELECT recipient FROM mail_outbox WHERE tenant = '%s'" % TENANT)]
    assert "kepala.opd@example.id" in outbox and "sekda@example.id" in outbox, outbox
    dash = a["sekda"].get(BASE + "/dasbor").text
    assert "penggantian kunci" in dash and 'href="/t/%s/kunci-tanda-tangan"' % TENANT in dash, dash[:3000]
    # the key page says what it waits for and offers the cancellation
    page = a["kepala_opd"].get(KEYS).expect(200)
    assert "Menunggu persetujuan" in page.text and "/ganti/%d/batal" % rid in page.text
    # the key is still current until the approval
    assert public_key(db, "kepala_opd") == old_key

    # the Sekda sees it and approves with their own key
    page = a["sekda"].get(KEYS).expect(200)
    assert "/ganti/%d/setujui" % rid in page.text and "kepala_opd" in page.text
    r = approve(a["sekda"], rid)
    assert "penggantian kunci disetujui dan ditandatangani" in r.text, r.text[:2000]
    assert request_of(db, "kepala_opd")[1] == "disetujui"
    assert public_key(db, "kepala_opd") is None
    retired = db.sql("SELECT username, approved_by, approver_role FROM governance_retired_keys WHERE tenant = '%s' "
                     "AND public_key = '%s'" % (TENANT, old_key))
    assert [tuple(x) for x in retired] == [("kepala_opd", "sekda", "sekda")], retired

    # no new key before a day has passed, and nothing can be signed meanwhile
    page = a["kepala_opd"].get(KEYS).expect(200)
    assert 'name="confirm"' not in page.text and "Kunci baru dapat dibuat mulai" in page.text
    r = a["kepala_opd"].post_form(KEYS, {"_csrf": page.csrf(), "passphrase": NEW_PASS, "confirm": NEW_PASS})
    r.expect(409, contains="24 jam setelah penggantian kunci disetujui")
    after = create_proposal(a["kepala_opd"], "Sesudah kunci diganti")
    act(a["kepala_opd"], after, "ajukan", expect=400)

    a_day_later(db, rid)
    page = a["kepala_opd"].get(KEYS).expect(200)
    assert 'name="confirm"' in page.text and "Kunci lama Anda sudah dipensiunkan" in page.text
    make_key(a["kepala_opd"], NEW_PASS).expect(200, contains="kunci tanda tangan dibuat")
    assert request_of(db, "kepala_opd")[1] == "selesai"
    assert public_key(db, "kepala_opd") not in (None, old_key)
    # the old passphrase opens nothing; the new one signs
    act(a["kepala_opd"], after, "ajukan", passphrase=DEMO_PASSWORD, expect=403)
    act(a["kepala_opd"], after, "ajukan", passphrase=NEW_PASS)
    assert "Semua tanda tangan sah." in a["kepala_opd"].get("%s/usulan/%d" % (BASE, after)).text
    # what the old key signed before its retirement still verifies, on the page and the API
    anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan sah")
    assert anon.get("/api/v1/t/%s/verifikasi/%s" % (TENANT, token)).expect(200).json()["valid"] is True
    assert "Semua tanda tangan sah." in a["sekda"].get("%s/usulan/%d" % (BASE, before)).text

    # audited, and the chain holds
    actions = [row[0] for row in db.sql("SELECT action FROM audit_log WHERE tenant = '%s' AND action LIKE "
                                        "'governance.key%%' ORDER BY seq" % TENANT)]
    for want in ("governance.key_request", "governance.key_retire", "governance.key_create"):
        assert want in actions, actions
    p = run_sigap(["audit", "verify", "--tenant", TENANT], db=db)
    assert p.returncode == 0, p.stdout + p.stderr

    # a retirement moved later behind sigap's back, to stretch the old key: not valid
    db.sql("UPDATE governance_retired_keys SET retired_at = retired_at + 100 WHERE public_key = '%s'" % old_key)
    v = anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200)
    assert "Tanda tangan TIDAK sah" in v.text and "catatan pensiun kunci" in v.text, v.text[:3000]


def test_governance_key_replacement_refusals(env):
    """Each refusal with its message, audited: a Wakil or the Kepala Daerah cannot approve for a
    kepala OPD, nor the administrator; nobody approves their own; a second request while one is
    open is 409; a cancelled request cannot be approved; a wrong password sends nothing; a form
    without its CSRF token is refused."""
    srv = env.server
    db = env.shared_db
    opd = new_official(env, "kepala_opd", unit="DISDUKCAPIL")
    sekda2 = new_official(env, "sekda")
    c = signed_in(srv, opd)
    make_key(c)
    refused = lambda: int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'")[0][0])

    # a wrong password: 403, nothing asked, the attempt audited
    n = refused()
    r = ask(c, password="bukan-sandinya", expect=403)
    assert alert(r) == "kata sandi salah; permintaan tidak dikirim", alert(r)
    assert request_of(db, opd) == (None, None) and refused() == n + 1
    # no password: 400
    page = c.get(KEYS).expect(200)
    c.post_form(KEYS + "/ganti", {"_csrf": page.csrf()}).expect(400, contains="masukkan kata sandi akun Anda")
    # without the CSRF token: 403, nothing asked
    r = c.post_form(KEYS + "/ganti", {"password": PASSWORD})
    assert r.status == 403, r.describe()
    assert request_of(db, opd) == (None, None)

    ask(c)
    rid, _ = request_of(db, opd)
    # a second one while it is open
    r = ask(c, expect=409)
    assert alert(r) == "permintaan penggantian kunci Anda masih berjalan"

    # who may not approve it: a Wakil, the Kepala Daerah, the administrator, a citizen
    for user in ("wakil", "kepala_daerah"):
        o = signed_in(srv, user, DEMO_PASSWORD)
        make_key(o)
        r = approve(o, rid, expect=403)
        assert "disetujui oleh Sekda" in alert(r), alert(r)
    admin = signed_in(srv, "admin", DEMO_PASSWORD)
    r = approve(admin, rid, expect=403)
    assert "disetujui oleh Sekda" in alert(r), alert(r)
    # the approval form without its CSRF token
    s = signed_in(srv, "sekda", DEMO_PASSWORD)
    make_key(s)
    r = s.post_form("%s/ganti/%d/setujui" % (KEYS, rid), {"passphrase": DEMO_PASSWORD})
    assert r.status == 403, r.describe()
    # a wrong passphrase
    r = approve(s, rid, passphrase="frasa-yang-salah", expect=403)
    assert "frasa sandi kunci tanda tangan salah" in alert(r), alert(r)
    assert request_of(db, opd)[1] == "menunggu" and public_key(db, opd)

    # cancelled by the official: nobody approves it afterwards, and it cannot be cancelled twice
    other = signed_in(srv, sekda2)
    cancel(other, rid, expect=404)
    r = cancel(c, rid)
    assert "permintaan penggantian kunci dibatalkan" in r.text
    assert request_of(db, opd)[1] == "dibatalkan"
    r = approve(s, rid, expect=409)
    assert "tidak lagi menunggu persetujuan" in alert(r)
    cancel(c, rid, expect=409)
    assert public_key(db, opd)

    # the Sekda's own request: not the Sekda, but the Kepala Daerah approves it
    make_key(other)
    ask(other)
    sid, _ = request_of(db, sekda2)
    r = approve(other, sid, expect=403)
    assert alert(r) == "Anda tidak dapat menyetujui permintaan Anda sendiri"
    r = approve(s, sid, expect=403)
    assert "Kepala Daerah (untuk Sekda)" in alert(r)
    kd = signed_in(srv, "kepala_daerah", DEMO_PASSWORD)
    approve(kd, sid)
    assert request_of(db, sekda2)[1] == "disetujui" and public_key(db, sekda2) is None
    # a new key right away: 409, and again after a cancellation (the key stays retired)
    page = other.get(KEYS).expect(200)
    other.post_form(KEYS, {"_csrf": page.csrf(), "passphrase": NEW_PASS, "confirm": NEW_PASS}).expect(
        409, contains="24 jam setelah penggantian kunci disetujui")
    cancel(other, sid)
    a_day_later(db, sid)
    page = other.get(KEYS).expect(200)
    assert 'name="confirm"' not in page.text
    other.post_form(KEYS, {"_csrf": page.csrf(), "passphrase": NEW_PASS, "confirm": NEW_PASS}).expect(
        409, contains="hanya dapat dibuat melalui penggantian kunci yang disetujui")
    # asked again, approved again, a day later the new key
    ask(other)
    sid2, _ = request_of(db, sekda2)
    assert sid2 != sid
    approve(kd, sid2)
    a_day_later(db, sid2)
    make_key(other, NEW_PASS).expect(200, contains="kunci tanda tangan dibuat")

    assert refused() >= n + 9
    p = run_sigap(["audit", "verify", "--tenant", TENANT], db=db)
    assert p.returncode == 0, p.stdout + p.stderr


def test_governance_key_request_in_english(env):
    """The request's refusal and notice read in English for an English reader."""
    opd = new_official(env, "kepala_opd", unit="DISDUKCAPIL")
    c = env.client()
    c.cookies["lang"] = "en"
    c.login(TENANT, opd, PASSWORD)
    make_key(c)
    page = c.get(KEYS).expect(200)
    assert "Forgot your passphrase?" in page.text and "Ask for a replacement key" in page.text
    r = ask(c, password="bukan-sandinya", expect=403)
    assert alert(r) == "wrong password; the request was not sent", alert(r)
    r = ask(c)
    assert "key replacement requested" in r.text
    assert "Waiting for approval by:" in r.text


def test_governance_key_request_wrong_passwords_lock(env):
    """Wrong account passwords on the request are limited like sign-ins: the fifth locks (429 with
    Retry-After), and then even the right one is not tried; nothing is asked."""
    opd = new_official(env, "kepala_opd", unit="DISDUKCAPIL")
    c = signed_in(env.server, opd)
    make_key(c)
    for _ in range(4):
        ask(c, password="bukan-sandinya", expect=403)
    r = ask(c, password="bukan-sandinya", expect=429)
    assert r.header("retry-after"), r.describe()
    r = ask(c, expect=429)
    assert "terlalu banyak percobaan yang salah" in alert(r)
    assert request_of(env.shared_db, opd) == (None, None)
