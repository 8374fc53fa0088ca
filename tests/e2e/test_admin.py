"""
test_admin.py: the tenant administrator's pages under /t/{tenant}/admin/:
the overview, OPDs (list, add, edit), API keys (list, create with the key
shown once, revoke after a confirmation; the key against Open311), local
holidays (list, add, remove; a deadline of the calendar API moves), and one
user's page (role and OPD, disable/enable, a new password; sessions end;
the optimistic lock's 409; no administrator locks themselves out). Every
refusal is a 4xx with its message and keeps what was typed; CSRF is needed;
only the admin of the same tenant gets in.
"""
import datetime
import html
import re

from harness import DEMO_PASSWORD, TENANT, TENANT2, check_sigap, unique

BAD_CSRF = "token keamanan formulir tidak valid; muat ulang halaman lalu coba lagi"
FORBIDDEN = "Anda tidak berhak mengakses halaman ini"
KEY_RE = re.compile(r"sgp_[0-9a-f]{12}_[0-9a-f]{64}")
ADMIN = "/t/%s/admin" % TENANT


def alert(r):
    """The texts of the page's alert and notice boxes."""
    return re.findall(r'<p class="(?:alert|notice)"[^>]*>([^<]*)</p>', r.text)


def admin_client(env, tenant=TENANT, username="admin", password=DEMO_PASSWORD):
    c = env.client()
    c.login(tenant, username, password)
    return c


def new_user(env, role="warga", unit=None, password="rahasia-panjang-1", tenant=TENANT):
    name = unique("a")
    args = ["user", "add", "--tenant", tenant, "--username", name, "--name", "Pengguna Uji " + name,
            "--role", role]
    if unit:
        args += ["--unit", unit]
    check_sigap(args, db=env.shared_db, input=password + "\n")
    return name


def version_of(page):
    m = re.search(r'name="version" value="(\d+)"', page.text)
    assert m, "no version field: " + page.text[:1500]
    return m.group(1)


def audit_rows(env, action, obj):
    rows = env.shared_db.sql("SELECT actor, summary FROM audit_log WHERE tenant = '%s' AND action = '%s' "
                             "AND object = '%s' ORDER BY seq" % (TENANT, action, obj))
    return [tuple(r) for r in rows]


# ------------------------------------------------------------------ overview

def test_admin_overview_links_every_page(env):
    c = admin_client(env)
    home = c.get(ADMIN).expect(200, contains="Administrasi")
    for path in ("/admin/pengguna", "/admin/opd", "/admin/kunci-api", "/admin/hari-libur", "/admin/audit"):
        assert 'href="/t/%s%s"' % (TENANT, path) in home.text, path
        page = c.get("/t/%s%s" % (TENANT, path)).expect(200)
        assert 'href="/t/%s/admin"' % TENANT in page.text, path      # the administration menu
    # the users page links to the other pages and to each user's page
    users = c.get(ADMIN + "/pengguna").expect(200)
    for path in ("/admin/opd", "/admin/kunci-api", "/admin/hari-libur"):
        assert 'href="/t/%s%s"' % (TENANT, path) in users.text, path
    assert 'href="/t/%s/admin/pengguna/petugas"' % TENANT in users.text
    # every page has the stylesheet and masked CSRF tokens in its forms
    assert "/static/admin.css?v=" in users.text
    c.get("/static/admin.css").expect(200, ctype="text/css")
    # the Sekda reads the audit log too, without the menu of pages they may not open
    s = env.client()
    s.login(TENANT, "sekda")
    assert 'href="/t/%s/admin/opd"' % TENANT not in s.get(ADMIN + "/audit").expect(200).text
    # English
    c.cookies["lang"] = "en"
    en = c.get(ADMIN + "/hari-libur").expect(200)
    assert "Local holidays" in en.text and "working-day deadlines" in en.text, en.text[:2000]


def test_admin_audit_log_pages_and_filters(env):
    """The audit log showed its newest 100 entries and nothing older: an administrator (or the Sekda)
    checking what happened last month could not reach it. Now older pages by entry number, and
    filters by actor, the start of an action and object, kept from page to page."""
    c = admin_client(env)
    name = new_user(env)
    admin_page = c.get(ADMIN + "/pengguna/%s" % name).expect(200)
    c.post_form(ADMIN + "/pengguna/%s/peran" % name, {"_csrf": admin_page.csrf(), "version": version_of(admin_page),
                                                      "role": "dprd", "unit": ""}).expect(303)
    seqs = lambda r: [int(x) for x in re.findall(r"<tr><td>#(\d+)</td>", r.text)]
    first = c.get(ADMIN + "/audit").expect(200, contains="Waktu (WITA)")
    s1 = seqs(first)
    assert len(s1) == 100 and s1 == sorted(s1, reverse=True), s1
    assert 'id="audit-newest"' not in first.text
    older = re.search(r'href="\?([^"]*sebelum=(\d+))" id="audit-older"', first.text)
    assert older and int(older.group(2)) == s1[-1], first.text[-1500:]
    second = c.get(ADMIN + "/audit?" + html.unescape(older.group(1))).expect(200)
    s2 = seqs(second)
    assert s2 and s2[0] == s1[-1] - 1 and s2 == list(range(s2[0], s2[0] - len(s2), -1)), (s1[-3:], s2[:3], len(s2))
    assert 'id="audit-newest"' in second.text
    # the very first entry is reachable; nothing is older
    oldest = c.get(ADMIN + "/audit?sebelum=2").expect(200)
    assert seqs(oldest) == [1] and 'id="audit-older"' not in oldest.text
    assert "Tidak ada entri lagi." in c.get(ADMIN + "/audit?sebelum=1").expect(200).text
    # filters: by object, by actor and the start of an action; exact actors
    r = c.get(ADMIN + "/audit?objek=%s" % name).expect(200)
    assert "user.role" in r.text and "user.add" in r.text, r.text[-3000:]
    assert set(re.findall(r'data-label="Objek">([^<]*)<', r.text)) == {name}
    r = c.get(ADMIN + "/audit?pelaku=admin&tindakan=user.").expect(200)
    assert set(re.findall(r'data-label="Pelaku">([^<]*)<', r.text)) == {"admin"}
    acts = set(re.findall(r'data-label="Tindakan">([^<]*)<', r.text))
    assert "user.role" in acts and all(a.startswith("user.") for a in acts), acts
    assert 'value="admin"' in r.text and 'value="user."' in r.text      # the form shows the filter
    r = c.get(ADMIN + "/audit?pelaku=admi").expect(200, contains="Tidak ada entri yang cocok dengan saringan ini.")
    assert not seqs(r)
    # a filtered page's link to older entries keeps the filter
    r = c.get(ADMIN + "/audit?tindakan=performance.").expect(200)
    older = re.search(r'href="\?([^"]*)" id="audit-older"', r.text)
    assert older and "tindakan&#61;performance." in older.group(1), r.text[-1500:]
    r2 = c.get(ADMIN + "/audit?" + html.unescape(older.group(1))).expect(200)
    acts = re.findall(r'data-label="Tindakan">([^<]*)<', r2.text)
    assert acts and all(a.startswith("performance.") for a in acts) and max(seqs(r2)) < min(seqs(r)), acts
    # what is typed is escaped back into the form
    r = c.get(ADMIN + "/audit?pelaku=%3Cb%3Ex").expect(200)
    assert 'value="&lt;b&gt;x"' in r.text and "<b>x" not in r.text
    # bad values: a 400 that says why
    for q in ("sebelum=abc", "sebelum=0", "sebelum=-5", "sebelum=99999999999999999999"):
        c.get(ADMIN + "/audit?" + q).expect(400, contains="nomor entri audit tidak sah")
    c.get(ADMIN + "/audit?objek=" + "x" * 201).expect(400, contains="maksimal 200 karakter")
    # the Sekda pages and filters the same way
    s = env.client()
    s.login(TENANT, "sekda")
    r = s.get(ADMIN + "/audit?objek=%s" % name).expect(200)
    assert "user.role" in r.text and "/static/admin.css" in r.text


