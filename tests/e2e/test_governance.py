"""
test_governance.py: the governance module through the real server: a
proposal drafted and submitted by the kepala OPD, recommended by the Sekda,
considered by the Wakil and decided by the Kepala Daerah, each step signed
with the official's passphrase; the numbered decision, its public
verification page, PDF and register entry; refusals (out of turn, a second
decision, an edit after the decision, a wrong passphrase) with clear
messages and audit entries; tampering found by the verification page; the
JSON API; DPRD stages and pokok pikiran; OPD isolation. Also: pages show
labels, never codes; a draft without signatures does not claim valid ones;
the edit form of a proposal that can no longer change says so at once; the
lists agree with what each role may open (admin, dprd); docs/openapi.json
agrees with what the governance API answers.
"""
import datetime
import json
import os
import re

from harness import DEMO_PASSWORD, REPO, TENANT

BASE = "/t/%s" % TENANT
WITA = datetime.timezone(datetime.timedelta(hours=8))  # the demo Pemda's (52.71) time zone
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember")


def day(days=0, since=None):
    """A date as YYYY-MM-DD: days after since (a YYYY-MM-DD), or after the Pemda's today. A DPRD stage may be
    dated from the day the head approved the proposal (today, for what a test decides) to today."""
    start = datetime.date.fromisoformat(since) if since else datetime.datetime.now(WITA).date()
    return (start + datetime.timedelta(days=days)).isoformat()


def words(iso):
    """A YYYY-MM-DD date as the refusals name it: "3 Maret 2026"."""
    y, m, d = (int(x) for x in iso.split("-"))
    return "%d %s %d" % (d, MONTHS[m - 1], y)


def login(env, user):
    c = env.client()
    c.login(TENANT, user)
    return c


def ensure_key(c):
    """Creates the user's signing key with the demo passphrase unless it exists."""
    page = c.get(BASE + "/kunci-tanda-tangan").expect(200)
    if 'name="confirm"' in page.text:
        r = c.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                        "confirm": DEMO_PASSWORD})
        r.expect(200, contains="kunci tanda tangan dibuat")
    assert "Kunci publik" in c.get(BASE + "/kunci-tanda-tangan").text


def csrf(c):
    return c.session_csrf(TENANT)


def create(c, title, needs_dprd=False, public=True):
    fields = {"_csrf": csrf(c), "kind": "telaahan", "title": title, "background": "Antrean panjang di MPP",
              "analysis": "Data tiga bulan", "options": "1. Tetap\n2. Diperpanjang",
              "proposed": "Memperpanjang jam layanan sampai pukul 18.00", "urgency": "segera"}
    if needs_dprd:
        fields["needs_dprd"] = "1"
    if public:
        fields["is_public"] = "1"
    r = c.post_form(BASE + "/usulan", fields).expect(303)
    m = re.match(r"^/t/[0-9.]+/usulan/(\d+)$", r.header("location") or "")
    assert m, r.header("location")
    return int(m.group(1))


def act(c, pid, action, expect=303, **fields):
    data = {"_csrf": csrf(c), "action": action}
    if action != "dprd":
        data.setdefault("passphrase", DEMO_PASSWORD)
    data.update(fields)
    return c.post_form("%s/usulan/%d/tindakan" % (BASE, pid), data).expect(expect)


def actors(env):
    out = {}
    for u in ("kepala_opd", "sekda", "wakil", "kepala_daerah"):
        out[u] = login(env, u)
        ensure_key(out[u])
    return out


def decided(env, a, title, verdict="setuju", needs_dprd=False):
    pid = create(a["kepala_opd"], title, needs_dprd=needs_dprd)
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="sejalan dengan target IKM")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju_catatan", note="perhatikan lembur petugas")
    act(a["kepala_daerah"], pid, "keputusan", verdict=verdict, note="laksanakan", is_public="1")
    return pid


def token_of(c, pid):
    page = c.get("%s/usulan/%d" % (BASE, pid)).expect(200)
    m = re.search(r"/verifikasi/([0-9a-f]{32})", page.text)
    assert m, page.text[:2000]
    return m.group(1)


