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
tracks, verifies and cancels. Overseers get the form's NIK masked from the
API as on the page; route words are refused as service codes; control
characters, noncharacters and wrong JSON types are refused with 400; the
owning OPD keeps reading an application a workflow step moved to another
OPD; the application page says how late it is, drops an old reason, labels
its history, and keeps an officer's text when the action fails. A refused
correction says why in the correction form and keeps what was typed; a form
sent twice (its nonce) files once; cancelling needs a tick; a birth date in
the future or no calendar day is refused; tracking takes a number as typed
and leads a complaint number to the complaint; states and "N working days"
read right in English; catalogue search matches every word; the receipt
lists files by label with sizes in KB/MB and prints the tracking address.
"""
import base64
import datetime
import html
import json
import os
import re
import urllib.parse
import uuid

from harness import DEMO_PASSWORD, TENANT, check_sigap, pdf_text

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
EPOCH = datetime.date(1970, 1, 1).toordinal()    # due_day counts days from 1970-01-01
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


def new_service(env, code=None, steps=STEPS, admin=None):
    """Creates a service in DISDUKCAPIL through the API as admin (admin: a signed-in client of another
    server than the shared one); returns its code."""
    code = code or "uji-" + uuid.uuid4().hex[:8]
    c = admin
    if c is None:
        c = env.client()
        c.login(TENANT, "admin")
    csrf = c.session_csrf(TENANT)
    svc = {"code": code, "unit": "DISDUKCAPIL", "name": "Layanan Uji " + code, "category": "Kependudukan",
           "summary": "Layanan untuk pengujian.", "requirements": ["Kartu keluarga"], "procedure": ["Ajukan", "Verifikasi"],
           "sla_days": 3, "fee": 0, "product": "Dokumen uji", "complaints": "Melalui menu Pengaduan.",
           "legal_basis": ["Peraturan uji"], "form": FORM, "steps": steps}
    r = api(c, "POST", "/api/v1/t/%s/services" % TENANT, svc, csrf)
    assert r.status == 201, r.text
    j = r.json()
    assert j["code"] == code and j["version"] == 1 and len(j["form"]) == 4, j
    assert len(j["steps"]) == len(steps.strip().splitlines()), j
    return code, c, csrf


def file_app(env, code, nama="Baiq Nurul Aini", warga=None, kk=PDF):
    """The demo warga files an application for code through the API, with kk as its KK scan (warga:
    a signed-in client of another server than the shared one); returns (client, csrf, id)."""
    w = warga
    if w is None:
        w = env.client()
        w.login(TENANT, "warga")
    csrf = w.session_csrf(TENANT)
    r = api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
            {"service": code, "values": {"nama": nama, "nik_pemohon": NIK, "keperluan": "Baru"},
             "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(kk).decode()}}}, csrf)
    assert r.status == 201, r.text
    return w, csrf, r.json()["id"]


def add_officer(env, admin, unit, role="petugas"):
    """Adds an officer of unit through the admin page; returns a logged-in client."""
    page = admin.get("/t/%s/admin/pengguna" % TENANT).expect(200)
    uname = "ptg" + uuid.uuid4().hex[:6]
    admin.post_form("/t/%s/admin/pengguna" % TENANT, {"_csrf": page.csrf(), "username": uname, "full_name": "Petugas Uji",
                                                     "role": role, "unit": unit, "password": "kata-sandi-uji-123"}).expect(303)
    o = env.client()
    o.login(TENANT, uname, password="kata-sandi-uji-123")
    return o


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
    # the reason names the part of the NIK that is wrong (it once showed a bare "%s")
    assert "NIK pemohon: tanggal lahir &#39;320290&#39; pada NIK bukan tanggal yang valid" in r.text, r.text[:3000]
    r = post_mp(w, path, [("_csrf", csrf), ("nama", "X"), ("nik_pemohon", "9971014101900001"), ("keperluan", "Baru")],
                [("kk", "kk.pdf", PDF)]).expect(400)
    assert "NIK pemohon: kode provinsi &#39;99&#39; pada NIK tidak dikenal" in r.text and "%s" not in r.text
    r = api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
            {"service": code, "values": {"nama": "X", "nik_pemohon": "5271013202900001", "keperluan": "Baru"}},
            w.session_csrf(TENANT)).expect(400)
    assert r.json()["error"]["message"] == "NIK pemohon: tanggal lahir '320290' pada NIK bukan tanggal yang valid", r.text
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
                                                     "role": "petugas", "unit": "DPMPTSP", "password": "kata-sandi-uji-123"}).expect(303)
    o = env.client()
    o.login(TENANT, uname, password="kata-sandi-uji-123")
    oc = o.session_csrf(TENANT)
    api(o, "GET", "/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect_json_error(403)
    v0 = api(w, "GET", "/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["version"]
    api(o, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance", "version": v0},
        oc).expect_json_error(403)
    assert all(a["id"] != app_id for a in o.get("/api/v1/t/%s/queue" % TENANT).expect(200).json()["applications"])
    # another tenant's officer: the login does not hold in 52.71
    t2 = env.client()
    t2.login("52", "petugas")
    api(t2, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance", "version": v0},
        t2.session_csrf("52")).expect_json_error(401)
    # (another citizen's access is covered by tests/unit/services_store_test.c: the demo has one warga)
    # the citizen cannot act as officer; a stale version is a conflict
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "advance", "version": v0},
        csrf).expect_json_error(403)
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel", "version": 99}, csrf) \
        .expect_json_error(409)
    # a change of state names the version it was decided on (a retried request, or two
    # officers at once, must not apply twice); only a note may go without
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel"}, csrf) \
        .expect_json_error(400, message="'version' wajib diisi")
    r = api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel", "version": v0},
            csrf).expect(200)
    assert r.json()["state"] == "dibatalkan"
    # the same request again (a client's retry): refused, nothing changes twice
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "cancel", "version": v0},
        csrf).expect_json_error(409)
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


def test_nik_in_values_masked_for_overseers_in_api(env):
    """The form's NIK in full for the applicant and the handling OPD, masked for the overseers;
    so is the other personal data a text answer holds (a phone number, an e-mail address)."""
    code, _admin, _ = new_service(env)
    nama = "Baiq Nurul Aini, HP 0812-3456-7890, baiq.aini@contoh.id"
    w, _csrf, app_id = file_app(env, code, nama=nama)
    path = "/api/v1/t/%s/applications/%d" % (TENANT, app_id)
    # the applicant and the handling OPD: in full
    assert w.get(path).expect(200).json()["values"]["nik_pemohon"] == NIK
    o = env.client()
    o.login(TENANT, "petugas")
    j = o.get(path).expect(200).json()
    assert j["values"]["nik_pemohon"] == NIK and j["values"]["nama"] == nama, j["values"]
    # overseers with a session, and an admin API key: masked, as on the page
    for role in ("sekda", "wakil", "kepala_daerah", "admin"):
        c = env.client()
        c.login(TENANT, role)
        r = c.get(path).expect(200)
        assert r.json()["values"]["nik_pemohon"] == "5271********0001", (role, r.text)
        assert NIK not in r.text, role
        shown = r.json()["values"]["nama"]
        assert shown.startswith("Baiq Nurul Aini, HP 0812") and "3456-78" not in shown, (role, shown)
        assert "baiq.aini@" not in shown and "contoh.id" in shown, (role, shown)
        page = c.get("/t/%s/permohonan/%d" % (TENANT, app_id)).expect(200)
        assert NIK not in page.text and "5271********0001" in page.text, role
        assert "0812-3456-7890" not in page.text and "baiq.aini@" not in page.text, role
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "uji-nik", "--role", "admin"],
                      db=env.shared_db).stdout.strip()
    r = env.client().get(path, headers={"Authorization": "Bearer " + key}).expect(200)
    assert r.json()["values"]["nik_pemohon"] == "5271********0001" and NIK not in r.text, r.text


def test_overseers_do_not_open_the_applicants_scans(env):
    """A KTP or KK scan shows the NIK (and the family) in full: the applicant and the OPD's
    officers open it; the overseers, whose page masks the NIK, see the file's name only."""
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    scan = "/t/%s/permohonan/%d/berkas/kk" % (TENANT, app_id)
    page = "/t/%s/permohonan/%d" % (TENANT, app_id)
    w.get(scan).expect(200)
    assert 'href="%s"' % scan in w.get(page).expect(200).text
    o = env.client()
    o.login(TENANT, "petugas")
    o.get(scan).expect(200)
    # an officer's internal note quoting a phone number and a NIK: in full for the OPD, masked
    # for the overseers, as the NIK on the page
    api_path = "/api/v1/t/%s/applications/%d" % (TENANT, app_id)
    version = o.get(api_path).expect(200).json()["version"]
    note = "Ditelepon ke 0812-3456-7890, NIK %s cocok dengan KK" % NIK
    api(o, "POST", api_path + "/actions", {"op": "note", "text": note, "version": version},
        o.session_csrf(TENANT)).expect(200)
    assert note in [e.get("note") for e in o.get(api_path).expect(200).json()["events"]]
    for role in ("sekda", "wakil", "kepala_daerah", "admin"):
        c = env.client()
        c.login(TENANT, role)
        c.get(scan).expect(403, contains="hanya dapat dibuka pemohon dan petugas OPD")
        text = c.get(page).expect(200).text
        assert 'href="%s"' % scan not in text and "kk.pdf" in text, role
        assert "Berkas pemohon hanya dapat dibuka" in text, role
        assert NIK not in text and "0812-3456-7890" not in text and "0812-****-**90" in text, role
        notes = [e.get("note") for e in c.get(api_path).expect(200).json()["events"]]
        assert "Ditelepon ke 0812-****-**90, NIK 5271********0001 cocok dengan KK" in notes, (role, notes)