# ------------------------------------------------------------------ OPD

def test_admin_units_add_edit_and_refusals(env):
    c = admin_client(env)
    page = c.get(ADMIN + "/opd").expect(200, contains="Dinas Lingkungan Hidup")
    assert "Dinas Kesehatan" in page.text and "Dinas Komunikasi, Informatika dan Statistik" not in page.text  # 52's
    token = page.csrf()
    code = ("UJI" + unique("").replace("_", "-")).upper()[:24]
    ok = {"_csrf": token, "code": code.lower(), "name": "Badan <Uji> Coba", "kind": "badan"}
    r = c.post_form(ADMIN + "/opd", ok).expect(303)
    assert r.header("location") == ADMIN + "/opd?ok=tambah", r.header("location")
    page = c.get(r.header("location")).expect(200)
    assert alert(page) == ["OPD ditambahkan"], alert(page)
    # stored in capitals, the name escaped
    assert ">%s</a>" % code in page.text and "Badan &lt;Uji&gt; Coba" in page.text and "<Uji>" not in page.text
    assert audit_rows(env, "unit.add", code) == [("admin", "Badan <Uji> Coba (badan)")]
    # the new OPD can be given to users at once
    assert '<option value="%s">' % code in c.get(ADMIN + "/pengguna").text
    bad = [
        ({"code": "dinas kesehatan"}, 400, "kode OPD harus 2-24 karakter"),
        ({"code": "A"}, 400, "kode OPD harus 2-24 karakter"),
        ({"code": "1DINAS"}, 400, "kode OPD harus 2-24 karakter"),
        ({"code": "X" * 25}, 400, "kode OPD harus 2-24 karakter"),
        ({"code": ""}, 400, "kode OPD harus 2-24 karakter"),
        ({"code": "DLH/2"}, 400, "kode OPD harus 2-24 karakter"),
        ({"name": "   "}, 400, "nama OPD wajib diisi"),
        ({"name": "n" * 201}, 400, "nama OPD wajib diisi"),
        ({"kind": "kerajaan"}, 400, "jenis OPD tidak dikenal"),
        ({"code": code}, 409, "kode OPD itu sudah dipakai di Pemda ini"),
        ({"code": "dlh"}, 409, "kode OPD itu sudah dipakai di Pemda ini"),
    ]
    for change, status, msg in bad:
        fields = dict(ok, code="ZZ" + unique("").replace("_", ""), name="OPD Ketikan " + unique())
        fields.update(change)
        r = c.post_form(ADMIN + "/opd", fields).expect(status)
        assert len(alert(r)) == 1 and alert(r)[0].startswith(msg), (change, alert(r))
        # what was typed is still in the form
        assert 'value="%s"' % fields["name"].replace('"', "&quot;") in r.text or len(fields["name"]) > 200 or \
            not fields["name"].strip(), (change, r.text[:2000])
    r = c.post_form(ADMIN + "/opd", dict(ok, code="kode salah", name='Nama "Tetap"')).expect(400)
    assert 'value="KODE SALAH"' in r.text and 'value="Nama &quot;Tetap&quot;"' in r.text, r.text
    assert ' selected>Badan</option>' in r.text
    # the same OPD code in another tenant is another OPD
    d = admin_client(env, TENANT2)
    r = d.post_form("/t/%s/admin/opd" % TENANT2, {"_csrf": d.get("/t/%s/admin/opd" % TENANT2).csrf(),
                                                   "code": code, "name": "OPD provinsi", "kind": "dinas"})
    r.expect(303)

    # edit: name and kind; the code stays
    edit = c.get(ADMIN + "/opd/" + code).expect(200, contains="Ubah OPD")
    assert 'name="code"' not in edit.text
    fields = {"_csrf": edit.csrf(), "name": "Badan Uji Baru", "kind": "dinas",
              "old_name": "Badan <Uji> Coba", "old_kind": "badan"}
    r = c.post_form(ADMIN + "/opd/" + code, fields).expect(303)
    assert r.header("location") == ADMIN + "/opd?ok=ubah"
    assert alert(c.get(r.header("location"))) == ["OPD disimpan"]
    rows = env.shared_db.sql("SELECT name, kind FROM units WHERE tenant = '%s' AND code = '%s'" % (TENANT, code))
    assert [tuple(x) for x in rows] == [("Badan Uji Baru", "dinas")], rows
    assert audit_rows(env, "unit.edit", code) == [
        ("admin", "name=Badan Uji Baru kind=dinas (was name=Badan <Uji> Coba kind=badan)")]
    # saving what the page showed again: nothing changes
    again = dict(fields, old_name="Badan Uji Baru", old_kind="dinas")
    r = c.post_form(ADMIN + "/opd/" + code, again).expect(303)
    assert r.header("location") == ADMIN + "/opd?ok=sama"
    # a stale page (someone else saved meanwhile): 409, the typed name kept, the current one shown
    r = c.post_form(ADMIN + "/opd/" + code, dict(fields, name="Nama Basi")).expect(409)
    assert alert(r)[0].startswith("OPD ini baru saja diubah oleh administrator lain"), alert(r)
    assert 'value="Nama Basi"' in r.text and "Badan Uji Baru" in r.text
    assert env.shared_db.sql("SELECT name FROM units WHERE tenant = '%s' AND code = '%s'" % (TENANT, code))[0][0] \
        == "Badan Uji Baru"
    for change, msg in (({"name": ""}, "nama OPD wajib diisi"), ({"kind": "raja"}, "jenis OPD tidak dikenal")):
        r = c.post_form(ADMIN + "/opd/" + code, dict(again, **change)).expect(400)
        assert alert(r)[0].startswith(msg), alert(r)
    # unknown OPD
    c.get(ADMIN + "/opd/TIDAK-ADA").expect(404, contains="OPD tidak ditemukan")
    c.post_form(ADMIN + "/opd/TIDAK-ADA", again).expect(404)
    # the other tenant's OPD of the same code is untouched
    rows = env.shared_db.sql("SELECT name FROM units WHERE tenant = '%s' AND code = '%s'" % (TENANT2, code))
    assert rows[0][0] == "OPD provinsi", rows