def refused_count(env):
    return int(env.shared_db.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'governance.refused'")[0][0])


def test_four_roles_sign_and_the_decision_verifies(env):
    a = actors(env)
    pid = create(a["kepala_opd"], "Perpanjangan jam layanan e2e")
    # the Sekda's inbox shows it once submitted
    assert "Perpanjangan jam layanan e2e" not in a["sekda"].get(BASE + "/usulan").text.split("Semua usulan")[0]
    act(a["kepala_opd"], pid, "ajukan")
    inbox = a["sekda"].get(BASE + "/usulan").expect(200).text
    assert "Perpanjangan jam layanan e2e" in inbox.split("Semua usulan")[0]
    act(a["sekda"], pid, "saran", verdict="setuju_catatan", note="cek anggaran lembur")
    act(a["wakil"], pid, "pertimbangan", verdict="tidak_setuju", note="tunggu evaluasi")
    r = act(a["kepala_daerah"], pid, "keputusan", verdict="setuju", note="laksanakan", is_public="1")
    assert r.header("location").endswith("/usulan/%d?ok=1" % pid)
    page = a["kepala_daerah"].get(r.header("location")).expect(200)
    assert re.search(r"Keputusan Wali Kota Mataram Nomor \d+/20\d\d", page.text), page.text[:3000]
    assert "Semua tanda tangan sah." in page.text
    # the differing view of the wakil is recorded, not hidden
    assert "tunggu evaluasi" in page.text
    token = token_of(a["kepala_daerah"], pid)

    anon = env.client()
    v = anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan sah")
    for who in ("Diajukan oleh Kepala OPD", "Saran Sekda", "Pertimbangan Wakil Kepala Daerah",
                "Keputusan Kepala Daerah", "<svg"):
        assert who in v.text, who
    pdf = anon.get("%s/verifikasi/%s/pdf" % (BASE, token)).expect(200, ctype="application/pdf")
    assert pdf.body.startswith(b"%PDF-"), pdf.body[:20]
    j = anon.get("/api/v1/t/%s/verifikasi/%s" % (TENANT, token)).expect(200).json()
    assert j["valid"] is True and j["steps_checked"] == 4, j
    assert [s["role"] for s in j["signers"]] == ["kepala_opd", "sekda", "wakil", "kepala_daerah"], j
    reg = anon.get(BASE + "/jdih").expect(200)
    assert "Perpanjangan jam layanan e2e" in reg.text and token in reg.text
    # the OPD by its name, not its code
    entry = [e for e in reg.text.split("<article") if token in e][0]
    assert "Dinas Kependudukan" in entry and "DISDUKCAPIL" not in entry, entry
    assert any(d["token"] == token for d in anon.get("/api/v1/t/%s/keputusan" % TENANT).expect(200).json()["decisions"])
    # unknown token
    anon.get("%s/verifikasi/%s" % (BASE, "0" * 32)).expect(404)


def multipart(fields, files):
    boundary = "----sigapgov7d1e"
    out = b""
    for k, v in fields.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    for k, (name, ctype, data) in files.items():
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (boundary, k, name, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=%s" % boundary


PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def test_attachment_upload_is_signed_content(env):
    a = actors(env)
    c = a["kepala_opd"]
    pid = create(c, "Usulan dengan lampiran e2e")
    body, ctype = multipart({"_csrf": csrf(c)}, {"file": ("kajian.pdf", "application/pdf", PDF)})
    r = c.request("POST", "%s/usulan/%d/lampiran" % (BASE, pid), body=body, headers={"Content-Type": ctype})
    r.expect(303)
    page = c.get("%s/usulan/%d" % (BASE, pid)).expect(200, contains="kajian.pdf")
    # the file type as people name it, not the MIME code
    listed = re.search(r'<ul id="attachments">.*?</ul>', page.text, re.S).group(0)
    assert "<small>PDF," in listed and "application/pdf" not in listed, listed
    href = re.search(r'href="(/t/[^"]+/lampiran/[0-9a-f]{64})"', page.text).group(1)
    got = c.get(href).expect(200, ctype="application/pdf")
    assert got.body == PDF
    # a text file is refused; a missing CSRF token too
    body, ctype = multipart({"_csrf": csrf(c)}, {"file": ("x.txt", "application/pdf", b"just text, not a pdf")})
    c.request("POST", "%s/usulan/%d/lampiran" % (BASE, pid), body=body, headers={"Content-Type": ctype}).expect(
        415, contains="jenis berkas tidak diizinkan")
    body, ctype = multipart({}, {"file": ("kajian2.pdf", "application/pdf", PDF + b"%2")})
    c.request("POST", "%s/usulan/%d/lampiran" % (BASE, pid), body=body, headers={"Content-Type": ctype}).expect(403)
    act(c, pid, "ajukan")
    j = a["sekda"].get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    assert j["content_version"] == 2 and len(j["attachments"]) == 1 and j["verification"]["valid"], j
    # another OPD's user cannot download it
    w = login(env, "warga")
    w.get(href).expect(403)


def test_refusals_are_clear_and_audited(env):
    a = actors(env)
    pid = create(a["kepala_opd"], "Usulan untuk penolakan e2e")
    act(a["kepala_opd"], pid, "ajukan")
    before = refused_count(env)
    # the wakil before the Sekda
    act(a["wakil"], pid, "pertimbangan", expect=409, verdict="setuju", note="x").expect(
        409, contains="bukan giliran Anda")
    # the Sekda trying to decide
    act(a["sekda"], pid, "keputusan", expect=403, verdict="setuju").expect(
        403, contains="peran Anda tidak berwenang")
    # a wrong passphrase
    act(a["sekda"], pid, "saran", expect=403, verdict="setuju", passphrase="bukan-frasa-ini").expect(
        403, contains="frasa sandi kunci tanda tangan salah")
    assert refused_count(env) == before + 3
    act(a["sekda"], pid, "saran", verdict="setuju")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="baik")
    act(a["kepala_daerah"], pid, "keputusan", verdict="tolak", note="anggaran tidak cukup")
    # a second decision
    act(a["kepala_daerah"], pid, "keputusan", expect=409, verdict="setuju").expect(
        409, contains="keputusan sudah ditetapkan dan tidak dapat diubah")
    # an edit after the decision
    r = a["kepala_opd"].post_form("%s/usulan/%d/ubah" % (BASE, pid), {
        "_csrf": csrf(a["kepala_opd"]), "kind": "usulan", "title": "Diubah", "background": "x", "urgency": "biasa"})
    r.expect(409, contains="usulan sudah diputuskan")
    assert refused_count(env) == before + 5
    # the API answers the same refusal in the JSON error shape
    c = a["kepala_daerah"]
    e = c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                    {"action": "keputusan", "verdict": "setuju", "passphrase": DEMO_PASSWORD},
                    headers={"X-CSRF-Token": csrf(c)}).expect_json_error(409, code="conflict")
    assert "keputusan sudah ditetapkan" in e["message"]
    # there is no route that changes a decision
    assert c.request("PUT", "/api/v1/t/%s/usulan/%d" % (TENANT, pid)).status == 405
    assert c.request("DELETE", "/api/v1/t/%s/usulan/%d" % (TENANT, pid)).status == 405