def test_catalogue_input_refused(env):
    code, admin, csrf = new_service(env)
    base = {"unit": "DISDUKCAPIL", "name": "Layanan Salah", "category": "Kependudukan", "summary": "s",
            "requirements": ["a"], "procedure": ["b"], "sla_days": 3, "fee": 0, "product": "p", "complaints": "c",
            "legal_basis": ["d"], "form": FORM, "steps": STEPS}
    svcs = "/api/v1/t/%s/services" % TENANT

    def refused(body, *words, method="POST", path=svcs):
        e = api(admin, method, path, body, csrf).expect_json_error(400, code="invalid")
        for w in words:
            assert w in e["message"], (body, e)
        return e

    # route words are not service codes (/admin/layanan/baru is the new-service form)
    refused(dict(base, code="baru"), "alamat halaman")
    page = admin.get("/t/%s/admin/layanan/baru" % TENANT).expect(200)
    fields = dict(base, code="baru", _csrf=page.csrf(), requirements="a", procedure="b", legal_basis="d",
                  form_text=FORM, steps_text=STEPS)
    del fields["form"], fields["steps"]
    r = admin.post_form("/t/%s/admin/layanan/baru" % TENANT, fields).expect(400, contains="alamat halaman")
    assert 'value="baru"' in r.text        # the typed form comes back
    # control characters and noncharacters, in every text field
    c = "uji-" + uuid.uuid4().hex[:8]
    for bad in ("a\u0001b", "a\uffffb", "a\ufffeb", "a\ufdd0b", "a\u007fb", "a\u0085b"):
        refused(dict(base, code=c, name="Layanan " + bad), "nama layanan")
        refused(dict(base, code=c, summary="Ringkas " + bad), "ringkasan")
        refused(dict(base, code=c, requirements=["Akta", bad]), "requirements")
    refused(dict(base, code=c, name="Layanan\nbaru"), "nama layanan")
    refused(dict(base, code=c, form=FORM + "catatan | text | Catatan \u0001 | opsional\n"), "formulir")
    # JSON types against the schema: no string for an integer, no string for an array
    refused(dict(base, code=c, sla_days="3"), "sla_days", "bilangan bulat")
    refused(dict(base, code=c, fee="0"), "fee")
    refused(dict(base, code=c, sla_days=3.5), "sla_days")
    refused(dict(base, code=c, requirements="a"), "requirements", "larik")
    refused(dict(base, code=c, procedure=["a", 1]), "procedure")
    refused(dict(base, code=c, name=["x"]), "name", "teks")
    refused(dict(base, code=c, form=[{"name": "a", "type": "text", "label": "A | wajib"}]), "form")
    refused(dict(base, code=c, steps=[{"name": "Verifikasi", "role": 1}]), "steps")
    refused({k: v for k, v in base.items() if k != "sla_days"} | {"code": c}, "sla_days", "wajib")
    env_get = admin.get("/api/v1/t/%s/services/%s" % (TENANT, c))
    assert env_get.status == 404, env_get.text       # nothing was created
    # the same for an edit
    cur = admin.get("/api/v1/t/%s/services/%s" % (TENANT, code)).expect(200).json()
    upd = dict(cur, form=FORM, steps=STEPS)
    one = "/api/v1/t/%s/services/%s" % (TENANT, code)
    refused(dict(upd, row_version=str(cur["row_version"])), "row_version", method="PUT", path=one)
    refused(dict(upd, name="a\uffffb"), "nama layanan", method="PUT", path=one)
    refused(dict(upd, sla_days="5"), "sla_days", method="PUT", path=one)
    assert admin.get(one).expect(200).json()["version"] == 1
    # an array form and steps in the schema's shape are still taken
    ok = dict(base, code=c, form=cur["form"], steps=cur["steps"], name="Layanan \u00e9\u00e8 \U0001f600")
    r = api(admin, "POST", svcs, ok, csrf)
    assert r.status == 201 and r.json()["name"] == ok["name"], r.text
    # application values and action fields
    w, wcsrf, app_id = file_app(env, code)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
        {"service": code, "values": {"nama": "Baiq\u0001", "nik_pemohon": NIK, "keperluan": "Baru"},
         "files": {"kk": {"content_base64": base64.b64encode(PDF).decode()}}}, wcsrf).expect_json_error(400)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, {"service": code, "values": "x"}, wcsrf).expect_json_error(400)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
        {"service": code, "values": {"nama": "Baiq", "nik_pemohon": NIK, "keperluan": "Baru"}, "files": "kk"},
        wcsrf).expect_json_error(400)
    o = env.client()
    o.login(TENANT, "petugas")
    ocsrf = o.session_csrf(TENANT)
    acts = "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id)
    api(o, "POST", acts, {"op": "note", "text": 5}, ocsrf).expect_json_error(400, message="text")
    api(o, "POST", acts, {"op": 1}, ocsrf).expect_json_error(400, message="op")
    api(o, "POST", acts, {"op": "note", "text": "catatan \u0001"}, ocsrf).expect_json_error(400)
    api(o, "POST", acts, {"op": "note", "text": "catatan \uffff"}, ocsrf).expect_json_error(400)
    api(w, "POST", acts, {"op": "resubmit", "values": "x"}, wcsrf).expect_json_error(400, message="values")
    api(w, "POST", acts, {"op": "resubmit", "files": []}, wcsrf).expect_json_error(400)


