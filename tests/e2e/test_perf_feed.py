"""
test_perf_feed.py: the services and complaints modules feed the performance
module, through the real server. A citizen files two applications through the
web form; the OPD finishes one (selesai) and rejects the other; the citizen
files two complaints, the coordinator confirms the routing of one and
corrects the other, the OPD answers both. The Sekda's dashboard API
(/api/v1/t/52.71/kinerja) then counts exactly 2 + 2 more received, 1 + 2 more
finished, and the routing verdicts recorded agree with the proposals; the
applicant (and the reporter) see "Nilai layanan ini" with a survey link that
nobody else is shown, the survey takes the nine scores once and refuses a
second answer, and the page then thanks instead of linking.
"""
import json
import re
import uuid

from harness import TENANT

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NIK = "5271014101900001"      # Kota Mataram, Ampenan
FORM = ("nama | text | Nama lengkap | wajib | Sesuai KTP\n"
        "nik_pemohon | nik | NIK pemohon | wajib\n"
        "kk | file | Kartu keluarga | wajib\n")
STEPS = "Verifikasi berkas | petugas\nPersetujuan Kepala OPD | kepala_opd\n"
SURVEY = re.compile(r'href="/t/52\.71/survei/([0-9a-f]{64})"')


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


def login(env, user):
    c = env.client()
    c.login(TENANT, user)
    return c


def kinerja(env):
    s = login(env, "sekda")
    return s.get("/api/v1/t/%s/kinerja" % TENANT).expect(200, ctype="application/json").json()["totals"]


def routing_sums(env):
    rows = env.shared_db.sql("SELECT COALESCE(SUM(routed), 0), COALESCE(SUM(routed_ok), 0) FROM perf_daily "
                             "WHERE tenant = '52.71' AND kind = 2")
    return int(rows[0][0]), int(rows[0][1])


def category_unit(env, code):
    rows = env.shared_db.sql("SELECT unit FROM complaints_categories WHERE tenant = '52.71' AND code = '%s'" % code)
    return rows[0][0] if rows else None


def new_service(env):
    code = "kinerja-" + uuid.uuid4().hex[:8]
    c = login(env, "admin")
    csrf = c.session_csrf(TENANT)
    svc = {"code": code, "unit": "DISDUKCAPIL", "name": "Layanan Uji " + code, "category": "Kependudukan",
           "summary": "Layanan untuk pengujian.", "requirements": ["Kartu keluarga"], "procedure": ["Ajukan"],
           "sla_days": 3, "fee": 0, "product": "Dokumen uji", "complaints": "Melalui menu Pengaduan.",
           "legal_basis": ["Peraturan uji"], "form": FORM, "steps": STEPS}
    r = c.request("POST", "/api/v1/t/%s/services" % TENANT, body=json.dumps(svc),
                  headers={"Content-Type": "application/json", "X-CSRF-Token": csrf})
    assert r.status == 201, r.text
    return code


def apply(env, w, code):
    path = "/t/%s/layanan/%s/ajukan" % (TENANT, code)
    csrf = w.get(path).expect(200).csrf()
    r = post_mp(w, path, [("_csrf", csrf), ("nama", "Baiq Nurul Aini"), ("nik_pemohon", NIK)],
                [("kk", "kk.pdf", PDF)])
    assert r.status == 303, r.text[:2000]
    app_id = re.match(r"^/t/52\.71/permohonan/(\d+)\?baru=1$", r.header("location")).group(1)
    number = env.shared_db.sql("SELECT number FROM services_apps WHERE id = %s" % app_id)[0][0]
    return app_id, number


def act(c, app_id, op, text=None):
    page = c.get("/t/%s/permohonan/%s" % (TENANT, app_id)).expect(200)
    f = {"_csrf": page.csrf(), "op": op}
    if text:
        f["text"] = text
    if op == "reject":
        f["yakin"] = "1"      # the form's tick: a rejection cannot be undone
    c.post_form("/t/%s/permohonan/%s/aksi" % (TENANT, app_id), f).expect(303)