def test_tampering_is_shown_on_the_verification_page(env):
    a = actors(env)
    pid = decided(env, a, "Usulan untuk dirusak e2e")
    token = token_of(a["sekda"], pid)
    anon = env.client()
    anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan sah")
    env.shared_db.sql("UPDATE governance_versions SET proposed = 'Menutup layanan' WHERE proposal_id = %d" % pid)
    v = anon.get("%s/verifikasi/%s" % (BASE, token)).expect(200, contains="Tanda tangan TIDAK sah")
    assert "isi usulan telah diubah setelah ditandatangani" in v.text
    assert anon.get("/api/v1/t/%s/verifikasi/%s" % (TENANT, token)).json()["valid"] is False


def test_json_api_flow(env):
    a = actors(env)
    c = a["kepala_opd"]
    h = {"X-CSRF-Token": csrf(c)}
    r = c.post_json("/api/v1/t/%s/usulan" % TENANT, {"kind": "usulan", "title": "Usulan lewat API",
                                                     "background": "latar", "urgency": "sangat_segera"}, headers=h)
    r.expect(201)
    pid = r.json()["id"]
    assert r.json()["state"] == "draf"
    c.post_json("/api/v1/t/%s/usulan" % TENANT, {"kind": "usulan", "title": "", "background": "x",
                                                 "urgency": "biasa"}, headers=h).expect_json_error(400)
    r = c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                    {"action": "ajukan", "passphrase": DEMO_PASSWORD}, headers=h).expect(200)
    assert r.json()["state"] == "diajukan"
    j = a["sekda"].get("/api/v1/t/%s/usulan" % TENANT).expect(200).json()
    assert any(p["id"] == pid for p in j["proposals"])
    j = a["sekda"].get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    assert j["verification"]["valid"] is True and len(j["steps"]) == 1 and j["steps"][0]["role"] == "kepala_opd"
    # the deadline of a very urgent proposal is set
    assert j["due_at"] > 0