def test_two_officers_on_one_page_do_not_overwrite(env):
    """Every form of the officer's page that changes the application carries the version the page
    showed: of two officers who opened the same page, the second to act (assigning, transferring
    or attaching a result) gets 409 with a message, and the first one's change stands."""
    code, _admin, _ = new_service(env)
    _w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o = env.client()
    o.login(TENANT, "petugas")
    k = env.client()
    k.login(TENANT, "kepala_opd")
    po, pk = o.get(page_path).expect(200), k.get(page_path).expect(200)
    forms = re.findall(r'<form method="post" action="[^"]*/(aksi|hasil)"[^>]*>(.*?)</form>', po.text, re.S)
    changing = [(a, f) for a, f in forms if 'value="note"' not in f]
    assert len(changing) >= 4, forms     # advance, return/reject, assign, transfer, result (upload and generate)
    for action, f in changing:
        assert 'name="version" value="' in f, (action, f[:200])
    ver = re.search(r'name="version" value="(\d+)"', po.text).group(1)
    assert re.search(r'name="version" value="(\d+)"', pk.text).group(1) == ver
    unit = env.shared_db.sql("SELECT unit FROM services_apps WHERE id = %d" % app_id)[0][0]
    # the kepala OPD assigns it; the officer, on the page opened before, would transfer it
    k.post_form(page_path + "/aksi", {"_csrf": pk.csrf(), "version": ver, "op": "assign", "text": "petugas"}).expect(303)
    r = o.post_form(page_path + "/aksi", {"_csrf": po.csrf(), "version": ver, "op": "transfer", "text": "DPUPR"})
    # the page that says so already shows the latest data: check it, rather than reload and lose it
    r.expect(409, contains="data telah diubah orang lain; periksa data terbaru lalu kirim lagi")
    assert 'name="version" value="%d"' % (int(ver) + 1) in r.text, r.text[:2000]
    r = o.post_form(page_path + "/aksi", {"_csrf": po.csrf(), "version": ver, "op": "assign", "text": "kepala_opd"})
    r.expect(409, contains="data telah diubah orang lain")
    r = post_mp(o, page_path + "/hasil", [("_csrf", po.csrf()), ("version", ver)], [("hasil", "hasil.pdf", PDF)])
    assert r.status == 409, (r.status, r.text[:300])
    row = env.shared_db.sql("SELECT unit, assignee FROM services_apps WHERE id = %d" % app_id)[0]
    assert row[0] == unit and row[1] == "petugas", row
    # reloaded, the page acts
    po = o.get(page_path).expect(200)
    ver2 = re.search(r'name="version" value="(\d+)"', po.text).group(1)
    assert ver2 != ver
    o.post_form(page_path + "/aksi", {"_csrf": po.csrf(), "version": ver2, "op": "transfer", "text": "DPUPR"}).expect(303)


def at_dpupr(env):
    """An application of a new DISDUKCAPIL service whose second step is DPUPR's, its first step done by
    the demo petugas (DISDUKCAPIL): (admin, warga, id, page path, petugas client, the page it acted on)."""
    steps = ("Verifikasi berkas | petugas\nPemeriksaan teknis | petugas | DPUPR\n"
             "Persetujuan Kepala OPD | kepala_opd | DISDUKCAPIL\n")
    code, admin, _ = new_service(env, steps=steps)
    w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o = env.client()
    o.login(TENANT, "petugas")
    p = o.get(page_path).expect(200)
    o.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "advance"}).expect(303)
    return admin, w, app_id, page_path, o, p


def test_owning_opd_keeps_reading(env):
    """A step at DPUPR of a DISDUKCAPIL service: DISDUKCAPIL reads it and sees
    it in its queue as being at another OPD, but cannot act; DPUPR acts."""
    admin, _w, app_id, page_path, o, p = at_dpupr(env)
    act = page_path + "/aksi"
    number = re.search(r"52\.71/PMH/\d{4}/\d{6}", p.text).group(0)
    # the owner: read only, with a notice, and in its queue as being elsewhere
    p = o.get(page_path).expect(200, contains="sedang ditangani OPD lain")
    assert "Selesaikan tahap" not in p.text and 'name="op" value="return"' not in p.text
    assert NIK not in p.text
    j = [a for a in o.get("/api/v1/t/%s/queue" % TENANT).expect(200).json()["applications"] if a["id"] == app_id]
    assert j and j[0]["elsewhere"] is True and j[0]["unit"] == "DPUPR", j
    q = o.get("/t/%s/antrian" % TENANT).expect(200)
    row = q.text[q.text.index(number):]
    row = row[:row.index("</tr>")]
    assert "Sedang di OPD lain: %s" % j[0]["unit_name"] in row, row
    o.post_form(act, {"_csrf": p.csrf(), "op": "advance"}).expect(403)
    o.post_form(act, {"_csrf": p.csrf(), "op": "note", "text": "dari pemilik"}).expect(403)
    k = env.client()
    k.login(TENANT, "kepala_opd")
    k.get(page_path).expect(200, contains="sedang ditangani OPD lain")
    # DPUPR handles the step
    d = add_officer(env, admin, "DPUPR")
    dp = d.get(page_path).expect(200, contains="Selesaikan tahap")
    assert "sedang ditangani OPD lain" not in dp.text
    j = [a for a in d.get("/api/v1/t/%s/queue" % TENANT).expect(200).json()["applications"] if a["id"] == app_id]
    assert j and j[0]["elsewhere"] is False, j
    d.post_form(act, {"_csrf": dp.csrf(), "op": "advance"}).expect(303)
    # back home for the approval; DPUPR no longer sees it; another OPD never did
    d.get(page_path).expect(403)
    kp = k.get(page_path).expect(200, contains="Selesaikan tahap")
    k.post_form(act, {"_csrf": kp.csrf(), "op": "advance"}).expect(303)
    add_officer(env, admin, "DLH").get(page_path).expect(403)


