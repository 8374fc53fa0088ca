"""
test_submit_once.py: a form sent twice over a slow line is stored once.

Each rendering of the complaint form and of the application form carries a one-time key
(_nonce). The first POST that files records it with the complaint or application, in the same
transaction; the same form sent again (a second tap, the page sent again after the line dropped,
Back and send) files nothing and gets exactly the first answer: the same redirect, and for a
complaint the same reporter key's cookie. Copies sent at the same moment file once and every one
of them gets that answer (never a 500 or a 409). A refused form (400) does not use its key up.
The key is bound to its tenant and to whoever sends it (the account, or the visitor's own
cookie): someone else's copy of the key files their own complaint and never shows them the
first. A form changed after it was sent comes back (409) with what was typed and a fresh key.
Open311 takes an optional Idempotency-Key header with the same rules (the same request again:
the first answer; another request under the key: 422 in the specification's error format).
Keys are forgotten after a week by the periodic jobs (sigap sweep).
"""
import re
import threading
import uuid

from harness import TENANT, TENANT2, check_sigap, unique
from test_auth import new_user
from test_citizen_ux import post_mp
from test_complaints import api_key, expect_error, good, xml

T = "/t/%s" % TENANT
NEW = T + "/pengaduan/baru"


def nonce_of(page):
    m = re.search(r'name="_nonce" value="([0-9a-f]{32})"', page.text)
    assert m, "no _nonce field in the form: %s" % page.text[:1500]
    return m.group(1)


def form(c, tenant=TENANT):
    """A fresh complaint form: (csrf, nonce)."""
    page = c.get("/t/%s/pengaduan/baru" % tenant).expect(200)
    return page.csrf(), nonce_of(page)


def fields(tag, **kw):
    f = {"kind": "pengaduan", "title": "Lampu jalan padam %s" % tag,
         "description": "Lampu jalan di Jl. Pejanggik padam sejak tiga malam; %s." % tag,
         "address": "Jl. Pejanggik depan SDN 3", "identity": "terbuka", "name": "Baiq Rina",
         "email": "rina@contoh.id", "phone": "081234567890"}
    f.update(kw)
    return [(k, v) for k, v in f.items() if v is not None]


def filed(env, tag):
    return int(env.shared_db.sql("SELECT COUNT(*) FROM complaints WHERE description LIKE '%%%s%%'" % tag)[0][0])


def complaint_id(r):
    assert r.status == 303, "%s: %s" % (r.describe(), r.text[:1500])
    m = re.match(r"^/t/[0-9.]+/pengaduan/(\d+)\?baru=1$", r.header("location") or "")
    assert m, r.header("location")
    return int(m.group(1))


def reporter_cookie(r):
    """The reporter key's cookie the answer sets (value, path), or None."""
    for line in r.header_all("set-cookie"):
        if line.startswith("sigap_pelapor="):
            value = line.split(";", 1)[0].split("=", 1)[1]
            path = re.search(r"(?i);\s*path=([^;]+)", line).group(1)
            return value, path
    return None


def clone(c):
    """Another connection of the same browser: its cookies."""
    o = type(c)(c.port, ip=c.ip)
    o.cookies = dict(c.cookies)
    return o


def citizen(env):
    """A client signed in as a new citizen of its own."""
    c = env.client()
    c.login(TENANT, new_user(env), password="rahasia-panjang-1")
    return c