def test_dprd_stages_and_pokir(env):
    a = actors(env)
    pid = decided(env, a, "Raperda e2e", needs_dprd=True)
    dprd = login(env, "dprd")
    inbox = dprd.get(BASE + "/usulan").expect(200).text
    assert "Raperda e2e" in inbox
    # decided today: its stages are dated today (test_governance_dprd_dates has stages of other days)
    act(dprd, pid, "dprd", stage="pembahasan", stage_day=day(), expect=409)
    act(a["sekda"], pid, "dprd", stage="diajukan", stage_day=day())
    act(dprd, pid, "dprd", stage="pembahasan", stage_day=day(-1), expect=400).expect(
        400, contains="tidak boleh sebelum %s, tanggal tahap sebelumnya (Diajukan ke DPRD)" % words(day()))
    act(dprd, pid, "dprd", stage="pembahasan", stage_day=day())
    act(dprd, pid, "dprd", stage="disetujui", stage_day=day())
    page = dprd.get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    stages = re.search(r'<ul id="dprd">.*?</ul>', page, re.S).group(0)
    assert stages.count(day()) == 3, stages
    # the stages by their labels, not their codes
    for label in ("Diajukan ke DPRD", "Pembahasan", "Disetujui DPRD"):
        assert "<strong>%s</strong>" % label in stages, (label, stages)
    assert not re.search(r"<strong>(diajukan|pembahasan|disetujui)</strong>", stages), stages
    # in the order they happened, even when recorded in the same second
    assert re.findall(r"<strong>([^<]*)</strong>", stages) == ["Diajukan ke DPRD", "Pembahasan", "Disetujui DPRD"], stages
    row = [l for l in dprd.get(BASE + "/usulan").text.splitlines() if "Raperda e2e" in l and "<tr>" in l]
    assert row and "Disetujui DPRD" in row[0] and "DPRD: disetujui" not in row[0], row
    # pokok pikiran becomes a draft of the OPD concerned
    form = dprd.get(BASE + "/pokir").expect(200)
    r = dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DISDUKCAPIL", "title": "Pokir perekaman e2e",
                                         "background": "Warga lansia sulit datang", "proposed": "Layanan keliling"})
    r.expect(303)
    assert "Pokir perekaman e2e" in a["kepala_opd"].get(BASE + "/usulan").text
    # to another OPD: the DISDUKCAPIL head cannot open it
    r = dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DINKES", "title": "Pokir puskesmas e2e",
                                         "background": "Antrean puskesmas"}).expect(303)
    other = int(r.header("location").rsplit("/", 1)[1])
    a["kepala_opd"].get("%s/usulan/%d" % (BASE, other)).expect(403, contains="usulan ini milik OPD lain")
    # the Sekda sees the pending items per OPD and the differences report
    rekap = a["sekda"].get(BASE + "/usulan/rekap").expect(200).text
    assert "Dinas Kesehatan" in rekap
    # a citizen cannot use the leadership pages
    w = login(env, "warga")
    w.get(BASE + "/usulan/rekap").expect(403)