def test_admin_page_and_cli_refuse_the_same_opd_codes(env):
    """`sigap unit add` took codes the page refuses ("a", "1DINAS", "DLH/2", "dinas kesehatan", a
    name on two lines) and stored a lower-case code as typed where the page stores it in capitals.
    Both doors now apply one set of rules (tenants.h unit_code_check, unit_name_check) and give the
    same reason: the page in its language, the CLI in English (the page's English words)."""
    c = admin_client(env)
    token = c.get(ADMIN + "/opd").expect(200).csrf()
    cli = ["unit", "add", "--tenant", TENANT, "--code"]
    before = int(env.shared_db.sql("SELECT COUNT(*) FROM units WHERE tenant = '%s'" % TENANT)[0][0])
    for code, name, msg_id in (
            ("a", "Dinas Satu Huruf", "kode OPD harus 2-24 karakter"),
            ("1DINAS", "Dinas Angka", "kode OPD harus 2-24 karakter"),
            ("DLH/2", "Dinas Garis Miring", "kode OPD harus 2-24 karakter"),
            ("dinas kesehatan", "Dinas Spasi", "kode OPD harus 2-24 karakter"),
            ("X" * 25, "Dinas Panjang", "kode OPD harus 2-24 karakter"),
            ("-DLH", "Dinas Tanda Hubung", "kode OPD harus 2-24 karakter"),
            ("DUABARIS", "Dinas\nDua Baris", "nama OPD wajib diisi"),
            ("SPASI", "   ", "nama OPD wajib diisi"),
            ("PANJANG", "n" * 201, "nama OPD wajib diisi")):
        fields = {"_csrf": token, "code": code, "name": name, "kind": "dinas"}
        r = c.post_form(ADMIN + "/opd", fields).expect(400)
        assert alert(r)[0].startswith(msg_id), (code, alert(r))
        english = alert(c.post_form(ADMIN + "/opd", fields, headers={"Accept-Language": "en"}).expect(400))[0]
        assert english != alert(r)[0], english
        p = env.sigap(cli + [code, "--name", name], db=env.shared_db)
        assert p.returncode == 1 and p.stdout == "", (code, p.returncode, p.stdout, p.stderr)
        assert p.stderr == "sigap: %s\n" % english, (code, p.stderr, english)
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM units WHERE tenant = '%s'" % TENANT)[0][0]) == before
    # a code typed in lower case: both store it in capitals, and each then refuses it as taken
    web, op = unique("w").replace("_", "").lower()[:20], unique("c").replace("_", "").lower()[:20]
    c.post_form(ADMIN + "/opd", {"_csrf": token, "code": web, "name": "OPD dari halaman", "kind": "dinas"}).expect(303)
    p = env.sigap(cli + [op, "--name", "OPD dari CLI"], db=env.shared_db)
    assert p.returncode == 0 and p.stdout == "OPD %s added for %s (dinas): OPD dari CLI\n" % (op.upper(), TENANT), \
        (p.returncode, p.stdout, p.stderr)
    rows = env.shared_db.sql("SELECT code FROM units WHERE tenant = '%s' AND code IN ('%s', '%s', '%s', '%s') "
                             "ORDER BY code" % (TENANT, web, op, web.upper(), op.upper()))
    assert sorted(str(r[0]) for r in rows) == sorted([web.upper(), op.upper()]), rows
    r = c.post_form(ADMIN + "/opd", {"_csrf": token, "code": op, "name": "Lagi", "kind": "dinas"}).expect(409)
    assert alert(r)[0] == "kode OPD itu sudah dipakai di Pemda ini", alert(r)
    p = env.sigap(cli + [web, "--name", "Lagi"], db=env.shared_db)
    assert p.returncode == 1 and "OPD '%s' already exists in '%s'" % (web.upper(), TENANT) in p.stderr, p.stderr


# ------------------------------------------------------------------ API keys