def set_auto_route(env, on):
    k = login(env, "koordinator")
    csrf = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200).csrf()
    f = {"_csrf": csrf, "verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60",
         "escalate_days": "3", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}
    if on:
        f["auto_route"] = "1"
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(303)


def complain(env, w, category, title):
    form = w.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", title),
                             ("description", title + ", mohon segera ditindaklanjuti oleh dinas terkait"),
                             ("category", category), ("kelurahan", "52.71.02.1011"), ("identity", "terbuka"),
                             ("address", "Jl. Pejanggik")])
    r = w.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype})
    assert r.status == 303, (r.status, r.text[:500])
    cid = re.match(r"/t/52\.71/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1)
    row = env.shared_db.sql("SELECT number, route_category FROM complaints WHERE id = %s" % cid)[0]
    return cid, row[0], row[1]


def complaint_act(c, cid, fields):
    page = c.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    f = {"_csrf": page.csrf(), "version": version}
    f.update(fields)
    c.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid), f).expect(303)


def answer_survey(c, token):
    base = "/t/%s/survei/%s" % (TENANT, token)
    page = c.get(base).expect(200, contains="Survei Kepuasan Masyarakat")
    fields = {"_csrf": page.csrf(), "komentar": "Cepat"}
    for i in range(9):
        fields["u%d" % (i + 1)] = "4"
    c.post_form(base, fields).expect(200, contains="penilaian Anda sudah kami terima")
    c.post_form(base, fields).expect(409, contains="sudah diisi")