def test_resubmit_goes_back_to_the_first_steps_opd(env):
    """Returned by DPUPR at its step, fixed and sent again: the application starts again at the first
    step, so at the OPD that takes that step (the owner here), not at DPUPR. It stayed at DPUPR, whose
    officer then completed the owner's "Verifikasi berkas" while the owner could only watch."""
    admin, w, app_id, page_path, o, _p = at_dpupr(env)
    act = page_path + "/aksi"
    d = add_officer(env, admin, "DPUPR")
    dp = d.get(page_path).expect(200, contains="Selesaikan tahap")
    d.post_form(act, {"_csrf": dp.csrf(), "op": "return", "text": "Gambar belum ditandatangani"}).expect(303)
    page = w.get(page_path).expect(200, contains="Perbaiki dan ajukan ulang")
    ver = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = post_mp(w, page_path + "/perbaiki", [("_csrf", page.csrf()), ("version", ver), ("nama", "Baiq Nurul Aini"),
                                             ("nik_pemohon", NIK), ("keperluan", "Baru")], [("kk", "kk2.pdf", PDF)])
    assert r.status == 303, r.text[:1500]
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    assert j["state"] == "proses" and j["step"] == 0 and j["unit"] == "DISDUKCAPIL", j
    # the owner acts on its first step again; DPUPR no longer has it
    d.get(page_path).expect(403)
    d.post_form(act, {"_csrf": dp.csrf(), "op": "advance"}).expect(403)
    p = o.get(page_path).expect(200, contains="Selesaikan tahap")
    assert "sedang ditangani OPD lain" not in p.text
    q = [a for a in o.get("/api/v1/t/%s/queue" % TENANT).expect(200).json()["applications"] if a["id"] == app_id]
    assert q and q[0]["elsewhere"] is False and q[0]["unit"] == "DISDUKCAPIL", q
    o.post_form(act, {"_csrf": p.csrf(), "op": "advance"}).expect(303)
    # and then on to DPUPR's step as before
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    assert j["step"] == 1 and j["unit"] == "DPUPR", j


def test_result_reaches_the_applicant_once_finished(env):
    """An officer may attach or generate the result document before the last step (it cannot be
    attached once the application is closed), but the applicant gets it only when the application is
    finished: it was theirs to download while the application waited for the kepala OPD's approval,
    or for their own correction."""
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    act, file_path = page_path + "/aksi", page_path + "/berkas/hasil"
    o = env.client()
    o.login(TENANT, "petugas")
    p = o.get(page_path).expect(200)
    r = post_mp(o, page_path + "/hasil", [("_csrf", p.csrf()), ("text", "generate")])
    assert r.status == 303, r.text[:500]
    o.get(file_path).expect(200, ctype="application/pdf")
    o.post_form(act, {"_csrf": p.csrf(), "op": "return", "text": "Scan kartu keluarga buram"}).expect(303)

    def withheld():
        page = w.get(page_path).expect(200)
        assert "berkas/hasil" not in page.text and "Unduh dokumen hasil" not in page.text
        assert "result" not in w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
        w.get(file_path).expect(404, contains="dokumen hasil belum tersedia")
    withheld()
    page = w.get(page_path).expect(200)
    ver = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = post_mp(w, page_path + "/perbaiki", [("_csrf", page.csrf()), ("version", ver), ("nama", "Baiq Nurul Aini"),
                                             ("nik_pemohon", NIK), ("keperluan", "Baru")])
    assert r.status == 303, r.text[:1500]
    o.post_form(act, {"_csrf": p.csrf(), "op": "advance"}).expect(303)
    o.post_form(act, {"_csrf": p.csrf(), "op": "advance"}).expect(303)
    withheld()        # waiting for the kepala OPD's approval
    k = env.client()
    k.login(TENANT, "kepala_opd")
    kp = k.get(page_path).expect(200)
    k.post_form(act, {"_csrf": kp.csrf(), "op": "advance"}).expect(303)
    page = w.get(page_path).expect(200, contains="Unduh dokumen hasil")
    assert w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["result"]["filename"]
    assert w.get(file_path).expect(200, ctype="application/pdf").body.startswith(b"%PDF-")


