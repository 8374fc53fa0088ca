"""
test_pg_inputs.py: input that SQLite took (or refused cleanly) but that made
the PostgreSQL backend fail with a database error (a 500), now refused with a
4xx and a message on both backends, while good input is still taken:

- a multipart/form-data field that is not UTF-8 or holds a NUL byte (any form
  may be sent as multipart; its plain fields were handed to the handlers
  unchecked, unlike urlencoded ones): PostgreSQL refused the sign-in query;
- an X-Forwarded-For address with bytes that are not UTF-8, or one cut in
  the middle of a character to fit: PostgreSQL refused the sign-in limit row;
- the administrator's user search cut in the middle of a character to fit
  its LIKE pattern;
- a username in the address of the admin's password and second-factor
  forms, cut in the middle of a character to fit, then looked up;
- a complaint category's OPD code cut in the middle of a character;
- command-line arguments that are not UTF-8 (SQLite stored them as they
  were, PostgreSQL failed the command).

The last test pins inputs that were checked and found safe on both (JSON
with \\u0000 or a huge number, LIKE with a trailing backslash, ids beyond
int64, far dates), so that they stay safe.
"""
import urllib.parse
import uuid

from harness import DEMO_PASSWORD, TENANT, check_sigap, clean_env, raw_request, raw_statuses, sigap_bin, unique, REPO

import subprocess

Q = urllib.parse.quote


def multipart(fields):
    """A multipart/form-data body of (name, str or bytes) fields, bytes sent as they are."""
    b = "----pgin" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        if isinstance(v, str):
            v = v.encode("utf-8")
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (b, k)).encode() + v + b"\r\n"
    out += ("--%s--\r\n" % b).encode()
    return out, "multipart/form-data; boundary=" + b


def new_user(env, role="warga", name=None):
    username = unique("pgi")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", username, "--name", name or "Pengguna Uji",
                 "--role", role], db=env.shared_db, input=DEMO_PASSWORD + "\n")
    return username


def sigap_bytes(args, db):
    """Runs sigap with arguments that may be bytes (not UTF-8); output as bytes."""
    return subprocess.run([sigap_bin()] + list(args) + ["--db", db.url], input=(DEMO_PASSWORD + "\n").encode(),
                          capture_output=True, cwd=REPO, env=clean_env(), timeout=120)


def test_multipart_field_not_utf8_is_refused(env):
    user = new_user(env)
    c = env.client()
    form = c.get("/t/%s/masuk" % TENANT).expect(200)
    for bad in (b"ab\xff\xfe", b"ab\xc3", b"ab\x00cd"):
        body, ct = multipart([("_csrf", form.csrf()), ("username", bad), ("password", "x")])
        r = c.request("POST", "/t/%s/masuk" % TENANT, body=body, headers={"Content-Type": ct})
        r.expect(400, contains="formulir tidak dapat dibaca")
    # a field of the complaint form, the JSON API's error shape and Open311's
    w = env.client()
    page = w.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    body, ct = multipart([("_csrf", page.csrf()), ("kind", "pengaduan"), ("description", "Lampu jalan mati lagi"),
                          ("category", b"pju\xff"), ("address", "Jl. Uji 1"), ("identity", "anonim")])
    w.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ct}).expect(
        400, contains="formulir tidak dapat dibaca")
    body, ct = multipart([("jurisdiction_id", TENANT), ("service_code", b"\xff"), ("description", "Jalan rusak")])
    r = w.request("POST", "/open311/v2/requests.json", body=body, headers={"Content-Type": ct})
    assert r.status == 400 and r.json()[0]["code"] == 400 and "tidak dapat dibaca" in r.json()[0]["description"], \
        r.describe() + r.text[:300]
    # good input sent as multipart still signs in
    c = env.client()
    form = c.get("/t/%s/masuk" % TENANT).expect(200)
    body, ct = multipart([("_csrf", form.csrf()), ("username", user), ("password", DEMO_PASSWORD)])
    r = c.request("POST", "/t/%s/masuk" % TENANT, body=body, headers={"Content-Type": ct})
    assert r.status == 303 and r.header("location") == "/t/%s/dasbor" % TENANT, r.describe() + r.text[:300]


