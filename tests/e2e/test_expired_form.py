"""
test_expired_form.py: a long form sent after its CSRF token expired (the page left open past the
anonymous cookie's day or the session's idle hours, a new session, a cleared cookie) comes back,
403, with everything typed in it and a fresh token, when the browser shows that it was sent from
sigap's own page (Sec-Fetch-Site: same-origin, or an Origin equal to the site's own). Nothing is
stored, and sending the page that came back works. From another site, or without that proof, the
answer stays the bare 403 that echoes nothing: otherwise another site could fill in a form for a
victim. Forms: the complaint (also over the body limit, and after the session ended), its action
forms, the service application, its correction and the officer's note, the catalogue editor, the
proposal (new and edited) and the DPRD's pokok pikiran.
"""
import re
import uuid

from harness import TENANT, unique
from test_citizen_ux import count, post_mp

T = "/t/%s" % TENANT
NEW = T + "/pengaduan/baru"
MARK = '<script>alert("sigap")</script>'
SAME = {"Sec-Fetch-Site": "same-origin"}
# no proof of a page of this site: another site, a sibling site, a foreign or opaque Origin,
# nothing at all (a foreign Origin with a same-origin Sec-Fetch-Site cannot come from a browser)
NOT_SAME = ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "none"},
            {"Origin": "https://evil.example"}, {"Origin": "null"}, {})
EXPIRED = "Formulir ini sudah kedaluwarsa, jadi belum ada yang disimpan"
FILES_AGAIN = "Foto atau berkas yang tadi dipilih belum terkirim"
BARE = "token keamanan formulir tidak valid"
STALE = "f" * 128  # a token of no session and no cookie
NIK = "5271014101900001"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 2000