def test_application_page_texts(env):
    code, _admin, _ = new_service(env)
    w, wcsrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    act = page_path + "/aksi"
    o = env.client()
    o.login(TENANT, "petugas")
    p = o.get(page_path).expect(200, contains="hari kerja tersisa")
    ocsrf = p.csrf()
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    # a failed return keeps the typed reason: stale version (409) and too long (400)
    reason = "Mohon unggah ulang scan kartu keluarga yang lebih jelas 4711"
    r = o.post_form(act, {"_csrf": ocsrf, "op": "return", "version": "1", "text": reason}).expect(409)
    assert ">%s</textarea>" % reason in r.text, r.text[:3000]
    ver = re.search(r'name="version" value="(\d+)"', r.text).group(1)
    long_reason = "Berkas kurang jelas " + "x" * 1990
    r = o.post_form(act, {"_csrf": ocsrf, "op": "return", "version": ver, "text": long_reason}).expect(400)
    assert ">%s</textarea>" % long_reason in r.text
    # 2000 characters of two bytes each are within the limit
    o.post_form(act, {"_csrf": ocsrf, "op": "note", "text": "\u00e9" * 2000}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "return", "text": reason}).expect(303)
    assert "<strong>Alasan:</strong>" in w.get(page_path).expect(200, contains=reason).text
    # resubmitted: back in proses without the old reason on top (it stays in the history)
    v = api(w, "GET", "/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["version"]
    api(w, "POST", "/api/v1/t/%s/applications/%d/actions" % (TENANT, app_id), {"op": "resubmit", "version": v},
        wcsrf).expect(200)
    p = w.get(page_path).expect(200, contains="Sedang diproses")
    assert "<strong>Alasan:</strong>" not in p.text and "Diajukan ulang setelah perbaikan" in p.text
    assert reason in p.text      # the return in the history
    # overdue: how late, in working days, not a negative number left; as many as the calendar API
    # counts (30 days back is fewer working days over Lebaran or the new year: 14 on 23 March 2027)
    env.shared_db.sql("UPDATE services_apps SET due_day = due_day - 30 WHERE id = %d" % app_id)
    due = datetime.date.fromordinal(EPOCH + int(env.shared_db.sql(
        "SELECT due_day FROM services_apps WHERE id = %d" % app_id)[0][0])).isoformat()
    before = working_days_since(o, due)
    p = o.get(page_path).expect(200)
    late = working_days_since(o, due)
    # (the page is read between the two counts: at midnight the day may change in between)
    m = re.search(r"Target selesai</dt><dd>%s <span[^>]*>\(terlambat (\d+) hari kerja\)" % due, p.text)
    assert m and late > 0 and int(m.group(1)) in (before, late), (due, before, late, p.text[:3000])
    assert "hari kerja tersisa" not in p.text and "(-" not in p.text
    # finished: no SLA count at all; every history entry has a label, no raw codes
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    o.post_form(act, {"_csrf": ocsrf, "op": "advance"}).expect(303)
    r = post_mp(o, page_path + "/hasil", [("_csrf", ocsrf)], [("hasil", "hasil.pdf", PDF)])
    assert r.status == 303, r.text[:500]
    k = env.client()
    k.login(TENANT, "kepala_opd")
    k.post_form(act, {"_csrf": k.get(page_path).expect(200).csrf(), "op": "advance"}).expect(303)
    p = o.get(page_path).expect(200, contains="Selesai")
    # finished: no SLA count, no target; when it ended, and that it was late (test_services_ux)
    assert "hari kerja tersisa" not in p.text and "Target selesai" not in p.text
    assert re.search(r"<dt>Selesai pada</dt>.*<span class=\"svc-flag\">\(terlambat \d+ hari kerja\)</span>", p.text)
    hist = p.text[p.text.index("svc-events"):]
    for raw in ("(diajukan,", "(diteruskan,", "(dikembalikan,", "(diajukan_ulang,", "(note,", "(result,", "(selesai,"):
        assert raw not in hist, raw
    for label in ("Tahap <q>Verifikasi berkas</q> selesai", "Catatan internal", "Dikembalikan untuk perbaikan",
                  "Dokumen hasil diunggah"):
        assert label in hist, label


def working_days_since(c, day):
    """Working days from day to the tenant's today, as the calendar API counts them."""
    today = c.get("/api/v1/t/%s/calendar/add?days=0" % TENANT).expect(200).json()["from"]
    return c.get("/api/v1/t/%s/calendar/between?from=%s&to=%s" % (TENANT, day, today)).expect(200).json()["working_days"]


def returned_app(env, code):
    """An application of code filed by the demo warga and returned by the officer; (client, id, page path)."""
    w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o = env.client()
    o.login(TENANT, "petugas")
    p = o.get(page_path).expect(200)
    o.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "return", "text": "Scan kartu keluarga buram"}).expect(303)
    return w, app_id, page_path


def test_resubmit_refused_says_why_and_keeps_typed(env):
    """The correction form, refused: the reason in the form (the field's label first), the values typed
    (not the stored ones), and a word that chosen files must be chosen again."""
    code, _admin, _ = new_service(env)
    w, app_id, page_path = returned_app(env, code)
    page = w.get(page_path).expect(200, contains="Perbaiki dan ajukan ulang")
    ver = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    fix = page_path + "/perbaiki"
    base = [("_csrf", page.csrf()), ("version", ver), ("nama", "Nama Diketik 4711"), ("nik_pemohon", NIK),
            ("keperluan", "Perubahan")]

    def refused(status, fields, files, message, name="Nama Diketik 4711"):
        r = post_mp(w, fix, fields, files).expect(status)
        section = r.text[r.text.index('id="perbaiki"'):]
        alert = re.search(r'<p class="alert" role="alert">(.*?)</p>', section, re.S)
        assert alert and message in alert.group(1), (message, section[:1500])
        assert "pilih lagi" in alert.group(1), alert.group(1)
        assert 'name="nama" value="%s"' % name in section and 'value="Baiq Nurul Aini"' not in section, section[:3000]
        return section

    s = refused(400, [base[0], base[1], base[2], ("nik_pemohon", "123"), base[4]], [], "NIK pemohon: NIK harus 16 digit")
    assert 'value="123"' in s
    refused(400, [base[0], base[1], base[2], ("nik_pemohon", "5271013202900001"), base[4]], [],
            "NIK pemohon: tanggal lahir &#39;320290&#39; pada NIK bukan tanggal yang valid")
    refused(400, [base[0], base[1], ("nama", " "), base[3], base[4]], [], "Nama lengkap: wajib diisi", name=" ")
    refused(415, base, [("kk", "kk.pdf", b"just some text, not a pdf")],
            "Kartu keluarga: jenis berkas tidak diterima; unggah PDF, JPEG atau PNG")
    refused(413, base, [("kk", "kk.jpg", b"\xff\xd8\xff\xe0" + b"\0" * int(5.9 * 1024 * 1024))],
            "Kartu keluarga: berkas terlalu besar")
    # the choice typed is kept as well; nothing was changed
    assert '<option value="Perubahan" selected>' in s
    j = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    assert j["state"] == "dikembalikan" and j["values"]["nama"] == "Baiq Nurul Aini", j
    # the form's address brings the phone to the form, where the message is
    assert 'action="/t/%s/permohonan/%d/perbaiki#perbaiki"' % (TENANT, app_id) in page.text
    r = post_mp(w, fix, base, [("kk", "kk2.pdf", PDF)])
    assert r.status == 303, r.text[:1500]
    assert w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["values"]["nama"] == \
        "Nama Diketik 4711"