def test_admin_api_key_shown_once_works_with_open311_and_revoked(env):
    c = admin_client(env)
    page = c.get(ADMIN + "/kunci-api").expect(200, contains="Buat kunci API")
    # the default role is warga (least privilege, as the CLI)
    assert '<option value="warga" selected>' in page.text, page.text
    name = "Aplikasi " + unique()
    r = c.post_form(ADMIN + "/kunci-api", {"_csrf": page.csrf(), "name": name, "role": "warga", "unit": ""})
    r.expect(201, contains="Salin kunci ini sekarang.")
    assert "hanya ditampilkan sekali" in r.text
    assert r.header("cache-control") == "no-store", r.header("cache-control")
    keys = KEY_RE.findall(r.text)
    assert len(set(keys)) == 1, keys
    key, prefix = keys[0], keys[0][4:16]
    # the list shows the prefix, never the secret
    lst = c.get(ADMIN + "/kunci-api").expect(200)
    assert prefix in lst.text and name in lst.text and key[17:] not in lst.text and not KEY_RE.search(lst.text)
    assert audit_rows(env, "apikey.create", prefix) == [("admin", "%s (role=warga unit=)" % name)]
    # it works: who am I, and an Open311 report
    h = {"Authorization": "Bearer " + key}
    o = env.client()
    me = o.get("/api/v1/t/%s/me" % TENANT, headers=h).expect(200).json()
    assert me["role"] == "warga" and me["auth"] == "apikey" and me["name"] == name, me
    report = {"jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921",
              "long": "116.0893", "description": "Sampah menumpuk di depan pasar, uji kunci dari halaman admin"}
    r = o.post_form("/open311/v2/requests.json", report)
    assert r.status == 200 and r.json()[0]["service_request_id"], (r.status, r.text[:300])
    # a warga key cannot open the admin pages
    o.get(ADMIN + "/kunci-api", headers=h).expect(403)
    # revoke: a confirmation page first
    conf = c.get(ADMIN + "/kunci-api/%s/cabut" % prefix).expect(200, contains="Cabut kunci API ini?")
    assert name in conf.text and prefix in conf.text and key[17:] not in conf.text
    r = c.post_form(ADMIN + "/kunci-api/%s/cabut" % prefix, {"_csrf": conf.csrf()}).expect(303)
    assert r.header("location") == ADMIN + "/kunci-api?ok=cabut"
    lst = c.get(r.header("location")).expect(200)
    assert alert(lst)[0].startswith("kunci API dicabut"), alert(lst)
    assert "/kunci-api/%s/cabut" % prefix not in lst.text      # no revoke link for a revoked key
    assert audit_rows(env, "apikey.revoke", prefix) == [("admin", "revoked")]
    # it stops working at once
    o.get("/api/v1/t/%s/me" % TENANT, headers=h).expect_json_error(401)
    r = o.post_form("/open311/v2/requests.json", report)
    assert r.status == 403 and "api_key tidak valid" in r.text, (r.status, r.text[:300])
    # revoking again: 409 with a message; an unknown or malformed prefix: 404
    c.get(ADMIN + "/kunci-api/%s/cabut" % prefix).expect(409, contains="kunci API ini sudah dicabut")
    c.post_form(ADMIN + "/kunci-api/%s/cabut" % prefix, {"_csrf": conf.csrf()}).expect(
        409, contains="kunci API ini sudah dicabut")
    c.get(ADMIN + "/kunci-api/0123456789ab/cabut").expect(404, contains="kunci API tidak ditemukan")
    c.post_form(ADMIN + "/kunci-api/zz/cabut", {"_csrf": conf.csrf()}).expect(404)
    # another tenant's key is not found here
    other = check_sigap(["apikey", "create", "--tenant", TENANT2, "--name", "lain"], db=env.shared_db).stdout.strip()
    c.get(ADMIN + "/kunci-api/%s/cabut" % other[4:16]).expect(404)
    assert other[4:16] not in c.get(ADMIN + "/kunci-api").text


def test_admin_api_key_refusals_and_opd_key(env):
    c = admin_client(env)
    token = c.get(ADMIN + "/kunci-api").csrf()
    cases = [
        ({"name": ""}, "nama kunci wajib diisi"),
        ({"name": "k" * 101}, "nama kunci wajib diisi"),
        ({"role": "raja"}, "peran tidak dikenal"),
        ({"role": "petugas"}, "peran ini harus terikat pada satu OPD"),
        ({"role": "warga", "unit": "DLH"}, "peran ini tidak terikat pada OPD"),
        ({"role": "admin_opd", "unit": "TIDAK-ADA"}, "OPD tidak dikenal"),
        ({"role": "kepala_opd", "unit": "DLHK"}, "OPD tidak dikenal"),      # an OPD of tenant 52
        ({"rate": "banyak"}, "batas laporan per menit adalah angka"),
        ({"rate": "-1"}, "batas laporan per menit adalah angka"),
        ({"rate": "1000001"}, "batas laporan per menit adalah angka"),
    ]
    before = env.shared_db.sql("SELECT COUNT(*) FROM api_keys WHERE tenant = '%s'" % TENANT)[0][0]
    for change, msg in cases:
        fields = {"_csrf": token, "name": "Kunci ketikan " + unique(), "role": "warga", "unit": ""}
        fields.update(change)
        r = c.post_form(ADMIN + "/kunci-api", fields).expect(400)
        assert len(alert(r)) == 1 and alert(r)[0].startswith(msg), (change, alert(r))
        assert not KEY_RE.search(r.text)
        if len(fields["name"]) <= 100:
            assert 'value="%s"' % fields["name"] in r.text, change
        if fields["role"] in ("petugas", "warga", "admin_opd", "kepala_opd"):
            assert '<option value="%s" selected>' % fields["role"] in r.text, change
        if "rate" in change:
            assert 'value="%s"' % change["rate"] in r.text, change
    assert env.shared_db.sql("SELECT COUNT(*) FROM api_keys WHERE tenant = '%s'" % TENANT)[0][0] == before
    # without a role field: warga
    r = c.post_form(ADMIN + "/kunci-api", {"_csrf": token, "name": "tanpa peran"}).expect(201)
    key = KEY_RE.search(r.text).group(0)
    assert c.get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + key}).json()["role"] == "warga"
    # a key's own limit on complaints per minute: shown in the list, and it holds
    r = c.post_form(ADMIN + "/kunci-api", {"_csrf": token, "name": "Satu per menit", "rate": "1"}).expect(201)
    key = KEY_RE.search(r.text).group(0)
    lst = c.get(ADMIN + "/kunci-api").expect(200).text
    row = lst[lst.index("Satu per menit"):].split("</tr>")[0]
    assert '<td data-label="Laporan/menit">1</td>' in row, row
    assert "bawaan" in lst and "rate_limit=1" in audit_rows(env, "apikey.create", key[4:16])[0][1]
    report = {"jurisdiction_id": TENANT, "api_key": key, "service_code": "sampah", "lat": "-8.5921",
              "long": "116.0893", "description": "Sampah menumpuk, uji batas kunci dari halaman admin"}
    o = env.client()
    assert o.post_form("/open311/v2/requests.json", report).status == 200
    assert o.post_form("/open311/v2/requests.json", report).status == 429
    # a key of an OPD role belongs to its OPD
    r = c.post_form(ADMIN + "/kunci-api", {"_csrf": token, "name": "Integrasi DLH", "role": "kepala_opd",
                                          "unit": "DLH"}).expect(201)
    key = KEY_RE.search(r.text).group(0)
    me = env.client().get("/api/v1/t/%s/me" % TENANT, headers={"Authorization": "Bearer " + key}).expect(200).json()
    assert me["role"] == "kepala_opd" and me["unit"] == "DLH", me


# ------------------------------------------------------------------ local holidays

def calendar_add(c, tenant, day, n=1):
    r = c.get("/api/v1/t/%s/calendar/add?from=%s&days=%d" % (tenant, day.isoformat(), n)).expect(200)
    return r.json()["due"]


