"""
test_complaint_limits.py: how fast complaints may be filed (docs/complaints.md,
"Limits on intake").

Open311 POST is limited per API key (a key's own --rate-limit per minute, or
the server's complaint-limit-apikey; 0 = none), the web form per client
address or per signed-in citizen (complaint-limit-address / -user within
complaint-limit-window). Over the limit: 429 with Retry-After, in the
Open311 error format (JSON and XML) or as the form again with what was
typed, in Indonesian or English - and nothing stored. The counters live in
the database, so two instances on one database share them, and requests
sent at the same moment cannot get past the limit together.
"""
import re
import threading
import uuid
import xml.etree.ElementTree as ET

from harness import TENANT, check_sigap, run_sigap, unique

O311 = "/open311/v2/requests."
FORM = "/t/%s/pengaduan/baru" % TENANT


def new_key(db, *extra):
    return check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("lim")] + list(extra),
                       db=db).stdout.strip()


def o311(c, key, fmt="json", n=0):
    return c.post_form(O311 + fmt, {
        "jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921", "long": "116.0893",
        "description": "Sampah menumpuk di TPS nomor %d %s" % (n, uuid.uuid4().hex[:8])})


def count(db, where="1 = 1"):
    return int(db.sql("SELECT COUNT(*) FROM complaints WHERE " + where)[0][0])


def expect_429(r, fmt="json"):
    """The specification's error list with code 429, and a Retry-After of 1..60 s."""
    assert r.status == 429, "%s, expected 429: %s" % (r.describe(), r.text[:400])
    ra = r.header("retry-after")
    assert ra and ra.isdigit() and 1 <= int(ra) <= 60, ra
    if fmt == "json":
        assert (r.header("content-type") or "").startswith("application/json"), r.header("content-type")
        j = r.json()
        assert isinstance(j, list) and len(j) == 1 and j[0]["code"] == 429, j
        return j[0]["description"]
    root = ET.fromstring(r.body)
    assert root.tag == "errors" and len(root.findall("error")) == 1, r.text
    assert root.find("error").findtext("code") == "429", r.text
    return root.find("error").findtext("description")


def multipart(fields):
    boundary = "----sigap" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


def file_web(c, description, identity="anonim", headers=None):
    form = c.get(FORM, headers=headers).expect(200)
    body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Lampu jalan mati"),
                             ("description", description), ("category", "pju"), ("identity", identity),
                             ("address", "Jl. Langko depan kantor pos")])
    h = {"Content-Type": ctype}
    h.update(headers or {})
    return c.request("POST", FORM, body=body, headers=h)


# ------------------------------------------------------------------ Open311, per API key

def test_open311_key_limit_refuses_and_stores_nothing(env):
    """A key made with --rate-limit 3 files 3 complaints a minute; the 4th (JSON or XML) is a 429 in
    the Open311 error format with Retry-After, and leaves nothing behind: no complaint, no count."""
    db = env.new_db()
    srv = env.start_server(db)
    key = new_key(db, "--rate-limit", "3")
    c = srv.client()
    before = count(db)
    for i in range(3):
        o311(c, key, n=i).expect(200)
    desc = expect_429(o311(c, key, n=3))
    assert "api_key ini boleh 3 laporan per menit" in desc, desc
    desc = expect_429(o311(c, key, "xml", n=4), "xml")
    assert "api_key ini boleh 3 laporan per menit" in desc, desc
    r = c.post_form(O311 + "json", {"jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah",
                                    "lat": "-8.59", "long": "116.08", "description": "x"},
                    headers={"Accept-Language": "en"})
    assert "this api_key has reached its limit of complaints per minute (3)" in expect_429(r), r.text
    # nothing stored for the refused ones, and they did not count
    assert count(db) == before + 3
    subj = db.sql("SELECT id FROM api_keys WHERE prefix = '%s'" % key[4:16])[0][0]
    assert [tuple(str(v) for v in row) for row in
            db.sql("SELECT hits FROM complaints_rate WHERE subject = 'key:%s'" % subj)] == [("3",)]
    # another key of the tenant is not held back
    o311(c, new_key(db, "--rate-limit", "3")).expect(200)
    srv.stop()