def test_forwarded_for_that_is_no_address(env):
    db = env.new_db()
    srv = env.start_server(db=db)
    user = unique("pgx")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", user, "--name", "Pengguna Uji", "--role", "warga"],
                db=db, input=DEMO_PASSWORD + "\n")
    for xff in (b"10.1.1.\xff\xfe", ("a" * 59 + "\u20ac").encode("utf-8"), b"\xc3"):
        c = srv.client(ip="")
        form = c.get("/t/%s/masuk" % TENANT).expect(200)
        r = c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": user, "password": "salah"},
                        headers={"X-Forwarded-For": xff})
        r.expect(401)
        r = c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": user, "password": DEMO_PASSWORD},
                        headers={"X-Forwarded-For": xff})
        assert r.status == 303, r.describe() + r.text[:300]
    # the address counted instead is the peer's, and every subject is text
    subjects = [row[0] for row in db.sql("SELECT subject FROM login_attempts")]
    assert all(isinstance(s, str) for s in subjects), subjects
    # a complaint filed through such a proxy line is taken too
    c = srv.client(ip="")
    page = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    body, ct = multipart([("_csrf", page.csrf()), ("kind", "pengaduan"), ("description", "Lampu jalan mati lagi"),
                          ("category", "pju"), ("address", "Jl. Uji Proksi 1"), ("identity", "anonim")])
    r = c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
                  headers={"Content-Type": ct, "X-Forwarded-For": b"\xff\xfe"})
    assert r.status in (200, 303), r.describe() + r.text[:300]
    assert db.sql("SELECT count(*) FROM complaints WHERE address = 'Jl. Uji Proksi 1'")[0][0] in (1, "1")
    # raw: a header line of high bytes only, on the wire as sent
    out = raw_request(srv.port, b"GET /t/52.71/masuk HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: \xff\xfe\xfd\r\n"
                                b"Connection: close\r\n\r\n")
    assert raw_statuses(out) == [200], out[:300]


def test_admin_user_search_cut_inside_a_character(env):
    name = "Zo\u00eb \u20acuro " + unique("n")
    user = new_user(env, name=name)
    a = env.client()
    a.login(TENANT, "admin")
    # 97 escaped '%' fill the pattern so that the euro sign falls on its end
    for q in ("%" * 97 + "\u20ac", "_" * 98 + "\u00e9", "\u20ac" * 33):
        assert len(q.encode("utf-8")) <= 100
        a.get("/t/%s/admin/pengguna?q=%s" % (TENANT, Q(q))).expect(200, contains="Pengguna")
    # good input: a name with characters beyond ASCII is found
    r = a.get("/t/%s/admin/pengguna?q=%s" % (TENANT, Q("zo\u00eb \u20acuro"))).expect(200)
    assert "/admin/pengguna/%s" % user in r.text, r.text[:2000]
    r = a.get("/t/%s/admin/pengguna?q=%s" % (TENANT, Q("ab\\"))).expect(200)


def test_admin_user_forms_with_a_username_too_long(env):
    a = env.client()
    a.login(TENANT, "admin")
    csrf = a.session_csrf(TENANT)
    long_name = Q("a" * 70 + "\u00e9")  # 72 bytes: cut to 71, half of the last character
    for path, fields in (("sandi", {"new": "", "confirm": ""}),
                         ("sandi", {"new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-2"}),
                         ("dua-langkah", {"version": "1"}),
                         ("status", {"disabled": "1", "version": "1"}),
                         ("peran", {"role": "warga", "unit": "", "version": "1"})):
        f = {"_csrf": csrf}
        f.update(fields)
        a.post_form("/t/%s/admin/pengguna/%s/%s" % (TENANT, long_name, path), f).expect(
            404, contains="pengguna tidak ditemukan")
    # good input: the same form for a user who exists
    user = new_user(env)
    page = a.get("/t/%s/admin/pengguna/%s" % (TENANT, user)).expect(200)
    a.post_form("/t/%s/admin/pengguna/%s/sandi" % (TENANT, user),
                {"_csrf": csrf, "new": "", "confirm": ""}).expect(400, contains="wajib diisi")
    assert page.status == 200


def test_complaint_category_unit_cut_inside_a_character(env):
    k = env.client()
    k.login(TENANT, "koordinator")
    csrf = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200).csrf()
    code = "pg" + uuid.uuid4().hex[:8]
    for unit in ("A" * 30 + "\u00e9", "D" * 4000):
        k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                    {"_csrf": csrf, "code": code, "name": "Uji", "unit": unit, "sla_class": "sederhana"}).expect(
            400, contains="OPD tidak dikenal")
    # good input is stored
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": code, "name": "Uji \u00e9\u20ac", "unit": "DLH",
                 "sla_class": "sederhana"}).expect(303)
    rows = env.shared_db.sql("SELECT name, unit FROM complaints_categories WHERE tenant = '%s' AND code = '%s'"
                             % (TENANT, code))
    assert [tuple(r) for r in rows] == [("Uji \u00e9\u20ac", "DLH")], rows