def plain_wednesday(c, start, tenant=TENANT):
    """A Wednesday from start on whose Tuesday, Wednesday and Thursday are working days."""
    d = start
    while True:
        d += datetime.timedelta(days=1)
        if d.weekday() != 2:
            continue
        tue, wed, thu = d - datetime.timedelta(days=1), d, d + datetime.timedelta(days=1)
        if calendar_add(c, tenant, tue) == wed.isoformat() and calendar_add(c, tenant, wed) == thu.isoformat():
            return d


def test_admin_local_holiday_moves_a_deadline(env):
    c = admin_client(env)
    api = env.client()
    day = plain_wednesday(api, datetime.date(2027, 6, 1))
    tue, thu = day - datetime.timedelta(days=1), day + datetime.timedelta(days=1)
    page = c.get(ADMIN + "/hari-libur?tahun=2027").expect(200, contains="Hari libur daerah 2027")
    assert "mengubah tenggat hari kerja" in page.text        # the page says what it changes
    assert "Tahun Baru Masehi" in page.text                   # the national days, for reference
    token = page.csrf()
    r = c.post_form(ADMIN + "/hari-libur", {"_csrf": token, "date": day.isoformat(),
                                            "name": "Hari Jadi <Kota> Uji"}).expect(303)
    assert r.header("location") == ADMIN + "/hari-libur?tahun=2027&ok=tambah", r.header("location")
    page = c.get(r.header("location")).expect(200)
    assert alert(page)[0].startswith("hari libur daerah ditambahkan"), alert(page)
    assert "Rabu, %s" % day.isoformat() in page.text and "Hari Jadi &lt;Kota&gt; Uji" in page.text
    # the deadline moves: one working day after Tuesday is now Thursday
    assert calendar_add(api, TENANT, tue) == thu.isoformat()
    assert calendar_add(api, TENANT2, tue) == day.isoformat()          # not in the province
    assert audit_rows(env, "holiday.add", day.isoformat()) == [("admin", "Hari Jadi <Kota> Uji")]
    # refusals keep what was typed
    cases = [
        ({"date": day.isoformat()}, 409, "tanggal itu sudah menjadi hari libur daerah"),
        ({"date": "2027-01-01"}, 409, "tanggal itu sudah hari libur: Tahun Baru Masehi"),
        ({"date": "2027-02-30"}, 400, "tanggal harus berformat YYYY-MM-DD"),
        ({"date": "01-06-2027"}, 400, "tanggal harus berformat YYYY-MM-DD"),
        ({"date": ""}, 400, "tanggal harus berformat YYYY-MM-DD"),
        ({"date": "1999-06-02"}, 400, "tanggal harus antara tahun 2000 dan 2100"),
        ({"name": ""}, 400, "nama hari libur wajib diisi"),
        ({"name": "h" * 201}, 400, "nama hari libur wajib diisi"),
        ({"name": "baris\nbaru"}, 400, "nama hari libur wajib diisi"),
    ]
    for change, status, msg in cases:
        fields = {"_csrf": token, "date": (day + datetime.timedelta(days=7)).isoformat(), "name": "Libur ketikan"}
        fields.update(change)
        r = c.post_form(ADMIN + "/hari-libur", fields).expect(status)
        assert len(alert(r)) == 1 and alert(r)[0].startswith(msg), (change, alert(r))
        if fields["name"] == "Libur ketikan":
            assert 'value="Libur ketikan"' in r.text and 'value="%s"' % fields["date"] in r.text, change
    assert not env.shared_db.sql("SELECT day FROM holidays WHERE tenant = '%s' AND day = '%s'" % (
        TENANT, (day + datetime.timedelta(days=7)).isoformat()))
    c.get(ADMIN + "/hari-libur?tahun=abc").expect(400, contains="tahun harus antara 2000 dan 2100")
    c.get(ADMIN + "/hari-libur?tahun=1999").expect(400)
    # remove, after a confirmation
    conf = c.get(ADMIN + "/hari-libur/%s/hapus" % day.isoformat()).expect(200, contains="Hari Jadi &lt;Kota&gt; Uji")
    r = c.post_form(ADMIN + "/hari-libur/%s/hapus" % day.isoformat(), {"_csrf": conf.csrf()}).expect(303)
    assert r.header("location") == ADMIN + "/hari-libur?tahun=2027&ok=hapus"
    assert calendar_add(api, TENANT, tue) == day.isoformat()
    assert audit_rows(env, "holiday.remove", day.isoformat()) == [("admin", "Hari Jadi <Kota> Uji")]
    c.get(ADMIN + "/hari-libur/%s/hapus" % day.isoformat()).expect(404, contains="hari libur daerah itu tidak ada")
    c.post_form(ADMIN + "/hari-libur/%s/hapus" % day.isoformat(), {"_csrf": conf.csrf()}).expect(404)
    c.get(ADMIN + "/hari-libur/2027-13-01/hapus").expect(404)
    # a national day cannot be removed here
    c.get(ADMIN + "/hari-libur/2027-01-01/hapus").expect(404)


def test_admin_province_holiday_holds_in_its_cities(env):
    p = admin_client(env, TENANT2)
    api = env.client()
    day = plain_wednesday(api, datetime.date(2027, 9, 1))
    tue = day - datetime.timedelta(days=1)
    page = p.get("/t/%s/admin/hari-libur?tahun=2027" % TENANT2).expect(200)
    assert "berlaku juga di setiap kabupaten/kota" in page.text
    p.post_form("/t/%s/admin/hari-libur" % TENANT2, {"_csrf": page.csrf(), "date": day.isoformat(),
                                                     "name": "Hari Jadi Provinsi Uji"}).expect(303)
    # it holds in the city too, whose admin sees it (and cannot remove it)
    assert calendar_add(api, TENANT, tue) == (day + datetime.timedelta(days=1)).isoformat()
    c = admin_client(env)
    city = c.get(ADMIN + "/hari-libur?tahun=2027").expect(200)
    assert "Hari Jadi Provinsi Uji" in city.text and "Hari libur daerah provinsi" in city.text
    assert "/hari-libur/%s/hapus" % day.isoformat() not in city.text
    c.get(ADMIN + "/hari-libur/%s/hapus" % day.isoformat()).expect(404)
    r = c.post_form(ADMIN + "/hari-libur", {"_csrf": city.csrf(), "date": day.isoformat(), "name": "Dobel"})
    r.expect(409, contains="tanggal itu sudah hari libur: Hari Jadi Provinsi Uji")
    conf = p.get("/t/%s/admin/hari-libur/%s/hapus" % (TENANT2, day.isoformat())).expect(200)
    p.post_form("/t/%s/admin/hari-libur/%s/hapus" % (TENANT2, day.isoformat()), {"_csrf": conf.csrf()}).expect(303)
    assert calendar_add(api, TENANT, tue) == day.isoformat()