def test_open311_key_override_default_and_unlimited(env):
    """The server's default (complaint-limit-apikey) holds for a key made without --rate-limit; a
    key's own limit wins over it, higher or lower; --rate-limit 0 is no limit and keeps no counter."""
    db = env.new_db()
    srv = env.start_server(db, args=["--complaint-limit-apikey", "4"])
    c = srv.client()
    default, own, unlimited = new_key(db), new_key(db, "--rate-limit", "6"), new_key(db, "--rate-limit", "0")
    for i in range(4):
        o311(c, default, n=i).expect(200)
    assert "api_key ini boleh 4 laporan" in expect_429(o311(c, default))
    for i in range(6):
        o311(c, own, n=i).expect(200)
    assert "api_key ini boleh 6 laporan" in expect_429(o311(c, own))
    for i in range(25):
        o311(c, unlimited, n=i).expect(200)
    kid = db.sql("SELECT id FROM api_keys WHERE prefix = '%s'" % unlimited[4:16])[0][0]
    assert int(db.sql("SELECT COUNT(*) FROM complaints_rate WHERE subject = 'key:%s'" % kid)[0][0]) == 0
    # the key's limit is in the audit log and the table
    assert [tuple(str(v) for v in row) for row in
            db.sql("SELECT rate_limit FROM api_keys WHERE prefix = '%s'" % own[4:16])] == [("6",)]
    assert [tuple(str(v) for v in row) for row in
            db.sql("SELECT COALESCE(rate_limit, -1) FROM api_keys WHERE prefix = '%s'" % default[4:16])] == [("-1",)]
    summ = db.sql("SELECT summary FROM audit_log WHERE action = 'apikey.create' AND object = '%s'" % own[4:16])
    assert "rate_limit=6" in summ[0][0], summ
    # a server with no default: a key without its own limit files freely
    srv.stop()
    srv = env.start_server(db, args=["--complaint-limit-apikey", "0"])
    c = srv.client()
    for i in range(8):
        o311(c, default, n=10 + i).expect(200)
    srv.stop()


def test_open311_limit_exact_under_concurrency(env):
    """40 requests sent at once with a key limited to 10 a minute: exactly 10 are stored, 30 get 429
    (the count in the complaint's own transaction refuses what got past the check together)."""
    db = env.new_db()
    srv = env.start_server(db)
    key = new_key(db, "--rate-limit", "10")
    before = count(db)
    statuses, lock = [], threading.Lock()

    def worker(i):
        r = o311(srv.client(), key, n=i)
        with lock:
            statuses.append(r.status)
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(40)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert sorted(set(statuses)) == [200, 429], statuses
    assert statuses.count(200) == 10, statuses
    assert count(db) == before + 10
    srv.stop()