def test_key_page_rules(env):
    c = login(env, "sekda")
    page = c.get(BASE + "/kunci-tanda-tangan").expect(200)
    if 'name="confirm"' in page.text:
        c.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": page.csrf(), "passphrase": "pendek",
                                                    "confirm": "pendek"}).expect(400, contains="minimal 10")
        c.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                    "confirm": DEMO_PASSWORD + "x"}).expect(400, contains="tidak sama")
    ensure_key(c)
    r = c.post_form(BASE + "/kunci-tanda-tangan", {"_csrf": csrf(c), "passphrase": DEMO_PASSWORD,
                                                    "confirm": DEMO_PASSWORD})
    r.expect(409, contains="sudah memiliki kunci")
    # a role that does not sign gets no form
    w = login(env, "warga")
    assert 'name="confirm"' not in w.get(BASE + "/kunci-tanda-tangan").expect(200).text


def inbox_and_all(c):
    """The list page split into its inbox ("Menunggu tindakan Anda") and the table of all proposals."""
    text = c.get(BASE + "/usulan").expect(200).text
    inbox, rest = text.split("Semua usulan", 1) if "Semua usulan" in text else (text, "")
    return inbox, rest


def test_lists_show_labels_not_codes(env):
    a = actors(env)
    c = a["kepala_opd"]
    h = {"X-CSRF-Token": csrf(c)}
    r = c.post_json("/api/v1/t/%s/usulan" % TENANT, {"kind": "usulan", "title": "Sangat segera e2e",
                                                     "background": "latar", "urgency": "sangat_segera"}, headers=h)
    pid = r.expect(201).json()["id"]
    act(c, pid, "ajukan")
    inbox, rest = inbox_and_all(a["sekda"])
    small = inbox[inbox.index("Sangat segera e2e"):].split("</li>", 1)[0]
    assert "sifat sangat segera" in small, small
    # no code anywhere on the page, and the OPD by its name
    assert "sangat_segera" not in inbox + rest, inbox
    assert "Dinas Kependudukan" in small and "DISDUKCAPIL" not in small, small
    # the proposal page names its urgency too
    page = a["sekda"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert "sifat sangat segera" in page and "sangat_segera" not in page, page
    # the JSON keeps the code and adds the label
    j = a["sekda"].get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    assert j["urgency"] == "sangat_segera" and j["urgency_label"] == "sangat segera", j


def test_unsigned_draft_does_not_claim_valid_signatures(env):
    a = actors(env)
    pid = create(a["kepala_opd"], "Draf tanpa tanda tangan e2e")
    page = a["kepala_opd"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert 'id="chain-ok"' not in page and "Semua tanda tangan sah" not in page, page
    assert re.search(r'id="chain-none">Belum ada tanda tangan\.<', page), page
    # a pokok pikiran draft of the DPRD, as the DPRD member sees it
    dprd = login(env, "dprd")
    form = dprd.get(BASE + "/pokir").expect(200)
    r = dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DISDUKCAPIL", "title": "Pokir tanpa tanda tangan e2e",
                                         "background": "Uraian"}).expect(303)
    page = dprd.get(r.header("location")).expect(200).text
    assert "Semua tanda tangan sah" not in page and 'id="chain-none"' in page, page
    # once signed, the check is shown with the number of signatures it checked, said as such
    # (it read "(1)"; in English "Signatures checked: 1", right for one and for more)
    act(a["kepala_opd"], pid, "ajukan")
    page = a["kepala_opd"].get("%s/usulan/%d" % (BASE, pid)).expect(200).text
    assert "Semua tanda tangan sah. Tanda tangan yang diperiksa: 1." in page and 'id="chain-none"' not in page, page
    page = a["kepala_opd"].get("%s/usulan/%d" % (BASE, pid), headers={"Accept-Language": "en"}).expect(200).text
    assert re.search(r'id="chain-ok">All signatures are valid\. Signatures checked: 1\.<', page), page