def esc(s):
    """s as the templates escape it (sb_add_html)."""
    for a, b in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;"), ("`", "&#96;"),
                 ("=", "&#61;")):
        s = s.replace(a, b)
    return s


def refilled(r, texts, files=False, said=EXPIRED):
    """The form again: 403, the message, every text typed escaped (never as markup), and a fresh
    token; returns the token."""
    r.expect(403, ctype="text/html")
    assert said in r.text, r.text[:3000]
    for t in texts:
        assert esc(t) in r.text, "%r lost: %s" % (t, r.text[:4000])
    assert MARK not in r.text, "typed markup sent back unescaped"
    assert (FILES_AGAIN in r.text) == files, r.text[:3000]
    return r.csrf()


def bare(r, texts):
    """Today's answer: the 403 about the token, nothing of what was typed."""
    r.expect(403, contains=BARE)
    assert EXPIRED not in r.text
    for t in texts:
        assert esc(t) not in r.text and t not in r.text, "%r echoed to an unproven sender" % t


def typed(what, tag):
    return "%s %s %s" % (what, tag, MARK)


# ------------------------------------------------------------------ complaints

def complaint_fields(tag):
    title = typed("Jalan berlubang", tag)
    desc = typed("Lubang besar di depan sekolah sudah dua minggu; motor jatuh setiap malam.\nBaris kedua", tag)
    addr = typed("Jl. Pejanggik", tag)
    name = typed("Baiq Rina", tag)
    fields = [("kind", "aspirasi"), ("title", title), ("description", desc), ("address", addr),
              ("lat", "-8,5837"), ("long", "116,1165"), ("identity", "rahasia"), ("name", name),
              ("email", "rina@contoh.id"), ("phone", "081234567890")]
    return fields, (title, desc, addr, name)


def complaints_with(env, tag):
    return count(env, "SELECT COUNT(*) FROM complaints WHERE title LIKE '%%%s%%'" % tag)


def test_complaint_form_comes_back_after_its_token_expired(env):
    tag = unique("cplx")
    fields, texts = complaint_fields(tag)
    c = env.client()
    old = c.get(NEW).expect(200).csrf()
    # from another site, or without proof, after the cookie went: the bare 403
    del c.cookies["sigap_pre"]
    for h in NOT_SAME:
        bare(post_mp(c, NEW, [("_csrf", old)] + fields, headers=h), texts)
    assert complaints_with(env, tag) == 0
    # the cookie was cleared (or the day passed): the form again, with a new cookie
    c.cookies.pop("sigap_pre", None)  # (the pages of the 403s above set one)
    r = post_mp(c, NEW, [("_csrf", old)] + fields, [("photo", "jalan.jpg", "image/jpeg", JPEG)], headers=SAME)
    token = refilled(r, texts, files=True)
    assert any(l.startswith("sigap_pre=") for l in r.header_all("set-cookie")), r.headers
    assert 'value="aspirasi" checked' in r.text and 'value="rahasia" checked' in r.text
    assert 'value="-8,5837"' in r.text and 'value="081234567890"' in r.text
    assert 'action="%s"' % NEW in r.text
    assert complaints_with(env, tag) == 0
    # a token that no longer matches the cookie (no file this time: no word about files), in English
    r = post_mp(c, NEW, [("_csrf", STALE)] + fields, headers=dict(SAME, **{"Accept-Language": "en"}))
    refilled(r, texts, said="This form had expired, so nothing was saved")
    assert complaints_with(env, tag) == 0
    # what came back is sent again: filed once
    r = post_mp(c, NEW, [("_csrf", token)] + fields, headers=SAME)
    assert r.status == 303 and "?baru=1" in (r.header("location") or ""), (r.status, r.text[:1500])
    assert complaints_with(env, tag) == 1


def test_complaint_over_the_body_limit_with_an_expired_token(env):
    srv = env.start_server(args=["--max-body", "65536"])
    tag = unique("cplbig")
    fields, texts = complaint_fields(tag)
    c = srv.client()
    c.get(NEW).expect(200)
    photo = [("photo", "jalan.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\0" * 100000)]
    for h in ({"Sec-Fetch-Site": "cross-site"}, {}):
        bare(post_mp(c, NEW, [("_csrf", STALE)] + fields, photo, headers=h), texts)
    r = post_mp(c, NEW, [("_csrf", STALE)] + fields, photo, headers=SAME)
    # both reasons: the token, and the photo's size (files to be chosen again)
    token = refilled(r, texts, said=EXPIRED)
    assert "terlalu besar" in r.text and "64 KB" in r.text, r.text[:3000]
    assert complaints_with(env, tag) == 0
    r = post_mp(c, NEW, [("_csrf", token)] + fields, headers=SAME)
    assert r.status == 303, (r.status, r.text[:1500])
    assert complaints_with(env, tag) == 1


def test_complaint_after_the_session_ended_comes_back_signed_out(env):
    tag = unique("cplgone")
    fields, texts = complaint_fields(tag)
    w = env.client()
    w.login(TENANT, "warga")
    form = w.get(NEW).expect(200)
    assert 'id="name"' not in form.text  # signed in: no name field
    stale = dict(w.cookies)
    w.post_form(T + "/keluar", {"_csrf": form.csrf()}).expect(303)
    w.cookies = dict(stale)  # another tab still holds the ended session's cookie
    # not proven: the sign-in page says the session ended, as for any form
    r = post_mp(w, NEW, [("_csrf", form.csrf())] + fields, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status == 303 and r.header("location") == T + "/masuk?berakhir=1", (r.status, r.text[:500])
    assert complaints_with(env, tag) == 0
    # proven: the form for a visitor without account, with the text and a word about the account
    w.cookies = dict(stale)
    r = post_mp(w, NEW, [("_csrf", form.csrf())] + fields, headers=SAME)
    token = refilled(r, texts, said="Anda juga sudah keluar")
    assert EXPIRED in r.text and 'id="name"' in r.text
    assert "sigap_session" not in w.cookies, "the ended session's cookie is cleared"
    assert complaints_with(env, tag) == 0
    r = post_mp(w, NEW, [("_csrf", token)] + fields, headers=SAME)
    assert r.status == 303, (r.status, r.text[:1500])
    rows = env.shared_db.sql("SELECT reporter_user_id FROM complaints WHERE title LIKE '%%%s%%'" % tag)
    assert len(rows) == 1 and str(rows[0][0]) == "0", rows  # filed without the account


def set_auto_route(env, on):
    """Auto-routing off, so that a new complaint waits for the coordinator (as in test_complaints)."""
    k = env.client()
    k.login(TENANT, "koordinator")
    csrf = k.get(T + "/pengaduan/pengaturan").expect(200).csrf()
    f = {"_csrf": csrf, "verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60",
         "escalate_days": "3", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}
    if on:
        f["auto_route"] = "1"
    k.post_form(T + "/pengaduan/pengaturan", f).expect(303)


def test_complaint_action_text_comes_back(env):
    tag = unique("cplact")
    fields, _ = complaint_fields(tag)
    set_auto_route(env, False)
    try:
        c = env.client()
        r = post_mp(c, NEW, [("_csrf", c.get(NEW).expect(200).csrf())] + fields)
        assert r.status == 303, r.text[:1000]
        cid = re.search(r"/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1)
        path = T + "/pengaduan/%s/aksi" % cid
        k = env.client()
        k.login(TENANT, "koordinator")
        page = k.get(T + "/pengaduan/%s" % cid).expect(200)
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        reason = typed("Menunggu foto lampu dari pelapor", tag)
        f = {"_csrf": STALE, "aksi": "tunda", "version": version, "text": reason}
        for h in NOT_SAME:
            bare(k.post_form(path, f, headers=h), [reason])
        r = k.post_form(path, f, headers=SAME)
        token = refilled(r, [reason])
        assert 'value="%s"' % esc(reason) in r.text  # in the hold form itself
        assert env.shared_db.sql("SELECT status FROM complaints WHERE id = %s" % cid)[0][0] == "baru"
        k.post_form(path, dict(f, _csrf=token), headers=SAME).expect(303)
        assert env.shared_db.sql("SELECT status FROM complaints WHERE id = %s" % cid)[0][0] == "tunda"
        # an official's action sent by a visitor without a session: never a form to fill in
        anon = env.client()
        anon.get(T + "/pengaduan/%s" % cid).expect(200)
        bare(anon.post_form(path, {"_csrf": STALE, "aksi": "jawab", "version": version, "text": reason},
                            headers=SAME), [reason])
    finally:
        set_auto_route(env, True)


# ------------------------------------------------------------------ services

SVC_FORM = ("nama | text | Nama lengkap | wajib\n"
            "nik_pemohon | nik | NIK pemohon | wajib\n"
            "keperluan | choice | Keperluan | wajib | | Baru; Perubahan\n"
            "kk | file | Kartu keluarga | wajib\n")


def new_service(env):
    """A service of DISDUKCAPIL made through the API by the admin; returns (code, admin client)."""
    code = "exp-" + uuid.uuid4().hex[:8]
    a = env.client()
    a.login(TENANT, "admin")
    svc = {"code": code, "unit": "DISDUKCAPIL", "name": "Layanan Uji " + code, "category": "Kependudukan",
           "summary": "Layanan untuk pengujian.", "requirements": ["Kartu keluarga"], "procedure": ["Ajukan"],
           "sla_days": 3, "fee": 0, "product": "Dokumen uji", "complaints": "Melalui menu Pengaduan.",
           "legal_basis": ["Peraturan uji"], "form": SVC_FORM,
           "steps": "Verifikasi berkas | petugas\nPersetujuan Kepala OPD | kepala_opd\n"}
    a.post_json("/api/v1/t/%s/services" % TENANT, svc, headers={"X-CSRF-Token": a.session_csrf(TENANT)}).expect(201)
    return code, a


def apps_of(env, code):
    return count(env, "SELECT COUNT(*) FROM services_apps a JOIN services s ON s.id = a.service_id "
                      "WHERE s.code = '%s'" % code)


def test_application_comes_back_after_its_token_expired(env):
    code, _ = new_service(env)
    path = T + "/layanan/%s/ajukan" % code
    w = env.client()
    w.login(TENANT, "warga")
    form = w.get(path).expect(200)
    nonce = re.search(r'name="_nonce" value="([0-9a-f]+)"', form.text).group(1)
    nama = typed("Baiq Nurul Aini", unique("app"))
    fields = [("_nonce", nonce), ("nama", nama), ("nik_pemohon", NIK), ("keperluan", "Perubahan")]
    kk = [("kk", "kk.pdf", "application/pdf", PDF)]
    for h in NOT_SAME:
        bare(post_mp(w, path, [("_csrf", STALE)] + fields, kk, headers=h), [nama])
    r = post_mp(w, path, [("_csrf", STALE)] + fields, kk, headers=SAME)
    token = refilled(r, [nama], files=True)
    assert 'value="%s"' % NIK in r.text and 'name="_nonce" value="%s"' % nonce in r.text
    assert re.search(r'value="Perubahan"[^>]*(checked|selected)', r.text), r.text[:4000]
    assert "Berkas yang tadi Anda pilih" not in r.text  # the files are mentioned once
    assert apps_of(env, code) == 0
    r = post_mp(w, path, [("_csrf", token)] + fields, kk, headers=SAME)
    assert r.status == 303 and "?baru=1" in r.header("location"), (r.status, r.text[:1500])
    assert apps_of(env, code) == 1
    # the form needs an account: after the session ended, the sign-in page (which says so)
    stale = dict(w.cookies)
    w.post_form(T + "/keluar", {"_csrf": token}).expect(303)
    w.cookies = stale
    r = post_mp(w, path, [("_csrf", token)] + fields, kk, headers=SAME)
    assert r.status == 303 and r.header("location") == T + "/masuk?berakhir=1", (r.status, r.text[:500])
    # and without any session, "sign in first"
    r = post_mp(env.client(), path, [("_csrf", token)] + fields, kk, headers=SAME).expect(401)
    assert esc(nama) not in r.text
    assert apps_of(env, code) == 1


def test_correction_and_officer_note_come_back(env):
    code, _ = new_service(env)
    w = env.client()
    w.login(TENANT, "warga")
    form = w.get(T + "/layanan/%s/ajukan" % code).expect(200)
    r = post_mp(w, T + "/layanan/%s/ajukan" % code,
                [("_csrf", form.csrf()), ("nama", "Baiq Nurul Aini"), ("nik_pemohon", NIK), ("keperluan", "Baru")],
                [("kk", "kk.pdf", "application/pdf", PDF)])
    assert r.status == 303, r.text[:1500]
    app_id = re.search(r"/permohonan/(\d+)\?baru=1$", r.header("location")).group(1)
    o = env.client()
    o.login(TENANT, "petugas")  # of DISDUKCAPIL
    act = T + "/permohonan/%s/aksi" % app_id
    note = typed("Catatan internal: telepon pemohon besok pagi", unique("note"))
    for h in NOT_SAME:
        bare(o.post_form(act, {"_csrf": STALE, "op": "note", "text": note}, headers=h), [note])
    r = o.post_form(act, {"_csrf": STALE, "op": "note", "text": note}, headers=SAME)
    token = refilled(r, [note])
    assert ">%s</textarea>" % esc(note) in r.text  # back in the note's own field
    assert count(env, "SELECT COUNT(*) FROM services_events WHERE app_id = %s AND note LIKE '%%Catatan internal%%'"
                 % app_id) == 0
    o.post_form(act, {"_csrf": token, "op": "note", "text": note}, headers=SAME).expect(303)
    o.post_form(act, {"_csrf": token, "op": "return", "text": "Scan kartu keluarga buram"}).expect(303)
    # the citizen's correction
    page = w.get(T + "/permohonan/%s" % app_id).expect(200, contains="Scan kartu keluarga buram")
    ver = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    path = T + "/permohonan/%s/perbaiki" % app_id
    nama = typed("Baiq Nurul Aini Diperbaiki", unique("fix"))
    fields = [("version", ver), ("nama", nama), ("nik_pemohon", NIK), ("keperluan", "Perubahan")]
    for h in NOT_SAME:
        bare(post_mp(w, path, [("_csrf", STALE)] + fields, headers=h), [nama])
    r = post_mp(w, path, [("_csrf", STALE)] + fields, headers=SAME)
    token = refilled(r, [nama])
    assert 'value="%s"' % esc(nama) in r.text and 'action="%s#perbaiki"' % path in r.text
    j = w.get("/api/v1/t/%s/applications/%s" % (TENANT, app_id)).expect(200).json()
    assert j["state"] == "dikembalikan" and j["values"]["nama"] == "Baiq Nurul Aini", j
    r = post_mp(w, path, [("_csrf", token)] + fields, headers=SAME)
    assert r.status == 303, r.text[:1500]
    j = w.get("/api/v1/t/%s/applications/%s" % (TENANT, app_id)).expect(200).json()
    assert j["values"]["nama"] == nama and j["values"]["keperluan"] == "Perubahan", j


def test_catalogue_editor_comes_back(env):
    code, a = new_service(env)
    path = T + "/admin/layanan/%s" % code
    page = a.get(path).expect(200)
    fields = dict(re.findall(r'<input[^>]* name="([a-z_]+)" value="([^"]*)"', page.text))
    fields.update({k: v for k, v in re.findall(r'<textarea[^>]* name="([a-z_]+)"[^>]*>([^<]*)</textarea>', page.text)})
    fields.pop("_csrf", None)
    fields["unit"] = "DISDUKCAPIL"
    summary = typed("Ringkasan baru yang panjang", unique("sum"))
    fields["summary"] = summary
    for h in NOT_SAME:
        bare(a.post_form(path, dict(fields, _csrf=STALE), headers=h), [summary])
    r = a.post_form(path, dict(fields, _csrf=STALE), headers=SAME)
    token = refilled(r, [summary])
    assert 'action="%s"' % path in r.text, "the editor posts to the service it edits"
    # (a change refused for its content comes back posting to that service too)
    r = a.post_form(path, dict(fields, _csrf=token, sla_days="lima")).expect(400)
    assert 'action="%s"' % path in r.text and esc(summary) in r.text
    api = "/api/v1/t/%s/services/%s" % (TENANT, code)
    assert a.get(api).expect(200).json()["summary"] == "Layanan untuk pengujian."
    a.post_form(path, dict(fields, _csrf=token), headers=SAME).expect(303)
    assert a.get(api).expect(200).json()["summary"] == summary


# ------------------------------------------------------------------ governance

def proposals_with(env, tag):
    return count(env, "SELECT COUNT(*) FROM governance_proposals WHERE title LIKE '%%%s%%'" % tag)


def test_proposal_new_and_edited_comes_back(env):
    tag = unique("gov")
    k = env.client()
    k.login(TENANT, "kepala_opd")
    title, background = typed("Perpanjangan jam layanan", tag), typed("Antrean panjang di MPP", tag)
    analysis, proposed = typed("Data tiga bulan", tag), typed("Sampai pukul 18.00", tag)
    fields = {"kind": "telaahan", "title": title, "background": background, "analysis": analysis,
              "options": "1. Tetap\n2. Diperpanjang", "proposed": proposed, "urgency": "segera",
              "needs_dprd": "1"}
    for h in NOT_SAME:
        bare(k.post_form(T + "/usulan", dict(fields, _csrf=STALE), headers=h), [title, background])
    r = k.post_form(T + "/usulan", dict(fields, _csrf=STALE), headers=SAME)
    token = refilled(r, [title, background, analysis, proposed])
    assert 'value="telaahan" selected' in r.text and 'value="segera" selected' in r.text, r.text[:4000]
    assert re.search(r'name="needs_dprd"[^>]*checked', r.text), r.text[:4000]
    assert proposals_with(env, tag) == 0
    r = k.post_form(T + "/usulan", dict(fields, _csrf=token), headers=SAME).expect(303)
    pid = re.match(r"^/t/[0-9.]+/usulan/(\d+)$", r.header("location")).group(1)
    assert proposals_with(env, tag) == 1
    # the edit form keeps the version it was opened at
    page = k.get(T + "/usulan/%s/ubah" % pid).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    new_title = typed("Jam layanan diubah", tag)
    edit = dict(fields, title=new_title, version=version)
    path = T + "/usulan/%s/ubah" % pid
    for h in NOT_SAME:
        bare(k.post_form(path, dict(edit, _csrf=STALE), headers=h), [new_title])
    r = k.post_form(path, dict(edit, _csrf=STALE), headers=SAME)
    token = refilled(r, [new_title, background])
    assert 'name="version" value="%s"' % version in r.text and 'action="%s"' % path in r.text
    assert count(env, "SELECT COUNT(*) FROM governance_proposals WHERE title LIKE '%%Jam layanan diubah %s%%'" % tag) == 0
    k.post_form(path, dict(edit, _csrf=token), headers=SAME).expect(303)
    assert count(env, "SELECT COUNT(*) FROM governance_proposals WHERE title LIKE '%%Jam layanan diubah %s%%'" % tag) == 1


def test_pokir_comes_back(env):
    tag = unique("pokir")
    d = env.client()
    d.login(TENANT, "dprd")
    title, background = typed("Perekaman KTP-el keliling", tag), typed("Warga lansia sulit datang", tag)
    fields = {"unit": "DINKES", "title": title, "background": background, "proposed": typed("Jadwal", tag)}
    for h in NOT_SAME:
        bare(d.post_form(T + "/pokir", dict(fields, _csrf=STALE), headers=h), [title])
    r = d.post_form(T + "/pokir", dict(fields, _csrf=STALE), headers=SAME)
    token = refilled(r, [title, background])
    assert 'value="DINKES" selected' in r.text, r.text[:3000]
    assert proposals_with(env, tag) == 0
    d.post_form(T + "/pokir", dict(fields, _csrf=token), headers=SAME).expect(303)
    assert proposals_with(env, tag) == 1


# ------------------------------------------------------------------ what counts as the site's own page

def test_same_origin_by_origin_header(env):
    tag = unique("orig")
    fields, texts = complaint_fields(tag)
    srv = env.server
    own = "http://127.0.0.1:%d" % srv.port
    c = srv.client()
    c.get(NEW).expect(200)
    # without Sec-Fetch-Site (older browsers, plain http), an Origin of this very site
    for origin in (own, "HTTP://127.0.0.1:%d" % srv.port):
        refilled(post_mp(c, NEW, [("_csrf", STALE)] + fields, headers={"Origin": origin}), texts)
    for origin in ("http://127.0.0.1:%d" % (srv.port + 1), "https://127.0.0.1:%d" % srv.port, "http://127.0.0.1",
                   "http://localhost:%d" % srv.port, own + ".evil.example", "http://user@127.0.0.1:%d" % srv.port,
                   "ftp://127.0.0.1:%d" % srv.port, own + "/"):
        bare(post_mp(c, NEW, [("_csrf", STALE)] + fields, headers={"Origin": origin}), texts)
    # a trusted proxy that ended TLS says https: then only an https Origin is this site's
    tls = {"X-Forwarded-Proto": "https"}
    refilled(post_mp(c, NEW, [("_csrf", STALE)] + fields,
                     headers=dict(tls, Origin="https://127.0.0.1:%d" % srv.port)), texts)
    bare(post_mp(c, NEW, [("_csrf", STALE)] + fields, headers=dict(tls, Origin=own)), texts)
    assert complaints_with(env, tag) == 0


def test_same_origin_by_public_url(env):
    """With public-url set (behind a proxy that ends TLS and may pass its own Host), the site's
    origin is the configured one, whatever the request itself says."""
    tag = unique("pub")
    fields, texts = complaint_fields(tag)
    srv = env.start_server(args=["--public-url", "https://Layanan.Example.go.id/"], trust_proxy=False)
    c = srv.client()
    c.get(NEW).expect(200)
    for origin in ("https://layanan.example.go.id", "https://LAYANAN.example.go.id:443"):
        refilled(post_mp(c, NEW, [("_csrf", STALE)] + fields, headers={"Origin": origin}), texts)
    for origin in ("http://layanan.example.go.id", "http://127.0.0.1:%d" % srv.port,
                   "https://layanan.example.go.id:8443", "https://example.go.id"):
        bare(post_mp(c, NEW, [("_csrf", STALE)] + fields, headers={"Origin": origin}), texts)
    # Sec-Fetch-Site is the browser's own word and wins
    bare(post_mp(c, NEW, [("_csrf", STALE)] + fields,
                 headers={"Origin": "https://layanan.example.go.id", "Sec-Fetch-Site": "cross-site"}), texts)
    assert complaints_with(env, tag) == 0