# ------------------------------------------------------------------ users

def test_admin_user_role_and_opd(env):
    user = new_user(env)
    u = env.client()
    u.login(TENANT, user, "rahasia-panjang-1")
    c = admin_client(env)
    path = ADMIN + "/pengguna/" + user
    page = c.get(path).expect(200, contains="Ubah pengguna")
    assert "Pengguna Uji " + user in page.text and "Warga" in page.text
    token, version = page.csrf(), version_of(page)
    cases = [
        ({"role": "petugas", "unit": ""}, 400, "peran ini harus terikat pada satu OPD"),
        ({"role": "petugas", "unit": "TIDAK-ADA"}, 400, "OPD tidak dikenal"),
        ({"role": "petugas", "unit": "DLHK"}, 400, "OPD tidak dikenal"),            # tenant 52's
        ({"role": "sekda", "unit": "DLH"}, 400, "peran ini tidak terikat pada OPD"),
        ({"role": "raja", "unit": ""}, 400, "peran tidak dikenal"),
        ({"role": "warga", "unit": "", "version": ""}, 400, "versi data pengguna tidak valid"),
        ({"role": "warga", "unit": "", "version": "abc"}, 400, "versi data pengguna tidak valid"),
    ]
    for change, status, msg in cases:
        fields = {"_csrf": token, "version": version}
        fields.update(change)
        r = c.post_form(path + "/peran", fields).expect(status)
        assert len(alert(r)) == 1 and alert(r)[0].startswith(msg), (change, alert(r))
        if change["role"] in ("petugas", "sekda"):        # the choice is kept
            assert '<option value="%s" selected>' % change["role"] in r.text, change
        if change.get("unit") == "DLH":
            assert '<option value="DLH" selected>' in r.text
    assert audit_rows(env, "user.role", user) == []
    r = c.post_form(path + "/peran", {"_csrf": token, "version": version, "role": "petugas",
                                      "unit": "DISDUKCAPIL"}).expect(303)
    assert r.header("location") == path + "?ok=peran", r.header("location")
    page = c.get(r.header("location")).expect(200)
    assert alert(page) == ["peran dan OPD disimpan"], alert(page)
    assert int(version_of(page)) == int(version) + 1
    # the user's session carries the new role at once
    me = u.get("/api/v1/t/%s/me" % TENANT).expect(200).json()
    assert me["role"] == "petugas" and me["unit"] == "DISDUKCAPIL", me
    assert audit_rows(env, "user.role", user) == [("admin", "role=petugas unit=DISDUKCAPIL (was role=warga unit=)")]
    # the same again: nothing changes
    r = c.post_form(path + "/peran", {"_csrf": token, "version": version_of(page), "role": "petugas",
                                      "unit": "DISDUKCAPIL"}).expect(303)
    assert r.header("location") == path + "?ok=sama"
    # unknown users, and another tenant's
    c.get(ADMIN + "/pengguna/tidak_ada_" + unique()).expect(404, contains="pengguna tidak ditemukan")
    other = new_user(env, tenant=TENANT2)
    c.get(ADMIN + "/pengguna/" + other).expect(404)
    c.post_form(ADMIN + "/pengguna/%s/peran" % other, {"_csrf": token, "version": "1", "role": "admin",
                                                        "unit": ""}).expect(404)
    assert env.shared_db.sql("SELECT role FROM users WHERE username = '%s'" % other)[0][0] == "warga"


def test_admin_disable_ends_sessions_and_enable(env):
    user = new_user(env)
    a, b = env.client(), env.client()
    a.login(TENANT, user, "rahasia-panjang-1")
    b.login(TENANT, user, "rahasia-panjang-1")
    c = admin_client(env)
    path = ADMIN + "/pengguna/" + user
    page = c.get(path).expect(200, contains="Nonaktifkan pengguna")
    # the button asks first: a page with the user's facts, the question and the form
    assert 'href="%s/status"' % path in page.text
    conf = c.get(path + "/status").expect(200, contains="Nonaktifkan pengguna ini?")
    assert user in conf.text and 'href="%s"' % path in conf.text           # and a way back
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', conf.text, re.S)
    assert form and form.group(1) == path + "/status", conf.text[:2000]
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(2)))
    assert fields["disabled"] == "1" and fields["version"] == version_of(page), fields
    r = c.post_form(path + "/status", fields)
    r.expect(303)
    assert r.header("location") == path + "?ok=nonaktif"
    # a disabled user's address goes back to the page (enabling asks nothing)
    assert c.get(path + "/status").expect(303).header("location") == path
    page = c.get(r.header("location")).expect(200, contains="Aktifkan kembali")
    assert alert(page)[0].startswith("pengguna dinonaktifkan"), alert(page)
    # both sessions ended; signing in is refused
    for x in (a, b):
        x.get("/t/%s/dasbor" % TENANT).expect(303)
        x.get("/api/v1/t/%s/me" % TENANT).expect_json_error(401)
    env.client().login(TENANT, user, "rahasia-panjang-1", expect=401)
    assert env.shared_db.sql("SELECT COUNT(*) FROM sessions WHERE user_id = (SELECT id FROM users WHERE "
                             "tenant = '%s' AND username = '%s')" % (TENANT, user))[0][0] in (0, "0")
    assert audit_rows(env, "user.disable", user) == [("admin", "disabled; sessions ended: 2")]
    lst = c.get(ADMIN + "/pengguna").expect(200)
    row = re.search(r"<tr><td><a[^>]*>%s</a>.*?</tr>" % user, lst.text)
    assert row and "Nonaktif" in row.group(0), row
    # a bad status value
    c.post_form(path + "/status", {"_csrf": page.csrf(), "version": version_of(page), "disabled": "ya"}).expect(400)
    # enabled again
    r = c.post_form(path + "/status", {"_csrf": page.csrf(), "version": version_of(page), "disabled": "0"})
    assert r.expect(303).header("location") == path + "?ok=aktif"
    env.client().login(TENANT, user, "rahasia-panjang-1")
    assert audit_rows(env, "user.enable", user) == [("admin", "enabled; sessions ended: 0")]


