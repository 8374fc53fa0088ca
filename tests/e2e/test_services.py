"""
test_services.py: the public-services journey through the real server:
an administrator adds a service through the API (bad definitions refused
with the line number), the public reads the catalogue and standar
pelayanan, a citizen applies through the multipart web form (missing
file, wrong file type, bad NIK and missing fields refused with nothing
saved), gets a registration number, a receipt PDF and a QR verification
page, tracks the application anonymously without personal data; the OPD
officer verifies and returns it for correction, the citizen resubmits,
the kepala OPD approves; another OPD's officer, another tenant's user and
another citizen are refused. The JSON API files (base64 files), reads,
tracks, verifies and cancels.
"""
import base64
import json
import re
import uuid

from harness import TENANT

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
NIK = "5271014101900001"      # Kota Mataram, Ampenan; a woman born 1 January 1990
FORM = ("nama | text | Nama lengkap | wajib | Sesuai KTP\n"
        "nik_pemohon | nik | NIK pemohon | wajib\n"
        "keperluan | choice | Keperluan | wajib | | Baru; Perubahan\n"
        "kk | file | Kartu keluarga | wajib\n")
STEPS = "Verifikasi berkas | petugas\nProses teknis | petugas\nPersetujuan Kepala OPD | kepala_opd\n"


def multipart(fields, files=()):
    boundary = "----sigap" + uuid.uuid4().hex
    out = []
    for k, v in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode())
    for k, name, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: application/octet-stream\r\n\r\n" % (boundary, k, name)).encode() + data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return b"".join(out), "multipart/form-data; boundary=" + boundary


def post_mp(c, path, fields, files=()):
    body, ct = multipart(fields, files)
    return c.request("POST", path, body=body, headers={"Content-Type": ct})


def api(c, method, path, obj=None, csrf=None):
    h = {"Content-Type": "application/json"}
    if csrf:
        h["X-CSRF-Token"] = csrf
    return c.request(method, path, body=json.dumps(obj) if obj is not None else None, headers=h)


def new_service(env, code=None):
    """Creates a service in DISDUKCAPIL through the API as admin; returns its code."""
    code = code or "uji-" + uuid.uuid4().hex[:8]
    c = env.client()
    c.login(TENANT, "admin")
    csrf = c.session_csrf(TENANT)
    svc = {"code": code, "unit": "DISDUKCAPIL", "name": "Layanan Uji " + code, "category": "Kependudukan",
           "summary": "Layanan untuk pengujian.", "requirements": ["Kartu keluarga"], "procedure": ["Ajukan", "Verifikasi"],
           "sla_days": 3, "fee": 0, "product": "Dokumen uji", "complaints": "Melalui menu Pengaduan.",
           "legal_basis": ["Peraturan uji"], "form": FORM, "steps": STEPS}
    r = api(c, "POST", "/api/v1/t/%s/services" % TENANT, svc, csrf)
    assert r.status == 201, r.text
    j = r.json()
    assert j["code"] == code and j["version"] == 1 and len(j["form"]) == 4 and len(j["steps"]) == 3, j
    return code, c, csrf


def app_count(env):
    return int(env.shared_db.sql("SELECT COUNT(*) FROM services_apps")[0][0])


def test_catalogue_admin_api_and_public_pages(env):
    code, admin, csrf = new_service(env)
    # bad definitions: a clear error with the line, nothing saved
    bad = {"code": code + "x", "unit": "DISDUKCAPIL", "name": "Salah", "category": "K", "summary": "s",
           "requirements": ["a"], "procedure": ["b"], "sla_days": 3, "product": "p", "complaints": "c",
           "legal_basis": ["d"], "form": "nama | text | Nama\numur | jam | Umur\n", "steps": STEPS}
    e = api(admin, "POST", "/api/v1/t/%s/services" % TENANT, bad, csrf).expect_json_error(400, code="invalid")
    assert "2" in e["message"], e
    bad["form"], bad["unit"] = FORM, "TIDAKADA"
    api(admin, "POST", "/api/v1/t/%s/services" % TENANT, bad, csrf).expect_json_error(400)
    api(admin, "POST", "/api/v1/t/%s/services" % TENANT, dict(bad, unit="DISDUKCAPIL", code=code), csrf) \
        .expect_json_error(409, code="exists")
    # citizens may not edit the catalogue
    w = env.client()
    w.login(TENANT, "warga")
    api(w, "POST", "/api/v1/t/%s/services" % TENANT, bad, w.session_csrf(TENANT)).expect_json_error(403)
    # edit: a new version; a stale row_version is a conflict
    cur = admin.get("/api/v1/t/%s/services/%s" % (TENANT, code)).expect(200).json()
    upd = dict(cur, sla_days=5, form=FORM, steps=STEPS)
    r = api(admin, "PUT", "/api/v1/t/%s/services/%s" % (TENANT, code), upd, csrf)
    assert r.status == 200 and r.json()["version"] == 2 and r.json()["sla_days"] == 5, r.text
    api(admin, "PUT", "/api/v1/t/%s/services/%s" % (TENANT, code), upd, csrf).expect_json_error(409)
    old = admin.get("/api/v1/t/%s/services/%s?version=1" % (TENANT, code)).expect(200).json()
    assert old["sla_days"] == 3 and old["current"] is False, old
    # public pages
    p = env.client()
    page = p.get("/t/%s/layanan" % TENANT).expect(200, contains=code)
    assert "Layanan Uji" in page.text
    p.get("/t/%s/layanan?q=%s" % (TENANT, code)).expect(200, contains=code)
    d = p.get("/t/%s/layanan/%s" % (TENANT, code)).expect(200, contains="Persyaratan")
    for s in ("Kartu keluarga", "5 hari kerja", "Gratis", "Peraturan uji", "Persetujuan Kepala OPD"):
        assert s in d.text, s
    p.get("/t/%s/layanan/tidak-ada" % TENANT).expect(404)
    lst = p.get("/api/v1/t/%s/services?q=%s" % (TENANT, code)).expect(200).json()["services"]
    assert [s["code"] for s in lst] == [code], lst
    # the admin editor renders
    admin.get("/t/%s/admin/layanan" % TENANT).expect(200, contains=code)
    admin.get("/t/%s/admin/layanan/%s" % (TENANT, code)).expect(200, contains="kepala_opd")