def test_edit_form_of_a_proposal_that_cannot_change_says_so(env):
    a = actors(env)
    c = a["kepala_opd"]
    pid = create(c, "Usulan untuk formulir ubah e2e")
    c.get("%s/usulan/%d/ubah" % (BASE, pid)).expect(200, contains='name="title"')
    act(c, pid, "ajukan")
    r = c.get("%s/usulan/%d/ubah" % (BASE, pid)).expect(409, contains="usulan sedang diproses pimpinan")
    assert 'name="title"' not in r.text and 'name="background"' not in r.text
    done = decided(env, a, "Usulan diputuskan untuk formulir ubah e2e")
    r = c.get("%s/usulan/%d/ubah" % (BASE, done)).expect(409, contains="usulan sudah diputuskan")
    assert 'name="title"' not in r.text and 'name="background"' not in r.text
    # the page is the proposal's own, with its decision
    assert 'id="decision"' in r.text, r.text[:2000]
    # another OPD's proposal: refused with the reason; a role outside the OPDs: 403
    other = login(env, "dprd")
    form = other.get(BASE + "/pokir").expect(200)
    r = other.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DINKES", "title": "Pokir lain e2e",
                                          "background": "x"}).expect(303)
    oid = int(r.header("location").rsplit("/", 1)[1])
    c.get("%s/usulan/%d/ubah" % (BASE, oid)).expect(403, contains="usulan ini milik OPD lain")
    a["sekda"].get("%s/usulan/%d/ubah" % (BASE, pid)).expect(403)


def test_lists_agree_with_what_each_role_may_open(env):
    a = actors(env)
    pid = create(a["kepala_opd"], "Usulan terlihat admin e2e")
    admin = login(env, "admin")
    # admin opens every proposal, so its list shows every one; it acts on none
    j = admin.get("/api/v1/t/%s/usulan?all=1" % TENANT).expect(200).json()
    ids = [p["id"] for p in j["proposals"]]
    assert pid in ids, ids
    for i in ids:
        admin.get("/api/v1/t/%s/usulan/%d" % (TENANT, i)).expect(200)
    assert admin.get("/api/v1/t/%s/usulan" % TENANT).expect(200).json()["proposals"] == []
    text = admin.get(BASE + "/usulan").expect(200).text
    assert "Usulan terlihat admin e2e" in text and 'id="observer"' in text, text
    assert "Menunggu tindakan Anda" not in text
    assert len(re.findall(r'<tr><td><a href="/t/[0-9.]+/usulan/\d+"', text)) == len(ids)
    # the DPRD member's own pokok pikiran is a draft of the OPD: listed, but not waiting for the DPRD
    dprd = login(env, "dprd")
    form = dprd.get(BASE + "/pokir").expect(200)
    dprd.post_form(BASE + "/pokir", {"_csrf": form.csrf(), "unit": "DISDUKCAPIL", "title": "Pokir bukan tugas DPRD e2e",
                                     "background": "Uraian"}).expect(303)
    inbox, rest = inbox_and_all(dprd)
    assert "Pokir bukan tugas DPRD e2e" not in inbox and "Pokir bukan tugas DPRD e2e" in rest
    assert all(p["title"] != "Pokir bukan tugas DPRD e2e"
               for p in dprd.get("/api/v1/t/%s/usulan" % TENANT).expect(200).json()["proposals"])
    inbox, _ = inbox_and_all(a["kepala_opd"])
    assert "Pokir bukan tugas DPRD e2e" in inbox