def test_form_sent_twice_files_once(env):
    """One application form, sent twice (one after the other, or at the same moment, the same CSRF
    token): one application; the second answer is the first one's. The API takes the same nonce."""
    import threading
    code, _admin, _ = new_service(env)
    w = env.client()
    w.login(TENANT, "warga")
    path = "/t/%s/layanan/%s/ajukan" % (TENANT, code)

    def form():
        page = w.get(path).expect(200)
        nonce = re.search(r'name="_nonce" value="([0-9a-f]{32})"', page.text)
        assert nonce, page.text[:2000]
        return [("_csrf", page.csrf()), ("_nonce", nonce.group(1)), ("nama", "Baiq Nurul Aini"),
                ("nik_pemohon", NIK), ("keperluan", "Baru")]

    fields = form()
    before = app_count(env)
    r1 = post_mp(w, path, fields, [("kk", "kk.pdf", PDF)])
    r2 = post_mp(w, path, fields, [("kk", "kk.pdf", PDF)])
    assert r1.status == 303 and r2.status == 303, (r1.text[:500], r2.text[:500])
    id1 = re.match(r"^/t/%s/permohonan/(\d+)\?baru=1$" % re.escape(TENANT), r1.header("location")).group(1)
    assert r2.header("location") == r1.header("location"), r2.header("location")
    assert app_count(env) == before + 1
    w.get(r2.header("location")).expect(200, contains="Permohonan Anda telah diterima")
    # a refused form keeps its nonce: corrected and sent twice, still one
    bad = [f if f[0] != "nik_pemohon" else ("nik_pemohon", "123") for f in form()]
    r = post_mp(w, path, bad, [("kk", "kk.pdf", PDF)]).expect(400)
    nonce = dict(bad)["_nonce"]
    assert 'name="_nonce" value="%s"' % nonce in r.text
    good = [f if f[0] != "nik_pemohon" else ("nik_pemohon", NIK) for f in bad]
    locs = [post_mp(w, path, good, [("kk", "kk.pdf", PDF)]).header("location") for _ in range(2)]
    assert locs[1] == locs[0] and locs[0].endswith("?baru=1"), locs
    # at the same moment
    fields = form()
    before = app_count(env)
    out = []

    def send():
        out.append(post_mp(w, path, fields, [("kk", "kk.pdf", PDF)]))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(r.status == 303 for r in out), [r.status for r in out]
    ids = {r.header("location").split("?")[0] for r in out}
    assert len(ids) == 1 and app_count(env) == before + 1, ([r.header("location") for r in out], app_count(env))
    # a bad nonce is refused
    post_mp(w, path, [(k, "x/y" if k == "_nonce" else v) for k, v in form()], [("kk", "kk.pdf", PDF)]).expect(400)
    # the API: "nonce" member
    csrf = w.session_csrf(TENANT)
    body = {"service": code, "nonce": "klien-uji-" + uuid.uuid4().hex,
            "values": {"nama": "Baiq", "nik_pemohon": NIK, "keperluan": "Baru"},
            "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(PDF).decode()}}}
    a = api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body, csrf).expect(201).json()
    b = api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body, csrf).expect(200).json()
    assert b["id"] == a["id"] and b["number"] == a["number"] and b["repeated"] is True and "repeated" not in a, (a, b)
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, dict(body, nonce="pendek"), csrf) \
        .expect_json_error(400, message="nonce")
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, dict(body, nonce=5), csrf).expect_json_error(400)


def test_cancel_asks_first(env):
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    p = w.get(page_path).expect(200)
    form = p.text[p.text.index('id="batal"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<input type="checkbox" name="yakin" value="1" required>', form), form
    # without the tick: nothing happens, the page says why, at the cancel form
    r = w.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "cancel"}).expect(400)
    sec = r.text[r.text.index('id="batal"'):]
    assert re.search(r'<p class="alert" role="alert">centang &quot;Ya, batalkan permohonan ini&quot;', sec), sec[:800]
    assert w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["state"] == "proses"
    w.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "cancel", "yakin": "1"}).expect(303)
    assert w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["state"] == "dibatalkan"


def test_reject_asks_first(env):
    """A rejection cannot be undone, and its form sits right under the one that returns an application
    for correction: it asks for a tick first (required, so the browser asks too); without it nothing
    changes, the page says why at the rejection form and the reason typed is still there."""
    code, _admin, _ = new_service(env)
    _w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    o = env.client()
    o.login(TENANT, "petugas")
    p = o.get(page_path).expect(200)
    form = p.text[p.text.index('id="tolak"'):]
    form = form[:form.index("</form>")]
    assert re.search(r'<input type="checkbox" name="yakin" value="1" required>', form), form
    r = o.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "reject", "text": "Alasan diketik 5150"}).expect(400)
    sec = r.text[r.text.index('id="tolak"'):]
    sec = sec[:sec.index("</form>")]
    assert re.search(r'<p class="alert" role="alert">centang &quot;Ya, tolak permohonan ini&quot;', sec), sec
    assert ">Alasan diketik 5150</textarea>" in sec, sec
    assert o.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["state"] == "proses"
    o.post_form(page_path + "/aksi", {"_csrf": p.csrf(), "op": "reject", "text": "Alasan diketik 5150",
                                      "yakin": "1"}).expect(303)
    assert o.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["state"] == "ditolak"


def test_birth_date_in_the_future_refused(env):
    w = env.client()
    w.login(TENANT, "warga")
    path = "/t/%s/layanan/akta-kelahiran/ajukan" % TENANT
    page = w.get(path).expect(200)
    today = re.search(r'id="f-tanggal_lahir" name="tanggal_lahir" type="date" value="" max="(\d{4}-\d{2}-\d{2})"',
                      page.text)
    assert today, page.text[:3000]
    before = app_count(env)
    files = [("surat_lahir", "skl.pdf", PDF), ("kk", "kk.pdf", PDF)]
    for day, msg in (("2099-01-05", "Tanggal lahir bayi: tanggal tidak boleh di masa depan"),
                     ("2025-02-29", "Tanggal lahir bayi: tanggal tidak ada di kalender"),
                     ("0205-01-05", "Tanggal lahir bayi: tanggal harus antara tahun 1900 dan 2100")):
        r = post_mp(w, path, [("_csrf", page.csrf()), ("nik_pemohon", NIK), ("nama_bayi", "Lalu Ahmad"),
                              ("tanggal_lahir", day), ("tempat_lahir", "Mataram"), ("jenis_kelamin", "Laki-laki")],
                    files).expect(400)
        assert msg in r.text, (day, r.text[:2500])
        assert 'value="%s"' % day in r.text
        assert "pilih lagi" in r.text      # the files must be chosen again
    assert app_count(env) == before
    r = post_mp(w, path, [("_csrf", page.csrf()), ("nik_pemohon", NIK), ("nama_bayi", "Lalu Ahmad"),
                          ("tanggal_lahir", today.group(1)), ("tempat_lahir", "Mataram"), ("jenis_kelamin", "Laki-laki")],
                files)
    assert r.status == 303, r.text[:2000]
    # the API as well
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT,
        {"service": "akta-kelahiran", "values": {"nik_pemohon": NIK, "nama_bayi": "A", "tanggal_lahir": "2099-01-05",
                                                 "tempat_lahir": "Mataram", "jenis_kelamin": "Laki-laki"}},
        w.session_csrf(TENANT)).expect_json_error(400, message="masa depan")
    # the definition keeps its bound
    svc = w.get("/api/v1/t/%s/services/akta-kelahiran" % TENANT).expect(200).json()
    f = [x for x in svc["form"] if x["name"] == "tanggal_lahir"][0]
    assert f["not_future"] is True, f


def test_tracking_as_typed(env):
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    number = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()["number"]
    serial = int(number.rsplit("/", 1)[1])
    anon = env.client()
    for typed in (" %s " % number, number.lower(), "%s/%d" % (number.rsplit("/", 1)[0].lower(), serial)):
        r = anon.get("/t/%s/lacak?nomor=%s" % (TENANT, urllib.parse.quote(typed))).expect(200, contains="Sedang diproses")
        assert 'value="%s"' % number in r.text, typed
        t = anon.get("/api/v1/t/%s/track?number=%s" % (TENANT, urllib.parse.quote(typed))).expect(200).json()
        assert t["number"] == number, t
    # a complaint's number goes to the complaints' lookup, which finds it (or says it is not there)
    rows = env.shared_db.sql("SELECT id, number FROM complaints WHERE tenant = '%s' ORDER BY id LIMIT 1" % TENANT)
    assert rows, "the demo has complaints"
    cnum = rows[0][1]
    serial = int(cnum.rsplit("/", 1)[1])
    typed = " %s/%d " % (cnum.rsplit("/", 1)[0].lower(), serial)
    r = anon.get("/t/%s/lacak?nomor=%s" % (TENANT, urllib.parse.quote(typed))).expect(303)
    assert r.header("location") == "/t/%s/pengaduan?nomor=%s" % (TENANT, cnum), r.header("location")
    anon.get("/t/%s/lacak?nomor=52.71/PMH/2020/999999" % TENANT).expect(404, contains="tidak ditemukan")