def test_journey_apply_return_resubmit_approve_verify(env):
    code, _admin, _ = new_service(env)
    w = env.client()
    w.login(TENANT, "warga")
    form = w.get("/t/%s/layanan/%s/ajukan" % (TENANT, code)).expect(200, contains="NIK pemohon")
    csrf = form.csrf()
    path = "/t/%s/layanan/%s/ajukan" % (TENANT, code)
    good = [("_csrf", csrf), ("nama", "Baiq Nurul Aini"), ("nik_pemohon", NIK), ("keperluan", "Baru")]
    before = app_count(env)
    # bad input: each refused with a clear message, nothing saved
    r = post_mp(w, path, good).expect(400)
    assert "Kartu keluarga" in r.text and "wajib" in r.text, r.text[:2000]
    r = post_mp(w, path, good, [("kk", "kk.pdf", b"just some text, not a pdf")]).expect(415)
    assert "PDF, JPEG atau PNG" in r.text
    r = post_mp(w, path, [("_csrf", csrf), ("nama", "X"), ("nik_pemohon", "5271013202900001"), ("keperluan", "Baru")],
                [("kk", "kk.pdf", PDF)]).expect(400)
    assert "NIK" in r.text
    post_mp(w, path, [("_csrf", csrf), ("nik_pemohon", NIK), ("keperluan", "Baru")], [("kk", "kk.pdf", PDF)]).expect(400)
    post_mp(w, path, good[:3] + [("keperluan", "Lain")], [("kk", "kk.pdf", PDF)]).expect(400)
    post_mp(w, path, [("_csrf", "0" * 64)] + good[1:], [("kk", "kk.pdf", PDF)]).expect(403)
    big = PDF + b" " * (5 * 1024 * 1024)
    post_mp(w, path, good, [("kk", "kk.pdf", big)]).expect(413)
    assert app_count(env) == before
    # a good one
    r = post_mp(w, path, good, [("kk", "kk.png", PNG)])
    assert r.status == 303, r.text[:2000]
    loc = r.header("location")
    m = re.match(r"^/t/%s/permohonan/(\d+)\?baru=1$" % re.escape(TENANT), loc)
    assert m, loc
    app_id = m.group(1)
    page = w.get(loc).expect(200)
    number = re.search(r"52\.71/PMH/\d{4}/\d{6}", page.text).group(0)
    assert "5271********0001" in page.text and NIK not in page.text
    assert "<svg" in page.text
    code_v = re.search(r"/v/([0-9a-f]{32})", page.text).group(1)
    rc = w.get("/t/%s/permohonan/%s/tanda-terima.pdf" % (TENANT, app_id)).expect(200, ctype="application/pdf")
    assert rc.body.startswith(b"%PDF-")
    w.get("/t/%s/permohonan/%s/berkas/kk" % (TENANT, app_id)).expect(200, ctype="image/png")
    # public verification and tracking: no personal data
    anon = env.client()
    v = anon.get("/v/" + code_v).expect(200, contains=number)
    assert "Baiq" not in v.text and NIK not in v.text
    anon.get("/v/" + "0" * 32).expect(404)
    t = anon.get("/t/%s/lacak?nomor=%s" % (TENANT, number)).expect(200, contains="Sedang diproses")
    assert "Baiq" not in t.text and "5271" not in t.text.replace(number, "")
    anon.get("/t/%s/lacak?nomor=52.71/PMH/2020/999999" % TENANT).expect(404)
    tj = anon.get("/api/v1/t/%s/track?number=%s" % (TENANT, number)).expect(200).json()
    assert tj["state"] == "proses" and "Baiq" not in json.dumps(tj), tj
    anon.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(303)          # login needed
    anon.get("/api/v1/t/%s/applications/%s" % (TENANT, app_id)).expect_json_error(401)

    # the officer's queue and actions
    o = env.client()
    o.login(TENANT, "petugas")
    o.get("/t/%s/antrian" % TENANT).expect(200, contains=number)
    op = o.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(200, contains=NIK)
    ocsrf = op.csrf()
    act = "/t/%s/permohonan/%s/aksi" % (TENANT, app_id)
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "return", "text": ""}).expect(400)
    o.post_form(act, {"_csrf": ocsrf, "op": "note", "text": "catatan internal rahasia"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "return", "text": "Scan kartu keluarga buram"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(409)
    # the citizen sees the reason, not the internal note, and resubmits
    page = w.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(200, contains="Scan kartu keluarga buram")
    assert "catatan internal rahasia" not in page.text
    assert "Dikembalikan untuk perbaikan" in page.text
    ver = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = post_mp(w, "/t/%s/permohonan/%s/perbaiki" % (TENANT, app_id),
                [("_csrf", page.csrf()), ("version", ver), ("nama", "Baiq Nurul Aini"), ("nik_pemohon", NIK),
                 ("keperluan", "Perubahan")], [("kk", "kk2.pdf", PDF)])
    assert r.status == 303, r.text[:1500]
    rows = env.shared_db.sql("SELECT COUNT(*) FROM audit_log WHERE action IN ('services.sla_pause', 'services.sla_resume') "
                             "AND object = 'application:%s'" % app_id)
    assert int(rows[0][0]) == 2, rows
    # through the steps; the last needs the kepala OPD
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(403)
    k = env.client()
    k.login(TENANT, "kepala_opd")
    kp = k.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(200)
    k.post_form(act, {"_csrf": kp.csrf(), "op": "advance"}).expect(303)
    r = post_mp(k, "/t/%s/permohonan/%s/hasil" % (TENANT, app_id), [("_csrf", kp.csrf())], [("hasil", "ktp.pdf", PDF)])
    assert r.status == 409, r.text[:500]     # closed already
    j = w.get("/api/v1/t/%s/applications/%s" % (TENANT, app_id)).expect(200).json()
    assert j["state"] == "selesai" and j["values"]["keperluan"] == "Perubahan", j
    assert j["nik"] == "5271********0001"
    v = anon.get("/api/v1/verify/" + code_v).expect(200).json()
    assert v["valid"] is True and v["state"] == "selesai" and v["number"] == number, v


def test_isolation_other_opd_tenant_and_citizen(env):
    code, admin, _ = new_service(env)
    w = env.client()
    w.login(TENANT, "warga")
    csrf = w.session_csrf(TENANT)
    r = api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
            {"service": code, "values": {"nama": "Baiq", "nik_pemohon": NIK, "keperluan": "Baru"},
             "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(PDF).decode()}}}, csrf)
    assert r.status == 201, r.text
    app_id = r.json()["id"]
    # another OPD's officer
    page = admin.get("/t/%s/admin/pengguna" % TENANT).expect(200)
    uname = "ptg" + uuid.uuid4().hex[:6]
    admin.post_form("/t/%s/admin/pengguna" % TENANT, {"_csrf": page.csrf(), "username": uname, "full_name": "Petugas Lain",
                                                     "role": "petugas", "unit": "DPMPTSP", "password": "kata-sandi-uji-123"}).expect(200)
    o = env.client()
    o.login(TENANT, uname, password="kata-sandi-uji-123")
    oc = o.session_csrf(TENANT)
    api(o, "GET", "/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect_json_error(403)
    api(o, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance"}, oc).expect_json_error(403)
    assert all(a["id"] != app_id for a in o.get("/api/v1/t/%s/queue" % TENANT).expect(200).json()["applications"])
    # another tenant's officer: the login does not hold in 52.71
    t2 = env.client()
    t2.login("52", "petugas")
    api(t2, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance"},
        t2.session_csrf("52")).expect_json_error(401)
    # (another citizen's access is covered by tests/unit/services_store_test.c: the demo has one warga)
    # the citizen cannot act as officer; a stale version is a conflict
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance"}, csrf).expect_json_error(403)
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel", "version": 99}, csrf) \
        .expect_json_error(409)
    r = api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel"}, csrf).expect(200)
    assert r.json()["state"] == "dibatalkan"
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel"}, csrf).expect_json_error(409)
    # API bad input
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, {"service": code, "values": {"nama": "B", "nik_pemohon": "1"}},
        csrf).expect_json_error(400)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, {"service": "tidak-ada", "values": {}}, csrf).expect_json_error(404)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
        {"service": code, "values": {"nama": "Baiq", "nik_pemohon": NIK, "keperluan": "Baru"},
         "files": {"kk": {"content_base64": "!!!"}}}, csrf).expect_json_error(400)
    mine = w.get("/api/v1/t/%s/applications" % TENANT).expect(200).json()["applications"]
    assert any(a["id"] == app_id and a["state"] == "dibatalkan" for a in mine), mine
    # officers do not apply
    k = env.client()
    k.login(TENANT, "petugas")
    api(k, "POST", "/api/v1/t/%s/applications" % TENANT, {"service": code, "values": {}}, k.session_csrf(TENANT)) \
        .expect_json_error(403)