def test_cli_arguments_not_utf8(env):
    db = env.new_db()
    code = "PG" + uuid.uuid4().hex[:6].upper()
    cases = [
        ["unit", "add", "--tenant", TENANT, "--code", code, "--name", b"Dinas \xff"],
        ["unit", "add", "--tenant", TENANT, "--code", b"X\xff", "--name", "Dinas"],
        ["user", "add", "--tenant", TENANT, "--username", unique("pgc"), "--name", b"Na\xffma", "--role", "warga"],
        ["holiday", "add", "--tenant", TENANT, "--date", "2026-03-03", "--name", b"Libur \xc3"],
        ["apikey", "create", "--tenant", TENANT, "--name", b"k\xff"],
        ["apikey", "revoke", "--tenant", TENANT, b"\xff"],
        ["user", "passwd", "--tenant", TENANT, "--username", b"\xff"],
        ["user", "2fa-reset", "--tenant", TENANT, "--username", b"\xff"],
        ["unit", "list", "--tenant", b"\xff"],
        ["audit", "verify", "--tenant", b"\xff"],
    ]
    for args in cases:
        p = sigap_bytes(args, db)
        assert p.returncode == 2 and b"not valid UTF-8" in p.stderr, (args, p.returncode, p.stdout, p.stderr)
    assert db.sql("SELECT count(*) FROM units WHERE code = '%s'" % code)[0][0] in (0, "0")
    # good input with characters beyond ASCII is stored
    p = sigap_bytes(["unit", "add", "--tenant", TENANT, "--code", code, "--name", "Dinas Pariwisata \u00c9\u20ac"], db)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert [tuple(r) for r in db.sql("SELECT name FROM units WHERE code = '%s'" % code)] == \
        [("Dinas Pariwisata \u00c9\u20ac",)]
    p = sigap_bytes(["holiday", "add", "--tenant", TENANT, "--date", "2026-03-03", "--name", "Libur \u00e9"], db)
    assert p.returncode == 0, (p.stdout, p.stderr)


def test_inputs_found_safe_stay_safe(env):
    """Checked on both backends and found refused or taken cleanly."""
    c = env.client()
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("pgs"), "--role", "admin"],
                      db=env.shared_db).stdout.strip()
    h = {"X-API-Key": key}
    # JSON: \u0000, a number beyond int64, bad UTF-8
    c.post_json("/api/v1/t/%s/services" % TENANT, '{"code":"pgy","unit":"DLH","name":"A\\u0000B"}',
                headers=h).expect_json_error(400, code="invalid", message="JSON tidak valid")
    c.post_json("/api/v1/t/%s/services" % TENANT, '{"code":"pgz","unit":"DLH","name":"AB","fee":99999999999999999999999}',
                headers=h).expect_json_error(400, code="invalid", message="JSON tidak valid")
    c.post_json("/api/v1/t/%s/services" % TENANT, b'{"code":"pgz","name":"\xff"}',
                headers=h).expect_json_error(400, code="invalid")
    # LIKE with a trailing backslash, a query string that is not UTF-8, a NUL
    c.get("/api/v1/regions?q=%s" % Q("mata\\")).expect(200)
    c.get("/api/v1/regions?q=%ff").expect(400)
    c.get("/t/%s/pengaduan?kategori=a%%00b" % TENANT).expect(400)
    # numbers beyond int64 and huge pages
    r = c.get("/open311/v2/requests/99999999999999999999.json?jurisdiction_id=%s" % TENANT)
    assert r.status == 404, r.describe()
    r = c.get("/open311/v2/requests.json?jurisdiction_id=%s&service_request_id=%s" % (TENANT, "9" * 30))
    assert r.status == 400, r.describe()
    c.get("/t/%s/pengaduan?hal=99999999999999999999" % TENANT).expect(400)
    c.get("/api/v1/regions?limit=99999999999999999999").expect(400)
    # far dates
    r = c.get("/open311/v2/requests.json?jurisdiction_id=%s&start_date=%s&end_date=%s"
              % (TENANT, Q("0001-01-01T00:00:00Z"), Q("0001-01-02T00:00:00Z")))
    assert r.status in (200, 400), r.describe()
    # long text into indexed columns: Open311 service_code, a complaint list filter
    r = c.post_form("/open311/v2/requests.json", {"api_key": key, "jurisdiction_id": TENANT, "service_code": "x" * 5000,
                                                  "description": "Jalan rusak parah di sini", "address_string": "Jl. X"})
    assert r.status in (400, 403, 404), r.describe() + r.text[:200]
    c.get("/t/%s/pengaduan?kelurahan=%s" % (TENANT, "5" * 3000)).expect(200)