def at_once(n, fn):
    out, threads, go = [None] * n, [], threading.Barrier(n)

    def run(i):
        go.wait()
        out[i] = fn(i)
    for i in range(n):
        threads.append(threading.Thread(target=run, args=(i,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


# ------------------------------------------------------------------ the complaint form

def test_complaint_sent_twice_files_once(env):
    tag = unique("once")
    c = env.client()
    csrf, nonce = form(c)
    body = [("_csrf", csrf), ("_nonce", nonce)] + fields(tag)
    r1 = post_mp(c, NEW, body)
    r2 = post_mp(c, NEW, body)
    cid = complaint_id(r1)
    # exactly the first answer: the same redirect, and the reporter key again (the first answer
    # may never have reached the phone)
    assert r2.status == 303 and r2.header("location") == r1.header("location"), (r2.status, r2.text[:800])
    k1, k2 = reporter_cookie(r1), reporter_cookie(r2)
    assert k1 and k1 == k2 and k1[1] == T + "/pengaduan/%d" % cid, (k1, k2)
    assert filed(env, tag) == 1
    # the page after it shows the key to note down, as after the first answer
    page = c.get(r2.header("location")).expect(200, contains="Laporan Anda telah diterima")
    # it tells the phone that the form arrived: the draft (draft.js) and the key kept for the tab
    # (forms.js) are done with; the form itself is fresh, its key for the tab to reuse
    assert 'data-draft-done="pengaduan:%s" data-once-done="%s"' % (TENANT, NEW) in page.text
    assert "data-once-fresh" in c.get(NEW).text and "data-once-done" not in c.get(
        T + "/pengaduan/%d" % cid).text
    shown = re.search(r'<p class="cpl-key"><strong>([^<]+)</strong>', page.text)
    assert shown and shown.group(1).replace("-", "") == k1[0], (shown and shown.group(1), k1)
    # a copy of the form sent a third time, with a photo this time: still the same (photos are not
    # compared: a browser sends them again or not), nothing new
    r3 = post_mp(c, NEW, body, [("photo", "a.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 100)])
    assert r3.header("location") == r1.header("location")
    assert filed(env, tag) == 1
    # a signed-in citizen likewise, the answer again after the session's next page
    w = env.client()
    w.login(TENANT, "warga")
    tag2 = unique("oncew")
    csrf, nonce = form(w)
    body = [("_csrf", csrf), ("_nonce", nonce)] + fields(tag2, name=None, email=None, phone=None)
    a, b = post_mp(w, NEW, body), post_mp(w, NEW, body)
    assert complaint_id(a) == complaint_id(b) and filed(env, tag2) == 1
    # without a key (a page from before keys, a script) nothing changes: two complaints
    tag3 = unique("nokey")
    body = [("_csrf", form(c)[0])] + fields(tag3)
    assert complaint_id(post_mp(c, NEW, body)) != complaint_id(post_mp(c, NEW, body))
    assert filed(env, tag3) == 2


def test_complaint_copies_at_the_same_moment(env):
    """Six copies of one form at once (one group commit, or several): one complaint, and every
    answer is the success pointing at it, with the same reporter key."""
    for who in (None, "warga"):
        tag = unique("race")
        c = env.client()
        if who:
            c.login(TENANT, who)
        csrf, nonce = form(c)
        body = [("_csrf", csrf), ("_nonce", nonce)] + fields(tag, name=None if who else "Baiq Rina")
        out = at_once(6, lambda i: post_mp(clone(c), NEW, body))
        assert all(r.status == 303 for r in out), [(r.status, r.text[:300]) for r in out if r.status != 303]
        assert len({r.header("location") for r in out}) == 1, [r.header("location") for r in out]
        assert len({reporter_cookie(r) for r in out}) == 1, [reporter_cookie(r) for r in out]
        assert filed(env, tag) == 1


def test_complaint_key_survives_a_refusal(env):
    """A form refused for its input (400) has used nothing up: it comes back with the same key,
    and the corrected form files once with it."""
    tag = unique("fix")
    c = env.client()
    csrf, nonce = form(c)
    bad = [("_csrf", csrf), ("_nonce", nonce)] + fields(tag, address="", phone="bukan nomor")
    r = post_mp(c, NEW, bad).expect(400)
    assert 'name="_nonce" value="%s"' % nonce in r.text, "the refused form lost its key"
    assert filed(env, tag) == 0
    good_ = [("_csrf", r.csrf()), ("_nonce", nonce)] + fields(tag)
    a = post_mp(c, NEW, good_)
    b = post_mp(c, NEW, good_)
    assert complaint_id(a) == complaint_id(b) and filed(env, tag) == 1
    # a key that is not one: the form again (400) with what was typed and a fresh key
    r = post_mp(c, NEW, [("_csrf", r.csrf()), ("_nonce", "x/y")] + fields(tag + "b")).expect(400)
    assert "kode formulir tidak sah" in r.text and tag + "b" in r.text
    assert nonce_of(r) != nonce
    assert filed(env, tag + "b") == 0


def test_complaint_key_kept_by_the_expired_form(env):
    """The form that comes back after its token expired (403, what was typed in it,
    http_refill_text) keeps its key: nothing was filed, and the form sent from there files once."""
    tag = unique("exp")
    c = env.client()
    csrf, nonce = form(c)
    del c.cookies["sigap_pre"]  # the day passed: the token no longer matches
    r = post_mp(c, NEW, [("_csrf", csrf), ("_nonce", nonce)] + fields(tag), headers={"Sec-Fetch-Site": "same-origin"})
    r.expect(403, contains="Formulir ini sudah kedaluwarsa")
    assert nonce_of(r) == nonce and tag in r.text
    assert filed(env, tag) == 0
    body = [("_csrf", r.csrf()), ("_nonce", nonce)] + fields(tag)
    a, b = post_mp(c, NEW, body), post_mp(c, NEW, body)
    assert complaint_id(a) == complaint_id(b) and filed(env, tag) == 1


def test_complaint_key_of_someone_else(env):
    """The key is bound to the tenant and to whoever sends it: a copy of it in another account,
    another browser or another tenant files that sender's own complaint and never answers with
    the first one (its number, its page, its reporter key)."""
    tag = unique("bind")
    a = citizen(env)
    csrf, nonce = form(a)
    first = post_mp(a, NEW, [("_csrf", csrf), ("_nonce", nonce)] + fields(tag, name=None, email=None, phone=None))
    cid, key = complaint_id(first), reporter_cookie(first)
    # a citizen filing under the account gets no reporter key: the account is the way back
    assert key is None, key
    number = env.shared_db.sql("SELECT number FROM complaints WHERE id = %d" % cid)[0][0]
    senders = []
    b = citizen(env)
    senders.append(("another account", b, TENANT, fields(tag, name=None, email=None, phone=None)))
    senders.append(("a visitor", env.client(), TENANT, fields(tag)))
    senders.append(("another tenant", env.client(), TENANT2, fields(tag, address="Jl. Udayana")))
    for what, c, tenant, f in senders:
        csrf = form(c, tenant)[0]
        r = post_mp(c, "/t/%s/pengaduan/baru" % tenant, [("_csrf", csrf), ("_nonce", nonce)] + f)
        assert r.status == 303, (what, r.status, r.text[:800])
        assert r.header("location") != first.header("location"), what
        assert not re.search(r"/pengaduan/%d\?" % cid, r.header("location")), what
        got = reporter_cookie(r)
        if what == "another account":
            assert got is None, (what, got)  # its own complaint, under its own account
        else:
            assert got and got[1] == "/t/%s/pengaduan/%s" % (tenant, r.header("location").split("/")[-1].split("?")[0]), \
                (what, got)
        page = c.get(r.header("location")).expect(200)
        assert number not in page.text, what
    # each filed their own: four complaints with the words
    assert filed(env, tag) == 4


def test_complaint_changed_form_with_a_used_key(env):
    """Back, a change, send: the key filed the first complaint already; the changed form comes
    back (409) with what was typed, a fresh key and the first one's number; nothing is filed
    until it is sent again."""
    tag = unique("chg")
    c = env.client()
    csrf, nonce = form(c)
    cid = complaint_id(post_mp(c, NEW, [("_csrf", csrf), ("_nonce", nonce)] + fields(tag)))
    number = env.shared_db.sql("SELECT number FROM complaints WHERE id = %d" % cid)[0][0]
    changed = fields(tag, description="Lampu jalan di Jl. Pejanggik dan Jl. Udayana padam; %s." % tag)
    r = post_mp(c, NEW, [("_csrf", csrf), ("_nonce", nonce)] + changed).expect(409)
    assert "sudah terkirim sebelumnya sebagai laporan %s" % number in r.text, r.text[:2000]
    assert "Jl. Udayana padam" in r.text
    fresh = nonce_of(r)
    assert fresh != nonce and filed(env, tag) == 1
    again = post_mp(c, NEW, [("_csrf", r.csrf()), ("_nonce", fresh)] + changed)
    assert complaint_id(again) != cid and filed(env, tag) == 2


def test_keys_are_forgotten_after_a_week(env):
    tag = unique("old")
    c = env.client()
    csrf, nonce = form(c)
    body = [("_csrf", csrf), ("_nonce", nonce)] + fields(tag)
    cid = complaint_id(post_mp(c, NEW, body))
    n = int(env.shared_db.sql("SELECT COUNT(*) FROM submission_keys WHERE ref_id = %d" % cid)[0][0])
    assert n >= 1
    env.shared_db.sql("UPDATE submission_keys SET created_at = created_at - 8 * 86400 WHERE ref_id = %d" % cid)
    check_sigap(["sweep"], db=env.shared_db)
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM submission_keys WHERE ref_id = %d" % cid)[0][0]) == 0
    # forgotten: the old form files anew
    assert complaint_id(post_mp(c, NEW, body)) != cid and filed(env, tag) == 2


# ------------------------------------------------------------------ the application form

def test_application_sent_twice_gets_the_first_answer(env):
    """The application form's key (_nonce) works the same way: the same form again is answered
    as the first time (303 to the application, ?baru=1), copies at once file once, a changed
    form comes back 409 with a fresh key."""
    from test_services import NIK, PDF, app_count, new_service, post_mp
    code, _admin, _ = new_service(env)
    w = citizen(env)
    path = T + "/layanan/%s/ajukan" % code

    def fresh():
        page = w.get(path).expect(200)
        return [("_csrf", page.csrf()), ("_nonce", nonce_of(page)), ("nama", "Baiq Nurul Aini"),
                ("nik_pemohon", NIK), ("keperluan", "Baru")]
    body = fresh()
    before = app_count(env)
    r1 = post_mp(w, path, body, [("kk", "kk.pdf", PDF)])
    r2 = post_mp(w, path, body, [("kk", "kk.pdf", PDF)])
    assert r1.status == 303 and re.search(r"/permohonan/\d+\?baru=1$", r1.header("location")), r1.text[:800]
    assert r2.status == 303 and r2.header("location") == r1.header("location"), (r2.status, r2.header("location"))
    assert app_count(env) == before + 1
    # the confirmation tells the phone's forms.js that the form arrived (its key is done with)
    w.get(r2.header("location")).expect(200, contains='data-once-done="%s"' % path)
    # at the same moment
    body = fresh()
    before = app_count(env)
    out = at_once(5, lambda i: post_mp(clone(w), path, body, [("kk", "kk.pdf", PDF)]))
    assert all(r.status == 303 for r in out), [(r.status, r.text[:300]) for r in out]
    assert len({r.header("location") for r in out}) == 1 and app_count(env) == before + 1
    # changed after it was sent: the form again, with the values and a fresh key
    changed = [(k, "Perubahan" if k == "keperluan" else v) for k, v in body]
    r = post_mp(w, path, changed, [("kk", "kk.pdf", PDF)]).expect(409)
    assert "sudah terkirim sebelumnya sebagai permohonan" in r.text and nonce_of(r) != dict(body)["_nonce"]
    assert app_count(env) == before + 1
    # another account with the same key: its own application
    v = citizen(env)
    csrf = v.get(path).expect(200).csrf()
    other = post_mp(v, path, [("_csrf", csrf)] + body[1:], [("kk", "kk.pdf", PDF)])
    assert other.status == 303 and other.header("location") != out[0].header("location")
    assert app_count(env) == before + 2


# ------------------------------------------------------------------ Open311 Idempotency-Key

def o311(env, f, key=None, fmt="json", headers=None):
    h = dict(headers or {})
    if key is not None:
        h["Idempotency-Key"] = key
    return env.client().post_form("/open311/v2/requests." + fmt, f, headers=h)


def o311_count(env, tag):
    return int(env.shared_db.sql("SELECT COUNT(*) FROM complaints WHERE description LIKE '%%%s%%'" % tag)[0][0])


def test_open311_idempotency_key(env):
    tag = unique("idem")
    f = good(env, description="Sampah menumpuk di TPS pasar Kekalik %s" % tag)
    key = '"%s"' % uuid.uuid4()
    a = o311(env, f, key).expect(200).json()
    b = o311(env, f, key).expect(200).json()
    # the same answer: the id, the tracking number and the reporter code in the notice
    assert a == b, (a, b)
    assert "kode pelapor" in a[0]["service_notice"]
    assert o311_count(env, tag) == 1
    # as XML too, and the same key written without quotes is the same key
    x = xml(o311(env, f, key.strip('"'), fmt="xml").expect(200))
    assert x.find("request").findtext("service_request_id") == a[0]["service_request_id"]
    assert o311_count(env, tag) == 1
    # another request under the key: 422 in the specification's error format, nothing filed
    other = dict(f, description="Sampah menumpuk di TPS Sweta %s" % tag)
    expect_error(o311(env, other, key), 422, contains="Idempotency-Key")
    expect_error(o311(env, other, key, fmt="xml"), 422, fmt="xml", contains="Idempotency-Key")
    assert o311_count(env, tag) == 1
    # the same fields in another order are the same request
    assert o311(env, dict(reversed(list(f.items()))), key).expect(200).json() == a
    # a refused request (400) leaves the key unused
    tag2 = unique("idem400")
    k2 = str(uuid.uuid4())
    f2 = good(env, description="Drainase tersumbat %s" % tag2, lat=None, long=None)
    expect_error(o311(env, f2, k2), 400)
    f2 = good(env, description="Drainase tersumbat %s" % tag2)
    c1 = o311(env, f2, k2).expect(200).json()
    assert o311(env, f2, k2).expect(200).json() == c1 and o311_count(env, tag2) == 1
    # without the header: every POST files
    tag3 = unique("noidem")
    f3 = good(env, description="Jalan berlubang %s" % tag3)
    assert o311(env, f3).expect(200).json() != o311(env, f3).expect(200).json()
    assert o311_count(env, tag3) == 2
    # keys that are not keys
    for bad in ('""', "a" * 256, "kunci\\miring"):
        expect_error(o311(env, f3, bad), 400, contains="Idempotency-Key")
    assert o311_count(env, tag3) == 2


def test_open311_idempotency_key_is_the_clients(env):
    """Bound to the API key: another client's (another key's) same Idempotency-Key is another
    request; copies at the same moment file once and all get the same answer."""
    tag = unique("idemk")
    f = good(env, description="Lampu PJU padam di Jl. Majapahit %s" % tag)
    key = str(uuid.uuid4())
    a = o311(env, f, key).expect(200).json()
    other = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("o311b")],
                        db=env.shared_db).stdout.strip()
    b = o311(env, dict(f, api_key=other), key).expect(200).json()
    assert b[0]["service_request_id"] != a[0]["service_request_id"]
    assert o311_count(env, tag) == 2
    # the same key through a header rather than the field is the same client
    f2 = {k: v for k, v in f.items() if k != "api_key"}
    assert o311(env, f2, key, headers={"X-API-Key": api_key(env)}).expect(200).json() == a
    # at once
    tag2 = unique("idemrace")
    f = good(env, description="Air PDAM tidak mengalir %s" % tag2)
    key = str(uuid.uuid4())
    out = at_once(6, lambda i: o311(env, f, key))
    assert all(r.status == 200 for r in out), [(r.status, r.text[:300]) for r in out]
    assert len({r.text for r in out}) == 1, [r.text for r in out]
    assert o311_count(env, tag2) == 1
