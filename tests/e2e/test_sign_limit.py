"""
test_sign_limit.py: guesses of a governance signing-key passphrase are
limited like sign-ins (auth_attempt_*): five wrong ones within the window
lock the official's signing for the lockout (429 with Retry-After, audited as
auth.lockout of "sign:USERNAME"); while locked even the right passphrase is
not tried; a right passphrase clears the count; other officials, and the
official's own sign-in, are not affected. Each test runs on its own database
and server, so the demo officials of the shared server are never locked.
"""
import re

from harness import DEMO_PASSWORD, TENANT

BASE = "/t/%s" % TENANT
WRONG = "frasa sandi kunci tanda tangan salah"
LOCKED = ("terlalu banyak frasa sandi kunci tanda tangan yang salah; penandatanganan dikunci sementara, "
          "coba lagi nanti")


def official(srv, user, ip):
    """A signed-in official with a signing key sealed under the demo passphrase."""
    c = srv.client(ip=ip)
    c.login(TENANT, user)
    page = c.get(BASE + "/kunci-tanda-tangan").expect(200)
    if 'name="confirm"' in page.text:
        c.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                    "confirm": DEMO_PASSWORD}).expect(200)
    return c


def submitted(c, title):
    """A proposal drafted and submitted by the kepala OPD c: the Sekda's turn."""
    r = c.post_form(BASE + "/usulan", {
        "_csrf": c.session_csrf(TENANT), "kind": "telaahan", "title": title, "background": "Antrean panjang",
        "analysis": "Data", "options": "1. Tetap", "proposed": "Memperpanjang jam layanan", "urgency": "segera"})
    pid = int(re.match(r"^/t/[0-9.]+/usulan/(\d+)$", r.expect(303).header("location")).group(1))
    act(c, pid, "ajukan").expect(303)
    return pid


def act(c, pid, action, passphrase=DEMO_PASSWORD, **fields):
    data = {"_csrf": c.session_csrf(TENANT), "action": action, "passphrase": passphrase}
    data.update(fields)
    return c.post_form("%s/usulan/%d/tindakan" % (BASE, pid), data)


def state(db, pid):
    return db.sql("SELECT state FROM governance_proposals WHERE id = %d" % pid)[0][0]


def test_passphrase_guesses_lock_signing(env):
    db = env.new_db()
    srv = env.start_server(db)
    opd = official(srv, "kepala_opd", "10.91.0.1")
    sekda = official(srv, "sekda", "10.91.0.2")
    pid = submitted(opd, "Usulan uji batas frasa sandi")
    before = state(db, pid)
    # four wrong guesses are refused as wrong
    for i in range(4):
        r = act(sekda, pid, "saran", passphrase="tebakan-salah-%d" % i, verdict="setuju")
        r.expect(403, contains=WRONG)
    # the fifth locks: 429 with the lockout's length
    r = act(sekda, pid, "saran", passphrase="tebakan-salah-4", verdict="setuju").expect(429, contains=LOCKED)
    assert int(r.header("retry-after")) == 900, r.header("retry-after")
    # now the right passphrase is not even tried, on the page or in the API
    r = act(sekda, pid, "saran", verdict="setuju").expect(429, contains=LOCKED)
    assert 0 < int(r.header("retry-after")) <= 900, r.header("retry-after")
    sekda.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                    {"action": "saran", "verdict": "setuju", "passphrase": DEMO_PASSWORD},
                    headers={"X-CSRF-Token": sekda.session_csrf(TENANT)}).expect_json_error(
        429, code="rate_limited", message=LOCKED)
    assert state(db, pid) == before
    # audited once, as the user's signing lockout
    rows = db.sql("SELECT actor, object FROM audit_log WHERE tenant = '%s' AND action = 'auth.lockout'" % TENANT)
    assert [tuple(x) for x in rows] == [("sekda", "sign:sekda")], rows
    # the Sekda still signs in, and other officials still sign
    srv.client(ip="10.91.0.3").login(TENANT, "sekda")
    wakil = official(srv, "wakil", "10.91.0.4")
    act(wakil, pid, "pertimbangan", verdict="setuju", note="x").expect(409)   # not the wakil's turn: no 429


def test_right_passphrase_clears_the_count(env):
    db = env.new_db()
    srv = env.start_server(db)
    opd = official(srv, "kepala_opd", "10.92.0.1")
    sekda = official(srv, "sekda", "10.92.0.2")
    first, second = submitted(opd, "Usulan uji satu"), submitted(opd, "Usulan uji dua")
    for i in range(4):
        act(sekda, first, "saran", passphrase="tebakan-salah-%d" % i, verdict="setuju").expect(403, contains=WRONG)
    act(sekda, first, "saran", verdict="setuju").expect(303)
    # the count started over: four more wrong guesses are only wrong
    for i in range(4):
        act(sekda, second, "saran", passphrase="tebakan-lain-%d" % i, verdict="setuju").expect(403, contains=WRONG)
    act(sekda, second, "saran", verdict="setuju").expect(303)
    assert int(db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.lockout'")[0][0]) == 0