def test_openapi_agrees_with_the_governance_api(env):
    with open(os.path.join(REPO, "docs", "openapi.json"), encoding="utf-8") as f:
        doc = json.load(f)

    def documented(method, path, status):
        op = doc["paths"][path][method]
        assert str(status) in op["responses"], "%s %s answers %d, not in docs/openapi.json %s" % (
            method.upper(), path, status, sorted(op["responses"]))
        if status == 401:
            assert op.get("security"), "%s %s needs a login but has no security" % (method.upper(), path)

    lst, one = "/api/v1/t/{tenant}/usulan", "/api/v1/t/{tenant}/usulan/{id}"
    act_path = "/api/v1/t/{tenant}/usulan/{id}/tindakan"
    anon = env.client()
    documented("get", lst, anon.get("/api/v1/t/%s/usulan" % TENANT).expect(401).status)
    documented("get", one, anon.get("/api/v1/t/%s/usulan/1" % TENANT).expect(401).status)
    a = actors(env)
    c = a["kepala_opd"]
    h = {"X-CSRF-Token": csrf(c)}
    documented("get", lst, c.get("/api/v1/t/%s/usulan" % TENANT).expect(200).status)
    r = c.post_json("/api/v1/t/%s/usulan" % TENANT, {"kind": "usulan", "title": "OpenAPI e2e", "background": "x",
                                                     "urgency": "biasa"}, headers=h).expect(201)
    documented("post", lst, r.status)
    pid = r.json()["id"]
    documented("post", lst, c.post_json("/api/v1/t/%s/usulan" % TENANT, {"kind": "x"}, headers=h).expect(400).status)
    documented("get", one, c.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).status)
    documented("get", one, login(env, "warga").get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(403).status)
    documented("get", one, c.get("/api/v1/t/%s/usulan/999999" % TENANT).expect(404).status)
    documented("post", act_path, c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                                             {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": 99},
                                             headers=h).expect(409).status)
    documented("post", act_path, c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                                             {"action": "terbang"}, headers=h).expect(400).status)
    documented("post", act_path, c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                                             {"action": "ajukan", "passphrase": DEMO_PASSWORD},
                                             headers=h).expect(200).status)


def test_yes_no_fields_take_only_yes_or_no(env):
    """is_public and needs_dprd are 1/0, true/false or a checkbox's "on":
    a client's "no" or "tidak" was read as yes (a decision published in
    the JDIH against the sender's intent); now it is refused with 400 and
    nothing is stored or changed."""
    a = actors(env)
    c = a["kepala_opd"]
    h = {"X-CSRF-Token": csrf(c)}
    body = {"kind": "usulan", "title": "Bendera ya/tidak", "background": "latar", "urgency": "biasa"}
    for key in ("is_public", "needs_dprd"):
        for bad in ("no", "tidak", "abc", 2):
            e = c.post_json("/api/v1/t/%s/usulan" % TENANT, dict(body, **{key: bad}), headers=h)
            e.expect_json_error(400)
            assert key in e.json()["error"]["message"], e.text
    # the web form: shown again with the text kept
    fields = {"_csrf": csrf(c), "kind": "telaahan", "title": "Bendera lewat formulir", "background": "latar",
              "urgency": "segera", "is_public": "tidak"}
    r = c.post_form(BASE + "/usulan", fields).expect(400)
    assert "Bendera lewat formulir" in r.text and "is_public" in r.text
    # good values still work: true publishes, "0" does not
    r = c.post_json("/api/v1/t/%s/usulan" % TENANT, dict(body, is_public=True, needs_dprd="0"), headers=h).expect(201)
    pid = r.json()["id"]
    j = c.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    assert j["is_public"] is True and j["needs_dprd"] is False, j
    # nothing was made by the refused ones
    mine = c.get("/api/v1/t/%s/usulan" % TENANT).expect(200).json()["proposals"]
    assert not any(p["title"] in ("Bendera lewat formulir",) for p in mine)
    assert sum(1 for p in mine if p["title"] == "Bendera ya/tidak") == 1
    # an action's flag too: the head's decision with is_public "tidak" is refused
    act(c, pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="ok")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="ok")
    r = act(a["kepala_daerah"], pid, "keputusan", expect=400, verdict="setuju", note="x", is_public="tidak")
    j = c.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).expect(200).json()
    assert j["state"] != "diputuskan" and not j.get("number"), j