def test_perf_feed_applications_and_complaints(env):
    code = new_service(env)
    before = kinerja(env)
    routed0, ok0 = routing_sums(env)
    invites0 = int(env.shared_db.sql("SELECT COUNT(*) FROM perf_survey_invites")[0][0])

    # ---- applications: one selesai, one ditolak
    w = login(env, "warga")
    a1, n1 = apply(env, w, code)
    a2, n2 = apply(env, w, code)
    o = login(env, "petugas")
    k = login(env, "kepala_opd")
    act(o, a1, "advance")
    act(k, a1, "advance")
    act(o, a2, "reject", "Berkas tidak sesuai")
    page = w.get("/t/%s/permohonan/%s" % (TENANT, a1)).expect(200, contains="Nilai layanan ini")
    token = SURVEY.search(page.text).group(1)
    # nobody but the applicant is shown the link, not even in the history
    for c in (o, k, login(env, "sekda")):
        assert token not in c.get("/t/%s/permohonan/%s" % (TENANT, a1)).expect(200).text
    j = w.get("/api/v1/t/%s/applications/%s" % (TENANT, a1)).expect(200).json()
    assert j["survey"]["token"] == token and j["survey"]["used"] is False, j.get("survey")
    assert "survey" not in o.get("/api/v1/t/%s/applications/%s" % (TENANT, a1)).expect(200).json()
    # the rejected one has no survey and leaves the open items without being a completion
    assert "Nilai layanan ini" not in w.get("/t/%s/permohonan/%s" % (TENANT, a2)).expect(200).text
    item = env.shared_db.sql("SELECT unit, service, kecamatan, open FROM perf_items WHERE kind = 1 AND item_id = '%s'" % n1)
    assert [tuple(str(x) for x in r) for r in item] == [("DISDUKCAPIL", code, "52.71.01", "0")], item
    assert str(env.shared_db.sql("SELECT open FROM perf_items WHERE kind = 1 AND item_id = '%s'" % n2)[0][0]) == "0"

    # the survey: nine scores once, a second answer refused, then thanks instead of the link
    anon = env.client()
    answer_survey(anon, token)
    page = w.get("/t/%s/permohonan/%s" % (TENANT, a1)).expect(200, contains="penilaian Anda sudah kami terima")
    assert token not in page.text

    # ---- complaints: the coordinator confirms one routing and corrects another
    set_auto_route(env, False)
    try:
        c1, m1, route1 = complain(env, w, "adminduk", "KTP-el belum dicetak sejak tiga bulan")
        c2, m2, route2 = complain(env, w, "sampah", "Akta kelahiran anak saya belum terbit")
    finally:
        set_auto_route(env, True)
    kk = login(env, "koordinator")
    complaint_act(kk, c1, {"aksi": "verifikasi"})                          # kept as proposed
    complaint_act(kk, c2, {"aksi": "verifikasi", "category": "adminduk"})  # corrected to DISDUKCAPIL
    # the proposal is the router's category when it made one, else the reporter's
    ok1 = category_unit(env, route1 or "adminduk") == "DISDUKCAPIL"
    ok2 = category_unit(env, route2 or "sampah") == "DISDUKCAPIL"
    verdicts = {r[0]: int(r[1]) for r in env.shared_db.sql(
        "SELECT item_id, routed FROM perf_items WHERE kind = 2 AND item_id IN ('%s', '%s')" % (m1, m2))}
    assert verdicts == {m1: int(ok1), m2: int(ok2)}, (verdicts, route1, route2)
    if not route2:
        assert verdicts[m2] == 0   # the reporter chose DLH's category: a correction
    routed1, ok1_sum = routing_sums(env)
    assert (routed1 - routed0, ok1_sum - ok0) == (2, int(ok1) + int(ok2))
    for cid in (c1, c2):
        assert "Nilai layanan ini" not in w.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text
        complaint_act(o, cid, {"aksi": "jawab", "text": "Sudah kami tindak lanjuti, silakan datang ke loket 3."})
    page = w.get("/t/%s/pengaduan/%s" % (TENANT, c2)).expect(200, contains="Nilai layanan ini")
    ctoken = SURVEY.search(page.text).group(1)
    assert ctoken != token
    assert ctoken not in o.get("/t/%s/pengaduan/%s" % (TENANT, c2)).expect(200).text
    assert ctoken not in env.client().get("/t/%s/pengaduan/%s" % (TENANT, c2)).expect(200).text
    answer_survey(anon, ctoken)
    assert int(env.shared_db.sql("SELECT COUNT(*) FROM perf_survey_invites")[0][0]) == invites0 + 3

    # ---- the Sekda's dashboard counts exactly these
    after = kinerja(env)
    ap, cp = "application", "complaint"
    assert after[ap]["received"] - before[ap]["received"] == 2, (before[ap], after[ap])
    assert after[ap]["finished"] - before[ap]["finished"] == 1, (before[ap], after[ap])
    assert after[ap]["finished_in_sla"] - before[ap]["finished_in_sla"] == 1
    assert after[cp]["received"] - before[cp]["received"] == 2, (before[cp], after[cp])
    assert after[cp]["finished"] - before[cp]["finished"] == 2, (before[cp], after[cp])
    assert after["all"]["received"] - before["all"]["received"] == 4
    assert after["all"]["finished"] - before["all"]["finished"] == 3
    # routing accuracy: the API's figure is the share of the recorded verdicts, before and after
    frm = login(env, "sekda").get("/api/v1/t/%s/kinerja" % TENANT).expect(200).json()["period"]["from"]
    rows = env.shared_db.sql("SELECT COALESCE(SUM(routed), 0), COALESCE(SUM(routed_ok), 0) FROM perf_monthly "
                             "WHERE tenant = '52.71' AND kind = 2 AND month >= %d" % int(frm.replace("-", "")))
    routed, ok = int(rows[0][0]), int(rows[0][1])
    assert after[cp]["routing_pct"] == pct(ok, routed), (after[cp], routed, ok)
    assert before[cp]["routing_pct"] == pct(ok - int(ok1) - int(ok2), routed - 2), (before[cp], routed, ok)


def pct(ok, n):
    return None if n <= 0 else int(100.0 * ok / n * 10 + 0.5) / 10.0