def test_admin_reset_password_ends_sessions(env):
    user = new_user(env, password="sandi-lama-123")
    u = env.client()
    u.login(TENANT, user, "sandi-lama-123")
    c = admin_client(env)
    path = ADMIN + "/pengguna/" + user
    page = c.get(path).expect(200, contains="Atur kata sandi baru")
    token, version = page.csrf(), version_of(page)
    cases = [
        ({"new": "pendek", "confirm": "pendek"}, "kata sandi minimal 10 karakter"),
        ({"new": "p" * 129, "confirm": "p" * 129}, "kata sandi maksimal 128 karakter"),
        ({"new": "sandi-baru-456", "confirm": "sandi-baru-457"}, "konfirmasi kata sandi tidak sama"),
        ({"new": "sandi-baru-456"}, "semua kolom wajib diisi"),
    ]
    for fields, msg in cases:
        r = c.post_form(path + "/sandi", dict(fields, _csrf=token, version=version)).expect(400)
        assert alert(r) == [msg], (fields, alert(r))
        assert 'value="sandi-baru' not in r.text and 'value="pendek"' not in r.text and 'value="ppp' not in r.text
    u.get("/t/%s/dasbor" % TENANT).expect(200)       # none of them ended the session
    r = c.post_form(path + "/sandi", {"_csrf": token, "version": version, "new": "sandi-baru-456",
                                      "confirm": "sandi-baru-456"}).expect(303)
    assert r.header("location") == path + "?ok=sandi"
    assert alert(c.get(r.header("location")))[0].startswith("kata sandi baru disimpan"), r.header("location")
    # the user's session ended; the old password is gone, the new one works
    u.get("/t/%s/dasbor" % TENANT).expect(303)
    env.client().login(TENANT, user, "sandi-lama-123", expect=401)
    env.client().login(TENANT, user, "sandi-baru-456")
    assert audit_rows(env, "user.password.reset", user) == [
        ("admin", "password set by an administrator; sessions ended: 1")]
    # the admin's own session goes on
    c.get(ADMIN + "/pengguna").expect(200)


def test_admin_two_admins_collide_409(env):
    second = new_user(env, role="admin")
    user = new_user(env)
    a = admin_client(env)
    b = admin_client(env, username=second, password="rahasia-panjang-1")
    path = ADMIN + "/pengguna/" + user
    pa, pb = a.get(path).expect(200), b.get(path).expect(200)
    assert version_of(pa) == version_of(pb)
    a.post_form(path + "/peran", {"_csrf": pa.csrf(), "version": version_of(pa), "role": "koordinator",
                                  "unit": ""}).expect(303)
    # b's page is stale: 409 with a clear message, the current data on the page, nothing changed
    for sub, fields in (("status", {"disabled": "1"}), ("peran", {"role": "dprd", "unit": ""}),
                        ("sandi", {"new": "sandi-baru-789", "confirm": "sandi-baru-789"})):
        r = b.post_form(path + "/" + sub, dict(fields, _csrf=pb.csrf(), version=version_of(pb))).expect(409)
        assert alert(r)[0].startswith("pengguna ini baru saja diubah oleh administrator lain"), (sub, alert(r))
        assert "Admin Koordinator Pengaduan" in r.text, sub       # the role as it is now
        assert int(version_of(r)) == int(version_of(pa)) + 1, sub
    r = b.post_form(path + "/peran", {"_csrf": pb.csrf(), "version": version_of(pb), "role": "dprd", "unit": ""})
    assert '<option value="dprd" selected>' in r.text           # what b chose is kept
    rows = env.shared_db.sql("SELECT role, disabled FROM users WHERE tenant = '%s' AND username = '%s'" % (TENANT, user))
    assert [tuple(str(x) for x in row) for row in rows] == [("koordinator", "0")], rows
    # with the fresh page b goes through
    fresh = b.get(path).expect(200)
    b.post_form(path + "/status", {"_csrf": fresh.csrf(), "version": version_of(fresh), "disabled": "1"}).expect(303)


def test_admin_cannot_disable_or_demote_themselves(env):
    me = new_user(env, role="admin")
    c = admin_client(env, username=me, password="rahasia-panjang-1")
    path = ADMIN + "/pengguna/" + me
    page = c.get(path).expect(200, contains="Ini akun Anda sendiri")
    for sub in ("status", "peran", "sandi"):
        assert 'action="%s/%s"' % (path, sub) not in page.text, sub
    assert 'href="%s/status"' % path not in page.text
    # nor the questions before them
    c.get(path + "/status").expect(403, contains="Anda tidak dapat menonaktifkan akun Anda sendiri")
    c.get(path + "/dua-langkah").expect(403, contains="akun Anda sendiri tidak diatur ulang di sini")
    c.get(ADMIN + "/pengguna/tidak-ada/status").expect(404, contains="pengguna tidak ditemukan")
    v = env.shared_db.sql("SELECT version FROM users WHERE tenant = '%s' AND username = '%s'" % (TENANT, me))[0][0]
    token = page.csrf()
    for sub, fields, msg in (
            ("status", {"disabled": "1"}, "Anda tidak dapat menonaktifkan akun Anda sendiri"),
            ("peran", {"role": "warga", "unit": ""}, "Anda tidak dapat menurunkan peran Anda sendiri"),
            ("peran", {"role": "petugas", "unit": "DLH"}, "Anda tidak dapat menurunkan peran Anda sendiri"),
            ("sandi", {"new": "sandi-baru-321", "confirm": "sandi-baru-321"}, "kata sandi Anda sendiri diganti")):
        r = c.post_form(path + "/" + sub, dict(fields, _csrf=token, version=str(v))).expect(403)
        assert alert(r)[0].startswith(msg), (sub, alert(r))
    row = env.shared_db.sql("SELECT role, disabled, version FROM users WHERE tenant = '%s' AND username = '%s'" % (
        TENANT, me))[0]
    assert [str(x) for x in row] == ["admin", "0", str(v)], row
    c.get(ADMIN + "/pengguna").expect(200)        # still signed in, still admin


# ------------------------------------------------------------------ who may

POSTS = [
    ("/opd", {"code": "TOLAK", "name": "Tidak boleh", "kind": "dinas"}),
    ("/opd/DLH", {"name": "Diganti", "kind": "dinas", "old_name": "Dinas Lingkungan Hidup", "old_kind": "dinas"}),
    ("/kunci-api", {"name": "tidak boleh", "role": "admin"}),
    ("/hari-libur", {"date": "2027-08-11", "name": "Tidak boleh"}),
    ("/hari-libur/2027-08-11/hapus", {}),
    ("/pengguna/warga/status", {"version": "1", "disabled": "1"}),
    ("/pengguna/warga/peran", {"version": "1", "role": "admin", "unit": ""}),
    ("/pengguna/warga/sandi", {"version": "1", "new": "diambil-alih-1", "confirm": "diambil-alih-1"}),
]
GETS = ["", "/opd", "/opd/DLH", "/kunci-api", "/hari-libur", "/pengguna/warga", "/pengguna/warga/status",
        "/pengguna/warga/dua-langkah"]