def test_limits_shared_by_two_instances(env):
    """Two instances on one database count against the same limits: a key's, and an address's on
    the web form; requests at the same moment to both cannot get past it together."""
    db = env.new_db()
    args = ["--complaint-limit-address", "3"]
    a, b = env.start_server(db, args=args), env.start_server(db, args=args)
    key = new_key(db, "--rate-limit", "4")
    before = count(db)
    o311(a.client(), key, n=1).expect(200)
    o311(b.client(), key, n=2).expect(200)
    o311(a.client(), key, n=3).expect(200)
    o311(b.client(), key, n=4).expect(200)
    expect_429(o311(a.client(), key, n=5))
    expect_429(o311(b.client(), key, n=6))
    assert count(db) == before + 4
    # the web form: one address, through both instances
    ip = "10.77.0.9"
    file_web(a.client(ip), "Lampu jalan mati satu").expect(303)
    file_web(b.client(ip), "Lampu jalan mati dua").expect(303)
    file_web(a.client(ip), "Lampu jalan mati tiga").expect(303)
    file_web(b.client(ip), "Lampu jalan mati empat").expect(429)
    file_web(a.client(ip), "Lampu jalan mati lima").expect(429)
    assert count(db) == before + 7
    # at the same moment, 12 a side, a key limited to 6: exactly 6
    key2 = new_key(db, "--rate-limit", "6")
    statuses, lock = [], threading.Lock()

    def worker(srv, i):
        r = o311(srv.client(), key2, n=i)
        with lock:
            statuses.append(r.status)
    ts = [threading.Thread(target=worker, args=(a if i % 2 else b, i)) for i in range(24)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert statuses.count(200) == 6 and statuses.count(429) == 18, statuses
    assert count(db) == before + 13
    a.stop()
    b.stop()


# ------------------------------------------------------------------ the web form

def test_web_form_limit_429_keeps_what_was_typed(env):
    """An address over its limit gets the form again as a 429 with Retry-After, what was typed still
    in it, in Indonesian (English with the English interface); nothing stored. Another address still
    files; a signed-in citizen is counted per account, not by the shared address; one filing
    anonymously is counted by the address (no counter ties the account to that report)."""
    db = env.new_db()
    srv = env.start_server(db, args=["--complaint-limit-address", "2", "--complaint-limit-user", "1",
                                     "--complaint-limit-window", "600"])
    ip = "10.88.0.7"
    c = srv.client(ip)
    before = count(db)
    file_web(c, "Lampu jalan mati di Jl. Langko, nomor satu").expect(303)
    file_web(c, "Lampu jalan mati di Jl. Langko, nomor dua").expect(303)
    typed = "Lampu jalan mati di Jl. Langko sudah seminggu, gelap & rawan <malam>"
    r = file_web(c, typed)
    r.expect(429, contains="laporan belum terkirim: terlalu banyak laporan dari jaringan yang sama",
             ctype="text/html")
    ra = r.header("retry-after")
    assert ra and ra.isdigit() and 540 <= int(ra) <= 600, ra
    m = re.search(r"coba lagi dalam (\d+) menit", r.text)
    assert m and 9 <= int(m.group(1)) <= 10, r.text[:1500]
    # the form again, with what was typed
    assert "Lampu jalan mati di Jl. Langko sudah seminggu, gelap &amp; rawan &lt;malam&gt;" in r.text, r.text
    assert 'value="Lampu jalan mati"' in r.text and "Jl. Langko depan kantor pos" in r.text
    assert 'name="_csrf"' in r.text
    assert count(db) == before + 2
    assert count(db, "description LIKE '%sudah seminggu%'") == 0
    # in English
    r = file_web(c, typed, headers={"Accept-Language": "en"})
    r.expect(429, contains="too many reports from the same internet connection")
    # another address is not held back
    file_web(srv.client("10.88.0.8"), "Lampu jalan mati di tempat lain").expect(303)
    # a citizen signed in from the held address: counted per account (1 here), then refused
    w = srv.client(ip)
    w.login(TENANT, "warga")
    r = file_web(w, "Laporan warga yang masuk dengan akun", identity="terbuka").expect(303)
    r = file_web(w, "Laporan kedua warga yang masuk dengan akun", identity="terbuka")
    r.expect(429, contains="akun Anda mengirim terlalu banyak laporan")
    assert "Laporan kedua warga yang masuk dengan akun" in r.text
    # filing anonymously while signed in: counted by the (held) address
    file_web(w, "Laporan anonim dari akun", identity="anonim").expect(429, contains="dari jaringan yang sama")
    assert count(db) == before + 4
    # officials are not limited (the harness signs officials in with the password alone)
    k = srv.client(ip)
    k.login(TENANT, "koordinator")
    for i in range(3):
        file_web(k, "Laporan yang dicatat koordinator %d" % i, identity="terbuka").expect(303)
    assert count(db) == before + 7
    srv.stop()


def test_limit_settings_and_cli(env):
    """The settings are checked at start-up, and apikey create --rate-limit takes 0 to 1000000."""
    db = env.new_db()
    for args, msg in ((["--complaint-limit-window", "10"], "--complaint-limit-window must be between 60 and 86400"),
                      (["--complaint-limit-address", "-1"], "--complaint-limit-address must be between 0 and 100000"),
                      (["--complaint-limit-apikey", "x"], "complaint-limit-apikey must be a whole number")):
        p = run_sigap(["serve"] + args, db=db)
        assert p.returncode == 2 and msg in p.stderr, (args, p.returncode, p.stderr)
    for bad in ("-1", "abc", "1000001", "", "5x"):
        p = run_sigap(["apikey", "create", "--tenant", TENANT, "--name", "x", "--rate-limit", bad], db=db)
        assert p.returncode == 2 and "--rate-limit must be a number of complaints per minute" in p.stderr, (bad, p.stderr)
    p = run_sigap(["apikey", "revoke", "--tenant", TENANT, "abc", "--rate-limit", "5"], db=db)
    assert p.returncode == 2 and "usage" in p.stderr, p.stderr
    p = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "bulk", "--rate-limit", "0"], db=db)
    assert p.stdout.startswith("sgp_") and "no limit on complaints" in p.stderr, p.stderr
    p = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "app", "--rate-limit", "90"], db=db)
    assert "at most 90 complaints a minute" in p.stderr, p.stderr
    h = check_sigap(["help"]).stdout
    assert "--rate-limit N" in h and "complaint-limit-address" in h, h