def test_english_states_and_working_days(env):
    code, _admin, _ = new_service(env)
    w, _csrf, app_id = file_app(env, code)
    en = {"Accept-Language": "en"}
    a = w.get("/api/v1/t/%s/applications/%d" % (TENANT, app_id)).expect(200).json()
    anon = env.client()
    t = anon.get("/t/%s/lacak?nomor=%s" % (TENANT, a["number"]), headers=en).expect(200)
    v = anon.get("/v/" + re.search(r"/v/([0-9a-f]{32})", w.get("/t/%s/permohonan/%d" % (TENANT, app_id)).text).group(1),
                 headers=en).expect(200)
    mine = w.get("/t/%s/permohonan" % TENANT, headers=en).expect(200)
    for page in (t, v, mine):
        assert "In progress" in page.text and "Sedang diproses" not in page.text, page.describe()
    # "3 working days", and one day in the singular, in both languages
    for path in ("/t/%s/layanan" % TENANT, "/t/%s/layanan/%s" % (TENANT, code), "/t/%s/layanan/%s/ajukan" % (TENANT, code)):
        p = w.get(path, headers=en).expect(200)
        assert "3 working days" in p.text and "3 working day " not in p.text and "3 working day<" not in p.text, path
        assert "3 hari kerja" in w.get(path).expect(200).text, path
    cat = anon.get("/t/%s/layanan" % TENANT, headers=en).expect(200).text
    assert not re.search(r"\b(?!1 )\d+ working day\b", cat) and "1 working days" not in cat, cat
    kk = anon.get("/t/%s/layanan/kartu-keluarga" % TENANT, headers=en).expect(200).text
    assert "<dd>1 working day</dd>" in kk, kk[:3000]
    p = w.get("/t/%s/permohonan/%d" % (TENANT, app_id), headers=en).expect(200)
    assert re.search(r"\(\d+ working days? left\)", p.text), p.text[:3000]
    assert not re.search(r"\((?!1 )\d+ working day left\)", p.text)


def test_catalogue_search_every_word(env):
    anon = env.client()
    for q, code in (("akta lahir", "akta-kelahiran"), ("Kelahiran AKTA", "akta-kelahiran"), ("akte", "akta-kematian"),
                    ("kk", "kartu-keluarga"), ("sktm", "sktm"), ("disdukcapil", "ktp-el")):
        page = anon.get("/t/%s/layanan?q=%s" % (TENANT, urllib.parse.quote(q))).expect(200)
        assert 'href="/t/%s/layanan/%s"' % (TENANT, code) in page.text, q
        lst = anon.get("/api/v1/t/%s/services?q=%s" % (TENANT, urllib.parse.quote(q))).expect(200).json()["services"]
        assert code in [s["code"] for s in lst], (q, lst)
    page = anon.get("/t/%s/layanan?q=akta+lahir+xyz" % TENANT).expect(200, contains="Tidak ada layanan yang cocok")
    # no dead end: why, and the way back to the whole catalogue
    notice = re.search(r'<p class="notice">(.*?)</p>', page.text, re.S).group(1)
    assert "coba lebih sedikit kata" in notice and 'href="/t/%s/layanan">Semua layanan</a>' % TENANT in notice, notice


def test_receipt_labels_sizes_and_tracking_address(env):
    code, _admin, _ = new_service(env)
    w = env.client()
    w.login(TENANT, "warga")
    path = "/t/%s/layanan/%s/ajukan" % (TENANT, code)
    form = w.get(path).expect(200)
    big = PDF + b" " * (1359704 - len(PDF))
    r = post_mp(w, path, [("_csrf", form.csrf()), ("nama", "Baiq Nurul Aini"), ("nik_pemohon", NIK),
                          ("keperluan", "Baru")], [("kk", "kk.pdf", big)])
    assert r.status == 303, r.text[:1000]
    page = w.get(r.header("location")).expect(200)
    shown = html.unescape(page.text)
    app_path = r.header("location").split("?")[0]
    number = re.search(r"52\.71/PMH/\d{4}/\d{6}", page.text).group(0)
    track = "/t/%s/lacak?nomor=%s" % (TENANT, number)
    # the page: label, size in MB, where to track it
    assert re.search(r"<li>Kartu keluarga: <a [^>]*>kk\.pdf</a> <small>application/pdf, 1,3 MB</small>", page.text), \
        page.text[page.text.index("Berkas"):][:600]
    assert track in shown
    assert "1,3 MB" not in w.get(app_path, headers={"Accept-Language": "en"}).text.replace("1.3 MB", "")
    text = pdf_text(w.get(app_path + "/tanda-terima.pdf").expect(200, ctype="application/pdf").body)
    assert "(Kartu keluarga)" in text, text[:3000]
    assert "1,3 MB" in text and "bita" not in text and "(kk)" not in text
    assert track in text, text[:3000]


def limited_citizen(env, limit, data_dir, full_name):
    """A server with application-limit-user = limit, a new service, and a new citizen signed in to
    it: (server, service code, client, CSRF token)."""
    srv = env.start_server(args=["--application-limit-user", str(limit), "--data-dir", data_dir])
    code, _admin, _ = new_service(env)
    name = "batas" + uuid.uuid4().hex[:8]
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", full_name, "--role", "warga"],
                db=env.shared_db, input=DEMO_PASSWORD + "\n")
    w = srv.client()
    w.login(TENANT, name)
    return srv, code, w, w.session_csrf(TENANT)