def nothing_changed(env):
    db = env.shared_db
    assert db.sql("SELECT COUNT(*) FROM units WHERE code = 'TOLAK'")[0][0] in (0, "0")
    assert db.sql("SELECT name FROM units WHERE tenant = '%s' AND code = 'DLH'" % TENANT)[0][0] == \
        "Dinas Lingkungan Hidup"
    assert db.sql("SELECT COUNT(*) FROM api_keys WHERE name = 'tidak boleh'")[0][0] in (0, "0")
    assert db.sql("SELECT COUNT(*) FROM holidays WHERE name = 'Tidak boleh'")[0][0] in (0, "0")
    row = db.sql("SELECT role, disabled FROM users WHERE tenant = '%s' AND username = 'warga'" % TENANT)[0]
    assert [str(x) for x in row] == ["warga", "0"], row


def test_admin_pages_need_csrf(env):
    c = admin_client(env)
    good = c.get(ADMIN + "/opd").csrf()
    for path, fields in POSTS:
        for bad in ({}, {"_csrf": "0" * 64}, {"_csrf": good[:-1]}):
            r = c.post_form(ADMIN + path, dict(fields, **bad)).expect(403)
            assert BAD_CSRF in r.text, (path, r.text[:500])
    nothing_changed(env)


def test_admin_of_another_tenant_refused(env):
    d = admin_client(env, TENANT2)
    token = d.get("/t/%s/admin/opd" % TENANT2).csrf()
    for path in GETS:
        r = d.get(ADMIN + path).expect(303)          # not signed in there
        assert r.header("location").startswith("/t/%s/masuk?next=" % TENANT), r.header("location")
    for path, fields in POSTS:
        r = d.post_form(ADMIN + path, dict(fields, _csrf=token))
        assert r.status in (401, 403), (path, r.describe())
    nothing_changed(env)
    # and 52's own pages show only 52's data
    assert "Dinas Lingkungan Hidup dan Kehutanan" in d.get("/t/%s/admin/opd" % TENANT2).text
    assert "Dinas Lingkungan Hidup<" not in d.get("/t/%s/admin/opd" % TENANT2).text


def test_admin_pages_refuse_other_roles(env):
    for role in ("warga", "petugas", "admin_opd", "kepala_opd", "koordinator", "sekda", "kepala_daerah", "dprd"):
        c = env.client()
        c.login(TENANT, role)
        token = c.session_csrf(TENANT)
        for path in GETS:
            r = c.get(ADMIN + path)
            assert r.status == 403 and FORBIDDEN in r.text, (role, path, r.status)
        for path, fields in POSTS:
            r = c.post_form(ADMIN + path, dict(fields, _csrf=token))
            assert r.status == 403, (role, path, r.describe())
        # no link to what they may not open
        assert ADMIN + "/opd" not in c.get("/t/%s/dasbor" % TENANT).text
    # an API key of a role other than admin
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "bukan-admin", "--role", "sekda"],
                      db=env.shared_db).stdout.strip()
    h = {"Authorization": "Bearer " + key}
    for path, fields in POSTS:
        assert env.client().post_form(ADMIN + path, fields, headers=h).status == 403, path
    # anonymous: the sign-in page, or 401
    a = env.client()
    for path in GETS:
        r = a.get(ADMIN + path).expect(303)
        assert r.header("location").startswith("/t/%s/masuk?next=" % TENANT)
    a.post_form(ADMIN + "/opd", dict(POSTS[0][1], _csrf=a.get("/t/%s/masuk" % TENANT).csrf())).expect(401)
    nothing_changed(env)
    # the demo admin's password is untouched
    env.client().login(TENANT, "warga", DEMO_PASSWORD)


def test_admin_user_list_search_and_pages(env):
    """With self-registration the list grows: it comes in pages of 50, searchable by username,
    name or e-mail (any case), and filtered by role."""
    db = env.new_db()
    srv = env.start_server(db)
    hash_ = db.sql("SELECT password_hash FROM users WHERE tenant = '52.71' AND username = 'warga'")[0][0]
    db.sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 60) "
           "INSERT INTO users (tenant, username, full_name, role, email, password_hash, created_at, updated_at) "
           "SELECT '52.71', 'wrg' || (100 + i), 'Warga Nomor ' || i, 'warga', 'w' || i || '@contoh.id', '%s', 0, 0 "
           "FROM n" % hash_)
    c = srv.client(ip="10.74.0.1")
    c.login(TENANT, "admin")
    page = c.get(ADMIN + "/pengguna").expect(200)
    total = int(db.sql("SELECT COUNT(*) FROM users WHERE tenant = '52.71'")[0][0])
    assert "%d pengguna; halaman 1 dari %d" % (total, (total + 49) // 50) in page.text, page.text[-3000:]
    assert len(re.findall(r'href="/t/52\.71/admin/pengguna/[^"/]+"', page.text)) == 50
    assert 'hal=2"' in page.text and "Sebelumnya" not in page.text
    last = c.get(ADMIN + "/pengguna?hal=%d" % ((total + 49) // 50)).expect(200)
    assert "Sebelumnya" in last.text and "Berikutnya" not in last.text
    # by name, any case; by e-mail; by role; "%" is a character, not a wildcard
    r = c.get(ADMIN + "/pengguna?q=NOMOR%2017").expect(200)
    assert "wrg117" in r.text and "1 pengguna; halaman 1 dari 1" in r.text, r.text[-2500:]
    r = c.get(ADMIN + "/pengguna?q=w42%40contoh").expect(200)
    assert "wrg142" in r.text and "1 pengguna" in r.text
    r = c.get(ADMIN + "/pengguna?peran=sekda").expect(200)
    assert "/admin/pengguna/sekda" in r.text and "wrg101" not in r.text and "1 pengguna" in r.text
    assert re.search(r"<p>0 pengguna;", c.get(ADMIN + "/pengguna?q=%25").text)
    # nonsense pages and roles fall back, never an error
    c.get(ADMIN + "/pengguna?hal=-3&peran=raja").expect(200)
    srv.stop()