def test_application_limit_holds_for_filings_sent_together(env):
    """Filings in flight at the same moment all pass the limit's first read (none has committed
    yet); the count inside the write transaction refuses those over it, so the account never
    holds more than its limit, and each refusal is a 429 with Retry-After."""
    import threading
    srv, code, w, csrf = limited_citizen(env, 3, os.path.join(env.tmp, "files-serentak-" + uuid.uuid4().hex[:8]),
                                         "Warga Serentak")
    n = 16
    results = [None] * n
    gate = threading.Barrier(n)

    def one(i):
        c = srv.client()
        c.cookies = dict(w.cookies)
        body = {"service": code, "nonce": "serentak-%d-%s" % (i, uuid.uuid4().hex),
                "values": {"nama": "Warga Serentak", "nik_pemohon": NIK, "keperluan": "Baru"},
                "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(PDF).decode()}}}
        gate.wait()
        results[i] = api(c, "POST", "/api/v1/t/%s/applications" % TENANT, body, csrf)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    codes = sorted(r.status for r in results)
    assert codes.count(201) == 3 and codes.count(429) == n - 3, codes
    for r in results:
        if r.status == 429:
            r.expect_json_error(429, message="coba lagi dalam")
            assert 0 < int(r.header("retry-after")) <= 3600
    mine = w.get("/api/v1/t/%s/applications" % TENANT).expect(200).json()["applications"]
    assert len(mine) == 3, mine
    srv.stop()


def test_applications_limited_per_account(env):
    """application-limit-user: a citizen's account files at most N applications an hour. Over it,
    429 with Retry-After, before any file is stored; the web form comes back with what was typed;
    a form sent again whose first filing counted is still answered with that application; another
    citizen is not held."""
    data_dir = os.path.join(env.tmp, "files-batas-" + uuid.uuid4().hex[:8])
    srv, code, w, csrf = limited_citizen(env, 2, data_dir, "Warga Batas")

    def stored():
        return sorted(os.path.join(d, f) for d, _, fs in os.walk(data_dir) for f in fs)

    def body(nonce):
        return {"service": code, "nonce": nonce, "values": {"nama": "Warga Batas", "nik_pemohon": NIK, "keperluan": "Baru"},
                "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(PDF + nonce.encode()).decode()}}}

    first = "batas-satu-" + uuid.uuid4().hex
    a = api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body(first), csrf).expect(201).json()
    api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body("batas-dua-" + uuid.uuid4().hex), csrf).expect(201)
    files = stored()
    assert len(files) == 2, files              # each application's own file (they differ)
    r = api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body("batas-tiga-" + uuid.uuid4().hex), csrf)
    r.expect_json_error(429, message="coba lagi dalam")
    ra = int(r.header("retry-after"))
    assert 0 < ra <= 3600, ra
    assert stored() == files                   # the refused one's file was not written
    mine = [x for x in w.get("/api/v1/t/%s/applications" % TENANT).expect(200).json()["applications"]]
    assert len(mine) == 2, mine
    # the first form again: its application, not a refusal
    again = api(w, "POST", "/api/v1/t/%s/applications" % TENANT, body(first), csrf).expect(200).json()
    assert again["id"] == a["id"] and again["repeated"] is True, again
    # the web form: 429, the form again with what was typed
    path = "/t/%s/layanan/%s/ajukan" % (TENANT, code)
    page = w.get(path).expect(200)
    nonce = re.search(r'name="_nonce" value="([0-9a-f]{32})"', page.text).group(1)
    r = post_mp(w, path, [("_csrf", page.csrf()), ("_nonce", nonce), ("nama", "Warga Batas Web"),
                          ("nik_pemohon", NIK), ("keperluan", "Baru")], [("kk", "kk.pdf", PDF)])
    r.expect(429, contains="batas yang berlaku")
    assert 'value="Warga Batas Web"' in r.text and int(r.header("retry-after")) > 0
    # another citizen files as usual
    name2 = "batas" + uuid.uuid4().hex[:8]
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name2, "--name", "Warga Lain", "--role", "warga"],
                db=env.shared_db, input=DEMO_PASSWORD + "\n")
    other = srv.client()
    other.login(TENANT, name2)
    api(other, "POST", "/api/v1/t/%s/applications" % TENANT, body("batas-lain-" + uuid.uuid4().hex),
        other.session_csrf(TENANT)).expect(201)
    srv.stop()


def test_application_notifications_in_the_readers_language(env):
    """An application's notifications name it after their message, which each reader gets in their
    own language: the officer's "New application: NUMBER (service)", the applicant's "Application
    returned for correction: NUMBER"; in Indonesian as before. (They carried the number inside the
    message, which no catalogue could translate.)"""
    code, _admin, _ = new_service(env)
    w, _app_id, page_path = returned_app(env, code)
    number = env.shared_db.sql("SELECT number FROM services_apps WHERE id = %d" % _app_id)[0][0]
    en = {"Accept-Language": "en"}

    def notes(c, headers=None):
        page = c.get("/t/%s/dasbor" % TENANT, headers=headers).expect(200)
        m = re.search(r'<ul class="note-list">(.*?)</ul>', page.text, re.S)
        assert m, page.text[:2000]
        return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]*>", " ", m.group(1))))

    assert "Application returned for correction: %s" % number in notes(w, en), notes(w, en)
    assert "Permohonan dikembalikan untuk perbaikan: %s" % number in notes(w), notes(w)
    o = env.client()
    o.login(TENANT, "petugas")
    assert "New application: %s (Layanan Uji %s)" % (number, code) in notes(o, en), notes(o, en)
    assert "Permohonan baru: %s (Layanan Uji %s)" % (number, code) in notes(o), notes(o)


def test_assign_chooses_from_the_opds_officers(env):
    """The officer assigns an application by choosing one of the OPD's officers by name (the form
    asked for a username typed from memory): the list holds the handling OPD's petugas, admin OPD
    and kepala OPD who are not disabled, no one else; the current one is selected; a username
    that is not among them is still refused."""
    code, _admin, _ = new_service(env)
    _w, _csrf, app_id = file_app(env, code)
    page_path = "/t/%s/permohonan/%d" % (TENANT, app_id)
    db = env.shared_db
    unit = db.sql("SELECT unit FROM services_apps WHERE id = %d" % app_id)[0][0]
    o = env.client()
    o.login(TENANT, "petugas")
    page = o.get(page_path).expect(200)
    sel = re.search(r'<select id="t-asg" name="text" required>(.*?)</select>', page.text, re.S)
    assert sel, page.text[:3000]
    listed = re.findall(r'<option value="([^"]+)"', sel.group(1))
    expect = [u for (u,) in db.sql("SELECT username FROM users WHERE tenant = '%s' AND unit = '%s' AND role IN "
                                   "('petugas', 'admin_opd', 'kepala_opd') AND disabled = 0" % (TENANT, unit))]
    assert sorted(listed) == sorted(expect) and "petugas" in listed, (listed, expect)
    others = [u for (u,) in db.sql("SELECT username FROM users WHERE tenant = '%s' AND (unit IS NULL OR unit <> '%s' "
                                   "OR disabled = 1)" % (TENANT, unit))]
    assert not set(others) & set(listed), (others, listed)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    o.post_form(page_path + "/aksi", {"_csrf": page.csrf(), "version": version, "op": "assign", "text": "petugas"}).expect(303)
    page = o.get(page_path).expect(200)
    assert re.search(r'<option value="petugas" selected>', page.text), page.text[:3000]
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    o.post_form(page_path + "/aksi", {"_csrf": page.csrf(), "version": version, "op": "assign",
                                      "text": "koordinator"}).expect(400, contains="petugas tidak ditemukan di OPD ini")
