"""
test_leaders_day.py: a working day of the Pemda's leaders and the DPRD, as found by walking
through it on a phone in both languages. The QR code and links of a decision pointed at
http://localhost/... whatever the site's address (public-url included); a mistyped or forged
verification code got a bare "not found", a tampered decision no word on what to do; the decision's
PDF mixed English labels into the Indonesian document for an English reader; the public register
(JDIH) listed the newest 200 decisions in full, with no search and no way to an older one; a returned
proposal said why only at the foot of its signed chain (its edit form not at all), and nobody could
see what the OPD changed before sending it again; every notification read "usulan menunggu tindakan
Anda" without saying which; a leader's note on the signing form was lost with an expired form token;
the notice after an attachment or a DPRD stage said "ditandatangani"; the DPRD's final stage was
preselected as approved; attachments came down named "lampiran", their size in bytes; a first-time
signer who made a key had no way back to the proposal.
"""
import html
import re
import time

from harness import DEMO_PASSWORD, TENANT, check_sigap, pdf_text, unique
from test_governance import PDF, act, actors, create, csrf, day, decided, login, multipart

T = "/t/%s" % TENANT
SAME = {"Sec-Fetch-Site": "same-origin"}
STALE = "f" * 128


class english:
    """c's requests in English, by Accept-Language: choosing the language with the switch would
    make it the demo account's (its e-mails') for every other test too."""

    def __init__(self, c):
        self.c = c

    def get(self, path):
        return self.c.get(path, headers={"Accept-Language": "en"})


def tokens_in(text):
    return re.findall(r"/verifikasi/([0-9a-f]{32})(?!/pdf)", text)


def section(text, ident):
    m = re.search(r'<(\w+)[^>]*id="%s".*?</\1>' % ident, text, re.S)
    return m.group(0) if m else ""


# ------------------------------------------------------------------ the decision's QR code and links

def test_decision_links_carry_the_sites_address(env):
    anon = env.client()
    token = tokens_in(anon.get(T + "/jdih").expect(200).text)[0]
    # without public-url: the address the request came to, never localhost
    page = anon.get("%s/verifikasi/%s" % (T, token)).expect(200)
    own = "http://127.0.0.1:%d/t/%s/verifikasi/%s" % (env.server.port, TENANT, token)
    assert 'id="verify-url">%s<' % own in page.text, section(page.text, "verify-url")
    assert "localhost" not in page.text
    pdf = pdf_text(anon.get("%s/verifikasi/%s/pdf" % (T, token)).expect(200, ctype="application/pdf").body)
    assert own in pdf and "localhost" not in pdf, re.findall(r"https?://[^)]*", pdf)
    # with public-url: that address, in the page and in the PDF's QR caption
    srv = env.start_server(env.new_db(), args=["--public-url", "https://sigap.mataramkota.go.id"])
    c = srv.client()
    token = tokens_in(c.get(T + "/jdih").expect(200).text)[0]
    want = "https://sigap.mataramkota.go.id/t/%s/verifikasi/%s" % (TENANT, token)
    assert 'id="verify-url">%s<' % want in c.get("%s/verifikasi/%s" % (T, token)).expect(200).text
    assert want in pdf_text(c.get("%s/verifikasi/%s/pdf" % (T, token)).expect(200).body)


def test_a_new_decision_answers_with_a_usable_verify_url(env):
    a = actors(env)
    c = a["kepala_daerah"]
    pid = create(a["kepala_opd"], "Keputusan lewat API %s" % unique("v"))
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju", note="baik")
    act(a["wakil"], pid, "pertimbangan", verdict="setuju", note="baik")
    j = c.post_json("/api/v1/t/%s/usulan/%d/tindakan" % (TENANT, pid),
                    {"action": "keputusan", "verdict": "setuju", "passphrase": DEMO_PASSWORD, "is_public": True},
                    headers={"X-CSRF-Token": csrf(c)}).expect(200).json()
    assert j["verify_url"] == "http://127.0.0.1:%d/t/%s/verifikasi/%s" % (env.server.port, TENANT, j["token"]), j
    env.client().get(j["verify_url"].split(str(env.server.port), 1)[1]).expect(200, contains="Tanda tangan sah")


# ------------------------------------------------------------------ the verification page for a citizen

UNKNOWN = "Kode verifikasi ini tidak dikenal"


def test_unknown_or_garbled_code_says_what_to_do(env):
    anon = env.client()
    for code in ("0" * 32, "abc", "Z" * 32, "%3Cscript%3Ealert(1)%3C%3E", "a" * 3000):
        for tail in ("", "/pdf"):
            r = anon.get("%s/verifikasi/%s%s" % (T, code, tail)).expect(404, ctype="text/html")
            assert UNKNOWN in r.text and "Apa yang harus dilakukan?" in r.text, r.text[:2000]
            assert 'href="/t/%s/jdih"' % TENANT in r.text
            assert "<script>alert" not in r.text
    en = english(env.client())
    r = en.get("%s/verifikasi/%s" % (T, "0" * 32)).expect(404)
    assert "This verification code is unknown" in r.text and UNKNOWN not in r.text, r.text[:2000]
    # the JSON stays the API's error
    anon.get("/api/v1/t/%s/verifikasi/%s" % (TENANT, "0" * 32)).expect_json_error(404)


def test_valid_and_tampered_decisions_say_what_to_rely_on(env):
    db = env.new_db()
    srv = env.start_server(db)
    anon = srv.client()
    token = tokens_in(anon.get(T + "/jdih").expect(200).text)[0]
    page = anon.get("%s/verifikasi/%s" % (T, token)).expect(200).text
    assert 'id="compare"' in page and "Cocokkan nomor, tanggal dan isi" in page, page[:3000]
    assert "Keputusan: <strong>Disetujui</strong>" in page, section(page, "verdict")
    en = english(srv.client()).get("%s/verifikasi/%s" % (T, token)).expect(200).text
    assert "Decision: <strong>Approved</strong>" in en and "Agree</strong> ·" not in en, en[:3000]
    # the decision's record changed behind sigap's back: do not rely on it, and where to report it
    db.sql("UPDATE governance_versions SET proposed = 'Menutup layanan' WHERE proposal_id = "
           "(SELECT proposal_id FROM governance_decisions WHERE token = '%s')" % token)
    page = anon.get("%s/verifikasi/%s" % (T, token)).expect(200).text
    what = section(page, "what-now")
    assert "Jangan mengandalkan dokumen ini" in what and "/pengaduan/baru" in what, page[:3000]
    assert 'id="compare"' not in page


def test_the_decision_pdf_is_indonesian_for_every_reader(env):
    anon = english(env.client())
    token = tokens_in(anon.get(T + "/jdih").expect(200).text)[0]
    pdf = pdf_text(anon.get("%s/verifikasi/%s/pdf" % (T, token)).expect(200).body)
    for word in ("Disetujui", "Diajukan oleh Kepala OPD", "Saran Sekda", "Keputusan Kepala Daerah"):
        assert word in pdf, (word, pdf[:3000])
    for word in ("Agree", "Approved", "Submitted by", "Regional Secretary"):
        assert word not in pdf, (word, pdf[:3000])


# ------------------------------------------------------------------ the public register (JDIH)

def add_decisions(db, n, tag, long_text_at=None):
    """n published decisions inserted directly (unsigned: the register does not verify), the newest
    last; returns their titles, oldest first."""
    now = int(time.time()) - 86400
    titles = []
    for part in range(0, n, 20):
        props, vers, steps, decs = [], [], [], []
        for i in range(part, min(n, part + 20)):
            pid = 900000 + i
            title = "Keputusan %s nomor %03d" % (tag, i)
            text = ("Pasal %d. " % i) + ("Isi keputusan yang panjang sekali. " * 80 if i == long_text_at else "Isi singkat.")
            titles.append(title)
            props.append("(%d, '%s', 'DISDUKCAPIL', 'usulan', '%s', 'biasa', 0, 1, 'disetujui', 1, 'x', %d, %d)"
                         % (pid, TENANT, title, now, now))
            vers.append("('%s', %d, 1, 'usulan', 'DISDUKCAPIL', '%s', 'latar', '', '', '%s', 'biasa', 0, '', 'h', 'x', %d)"
                        % (TENANT, pid, title, text, now))
            steps.append("('%s', %d, 0, 'keputusan', 'kepala_daerah', 'kepala_daerah', 'H', 'setuju', '', 1, 'h', 'p', '', "
                         "'k', 's', 'sh', %d)" % (TENANT, pid, now + i))
            decs.append("('%s', %d, '%032x', 'setuju', 'Keputusan Wali Kota Mataram Nomor %d/2099', 'r%d', %d, 2099, '%s', "
                        "'', 1, 0, 'kepala_daerah', %d)" % (TENANT, pid, 0xabc000 + i, 500 + i, i, 500 + i, title, now + i))
        db.sql("INSERT INTO governance_proposals (id, tenant, unit, kind, title, urgency, needs_dprd, is_public, state, "
               "content_version, created_by, created_at, updated_at) VALUES " + ", ".join(props))
        db.sql("INSERT INTO governance_versions (tenant, proposal_id, version, kind, unit, title, background, analysis, "
               "options, proposed, urgency, needs_dprd, attachments, content_hash, created_by, created_at) VALUES "
               + ", ".join(vers))
        db.sql("INSERT INTO governance_steps (tenant, proposal_id, idx, kind, role, actor, actor_name, verdict, note, "
               "proposal_version, content_hash, prev_hash, extra, public_key, signature, step_hash, signed_at) VALUES "
               + ", ".join(steps))
        db.sql("INSERT INTO governance_decisions (tenant, proposal_id, token, verdict, number, regno, seq, year, title, "
               "note, is_public, step_idx, decided_by, decided_at) VALUES " + ", ".join(decs))
    return titles


def letters_only(tag):
    """A unique tag without digits: the searches below look for "01" and "507/2099", which a tag's
    own digits could hold (jdih3930_701 matched every title)."""
    return tag.translate(str.maketrans("0123456789_", "abcdefghijx"))


def register_titles(text):
    return re.findall(r'<article class="card gov-decision">\s*<h2>[^<]*</h2>\s*<p><strong>([^<]*)</strong>', text)


def test_register_is_searchable_and_paged(env):
    db = env.new_db()
    srv = env.start_server(db)
    tag = letters_only(unique("jdih"))
    titles = add_decisions(db, 45, tag, long_text_at=44)
    anon = srv.client()
    first = anon.get(T + "/jdih").expect(200)
    shown = register_titles(first.text)
    # newest first, 20 a page, with the way on; 45 + the demo's 2 in all
    assert len(shown) == 20 and shown[0] == titles[-1], shown[:3]
    assert "47 keputusan diumumkan." in first.text, section(first.text, "found")
    nxt = re.search(r'<a href="([^"]*)" rel="next">', first.text).group(1)
    second = anon.get(html.unescape(nxt)).expect(200)
    assert register_titles(second.text)[0] == titles[-21], register_titles(second.text)[:2]
    third = anon.get(T + "/jdih?hal=3").expect(200)
    assert len(register_titles(third.text)) == 7 and 'rel="next"' not in third.text
    # a long decided text is cut, with the way to the whole
    entry = first.text[first.text.index(titles[-1]):].split("</article>", 1)[0]
    assert "…" in entry and "Baca selengkapnya dan verifikasi" in entry and len(entry) < 1500, entry
    # search: every word somewhere, case aside; the count; paging keeps the search
    r = anon.get(T + "/jdih?q=%s+NOMOR+01" % tag).expect(200)
    want = ["Keputusan %s nomor %03d" % (tag, i) for i in (19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 1)]
    assert register_titles(r.text) == want, register_titles(r.text)
    assert "11 keputusan cocok dengan pencarian Anda." in r.text
    r = anon.get(T + "/jdih?q=%s" % tag).expect(200)
    nxt = html.unescape(re.search(r'<a href="([^"]*)" rel="next">', r.text).group(1))
    assert "q=%s" % tag in nxt and "hal=2" in nxt, nxt
    assert len(register_titles(anon.get(nxt).expect(200).text)) == 20
    # by the number as printed, and by the OPD's name
    assert register_titles(anon.get(T + "/jdih?q=Nomor+507%2F2099").text) == [titles[7]]
    assert len(register_titles(anon.get(T + "/jdih?q=kependudukan+" + tag).text)) == 20
    # LIKE's own characters match themselves; nothing found says so
    r = anon.get(T + "/jdih?q=%25").expect(200)
    assert register_titles(r.text) == [] and "Tidak ada keputusan yang cocok" in r.text
    # the search box keeps what was typed, escaped
    r = anon.get(T + "/jdih?q=%22%3E%3Cb%3E").expect(200)
    assert 'value="&quot;&gt;&lt;b&gt;"' in r.text and '"><b>' not in r.text
    # bad input: a clear 400
    anon.get(T + "/jdih?hal=0").expect(400, contains="nomor halaman tidak sah")
    anon.get(T + "/jdih?q=" + "x" * 201).expect(400, contains="kata pencarian terlalu panjang")
    en = english(srv.client())
    assert "47 in the register." in en.get(T + "/jdih").expect(200).text


def test_register_api_is_searchable_and_paged(env):
    """GET /api/v1/t/{t}/keputusan answered the newest 200 decisions and nothing older: a client
    could never read a Pemda's whole register. It now takes the page's search, page and per_page,
    and says the total and where the next page is."""
    db = env.new_db()
    srv = env.start_server(db)
    tag = letters_only(unique("api"))
    titles = add_decisions(db, 45, tag)
    anon = srv.client()
    api = "/api/v1/t/%s/keputusan" % TENANT
    # the default stays 200 a page, so older clients see what they saw
    whole = anon.get(api).expect(200).json()
    assert whole["total"] == 47 and len(whole["decisions"]) == 47 and whole["next"] is None
    assert whole["page"] == 1 and whole["per_page"] == 200
    seen, url = [], api + "?per_page=20&q=" + tag
    while url:
        j = anon.get(url).expect(200).json()
        assert j["total"] == 45 and len(j["decisions"]) <= 20
        seen += [d["title"] for d in j["decisions"]]
        url = j["next"]
    # every decision once, newest first
    assert seen == titles[::-1], seen[:3]
    j = anon.get(api + "?q=%s+NOMOR+01&per_page=5&page=3" % tag).expect(200).json()
    assert [d["title"] for d in j["decisions"]] == ["Keputusan %s nomor %03d" % (tag, 1)] and j["total"] == 11
    assert j["next"] is None
    # past the end: an empty page, not an error
    j = anon.get(api + "?page=99").expect(200).json()
    assert j["decisions"] == [] and j["total"] == 47 and j["next"] is None
    # bad input: a clear 400 in JSON
    for bad in ("page=0", "page=x", "per_page=0", "per_page=201", "per_page=1e2", "per_page=-5", "q=" + "x" * 201):
        r = anon.get(api + "?" + bad).expect(400)
        assert r.json()["error"]["code"], bad
    assert "per_page" in anon.get(api + "?per_page=500").expect(400).json()["error"]["message"]


# ------------------------------------------------------------------ a returned proposal

def test_returned_proposal_shows_why_and_what_changed(env):
    a = actors(env)
    k, s = a["kepala_opd"], a["sekda"]
    title = "Tambah loket %s" % unique("r")
    pid = create(k, title)
    act(k, pid, "ajukan")
    # the Sekda is told which proposal waits, not only that one does
    assert "Usulan menunggu tindakan Anda: %s" % title in s.get(T + "/dasbor").expect(200).text
    act(s, pid, "kembalikan", note="Lengkapi data antrean per jam.\nSertakan kajian anggaran.")
    # the OPD is told which one came back, and the page says why at the top
    assert "Usulan dikembalikan untuk perbaikan: %s" % title in k.get(T + "/dasbor").text
    page = k.get("%s/usulan/%d" % (T, pid)).expect(200).text
    returned = section(page, "returned")
    assert "Dikembalikan oleh Sekda" in returned and "Lengkapi data antrean per jam." in returned, page[:3000]
    assert page.index('id="returned"') < page.index("Isi usulan")
    # so does the form that revises it
    form = k.get("%s/usulan/%d/ubah" % (T, pid)).expect(200).text
    assert "Lengkapi data antrean per jam." in section(form, "returned"), form[:3000]
    assert english(k).get("%s/usulan/%d/ubah" % (T, pid)).text.count(
        "Returned by the Regional Secretary") == 1
    version = re.search(r'name="version" value="(\d+)"', form).group(1)
    k.post_form("%s/usulan/%d/ubah" % (T, pid), {
        "_csrf": csrf(k), "version": version, "kind": "telaahan", "title": title,
        "background": "Antrean panjang di MPP\r\nPuncak antrean pukul 09.00-11.00: 140 orang.",
        "analysis": "Data tiga bulan", "options": "1. Tetap\n2. Diperpanjang",
        "proposed": "Memperpanjang jam layanan sampai pukul 18.00", "urgency": "sangat_segera",
        "is_public": "1"}).expect(303)
    body, ctype = multipart({"_csrf": csrf(k)}, {"file": ("kajian anggaran.pdf", "application/pdf", PDF + b"%r")})
    r = k.request("POST", "%s/usulan/%d/lampiran" % (T, pid), body=body, headers={"Content-Type": ctype}).expect(303)
    # an attachment is saved, not signed: the notice said "ditandatangani"
    assert r.header("location").endswith("?ok=simpan"), r.header("location")
    notice = re.search(r'<p class="notice"[^>]*>(.*?)</p>', k.get(r.header("location")).text, re.S).group(1)
    assert "tersimpan" in notice and "ditandatangani" not in notice, notice
    act(k, pid, "ajukan")
    # the Sekda sees what changed since the version returned
    page = s.get("%s/usulan/%d" % (T, pid)).expect(200).text
    ch = section(page, "changes")
    assert "Perubahan sejak dikembalikan" in ch and "versi 1 → versi 3" in ch, ch or page[:3000]
    assert "<ins><span class=\"sr-only\">ditambahkan: </span>Puncak antrean pukul 09.00-11.00: 140 orang.</ins>" in ch, ch
    assert "Antrean panjang di MPP</del>" not in ch, ch    # the same line, whatever its line end
    assert "<del><span class=\"sr-only\">sebelumnya: </span>segera</del>" in ch and "sangat segera</ins>" in ch, ch
    assert "Lampiran ditambahkan: <ins>kajian anggaran.pdf</ins>" in ch, ch
    assert "Analisis" not in ch, ch    # unchanged fields are not listed
    assert 'id="returned"' not in page    # it is no longer waiting for the OPD
    en = english(s).get("%s/usulan/%d" % (T, pid)).text
    assert "Changes since it was returned" in section(en, "changes") and "Background" in section(en, "changes")


# ------------------------------------------------------------------ signing

def test_signing_note_survives_an_expired_form(env):
    a = actors(env)
    k, s = a["kepala_opd"], a["sekda"]
    pid = create(k, "Catatan kedaluwarsa %s" % unique("x"))
    act(k, pid, "ajukan")
    page = s.get("%s/usulan/%d" % (T, pid)).expect(200).text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    note = "Setuju dengan catatan <b>panjang</b> yang ditulis di ponsel selama sepuluh menit."
    fields = {"_csrf": STALE, "action": "saran", "verdict": "setuju_catatan", "note": note,
              "passphrase": DEMO_PASSWORD, "version": version}
    # from another site: the bare 403, nothing echoed
    r = s.post_form("%s/usulan/%d/tindakan" % (T, pid), fields, headers={"Sec-Fetch-Site": "cross-site"}).expect(403)
    assert "panjang" not in r.text
    # from its own page: the page again with the note and the choice, not the passphrase; nothing signed
    r = s.post_form("%s/usulan/%d/tindakan" % (T, pid), fields, headers=SAME).expect(403)
    assert "Formulir ini sudah kedaluwarsa" in r.text, r.text[:3000]
    form = section(r.text, "form-saran")
    assert "Setuju dengan catatan &lt;b&gt;panjang&lt;/b&gt; yang ditulis" in form, form
    assert 'value="setuju_catatan" selected' in form and DEMO_PASSWORD not in r.text
    assert s.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).json()["state"] == "diajukan"
    fields["_csrf"] = r.csrf()
    s.post_form("%s/usulan/%d/tindakan" % (T, pid), fields, headers=SAME).expect(303)
    assert s.get("/api/v1/t/%s/usulan/%d" % (TENANT, pid)).json()["state"] == "pertimbangan"


def test_inbox_counts_deadline_and_the_next_item(env):
    a = actors(env)
    k, s = a["kepala_opd"], a["sekda"]
    tag = unique("n")
    one, two = create(k, "Pertama %s" % tag), create(k, "Kedua %s" % tag)
    act(k, one, "ajukan")
    act(k, two, "ajukan")
    text = s.get(T + "/usulan").expect(200).text
    inbox = section(text, "inbox")
    count = re.search(r'id="inbox-count">(\d+)<', text)
    assert count and int(count.group(1)) == inbox.count("<li"), (count, inbox[:500])
    # the proposal's page: how far its deadline is, and a way from the top to the form
    page = s.get("%s/usulan/%d" % (T, one)).expect(200).text
    assert re.search(r'id="left">(\d+ hari kerja tersisa|batas waktunya hari ini)<', page), section(page, "state")
    assert 'href="#form-saran" id="jump">Beri saran' in page
    # signed: what waits next
    r = act(s, one, "saran", verdict="setuju")
    done = s.get(r.header("location")).text
    nxt = re.search(r'<a href="/t/[0-9.]+/usulan/(\d+)" id="next">Berikutnya menunggu Anda: ([^<]*)</a>', done)
    assert nxt and int(nxt.group(1)) != one, re.search(r'<p class="notice".*?</p>', done, re.S).group(0)
    # the Wakil's page has no Sekda form: no way to one
    assert 'id="jump"' not in s.get("%s/usulan/%d" % (T, one)).text


# ------------------------------------------------------------------ the DPRD

def test_dprd_member_day(env):
    a = actors(env)
    title = "Raperda pasar %s" % unique("d")
    pid = decided(env, a, title, needs_dprd=True)
    d = login(env, "dprd")

    def inbox_line():
        inbox = section(d.get(T + "/usulan").expect(200).text, "inbox")
        return inbox[inbox.index(title):].split("</li>", 1)[0]
    # where the item stands, not "DPRD"
    assert "belum diajukan ke DPRD" in inbox_line(), inbox_line()
    act(a["sekda"], pid, "dprd", stage="diajukan", stage_day=day())  # decided today: dated today
    assert "Diajukan ke DPRD" in inbox_line(), inbox_line()
    act(d, pid, "dprd", stage="pembahasan", stage_day=day())
    page = d.get("%s/usulan/%d" % (T, pid)).expect(200).text
    form = section(page, "form-dprd")
    # the outcome is chosen, never preselected: "Disetujui DPRD" went with one tap
    assert re.search(r'<select id="stage" name="stage" required><option value="">', form), form
    r = act(d, pid, "dprd", expect=400, stage="", stage_day=day(), note="Rapat paripurna")
    assert "pilih tahap DPRD yang dicatat" in r.text and "Rapat paripurna" in section(r.text, "form-dprd")
    r = act(d, pid, "dprd", stage="disetujui", stage_day=day())
    # a stage is saved, not signed
    assert r.header("location").endswith("?ok=simpan")
    assert title not in section(d.get(T + "/usulan").text, "inbox")
    # least privilege: no signing, no overview, no deliberation before the head's approval
    assert 'name="confirm"' not in d.get(T + "/kunci-tanda-tangan").expect(200).text
    d.get(T + "/usulan/rekap").expect(403)
    other = create(a["kepala_opd"], "Belum untuk DPRD %s" % unique("d"), needs_dprd=True)
    act(a["kepala_opd"], other, "ajukan")
    d.get("%s/usulan/%d" % (T, other)).expect(403)
    assert all(p["id"] != other for p in d.get("/api/v1/t/%s/usulan?all=1" % TENANT).json()["proposals"])


# ------------------------------------------------------------------ attachments and keys

def test_attachments_are_named_and_sized(env):
    k = login(env, "kepala_opd")
    pid = create(k, "Lampiran bernama %s" % unique("a"))
    for name, expect_name in (("Kajian Anggaran 2027.pdf", "Kajian_Anggaran_2027.pdf"),
                              ("../..\\rahasia;x.PDF", "rahasia_x.pdf"),
                              ("tanpa-ekstensi", "tanpa-ekstensi.pdf")):
        data = PDF + b"%" + name.encode() + b" " * 3000
        body, ctype = multipart({"_csrf": csrf(k)}, {"file": (name, "application/pdf", data)})
        k.request("POST", "%s/usulan/%d/lampiran" % (T, pid), body=body, headers={"Content-Type": ctype}).expect(303)
        page = k.get("%s/usulan/%d" % (T, pid)).text
        listed = section(page, "attachments")
        href = dict((html.unescape(n), h) for h, n in re.findall(
            r'href="(/t/[^"]+/lampiran/[0-9a-f]{64})">([^<]*)</a>', listed))[name]
        r = k.get(href).expect(200, ctype="application/pdf")
        assert r.header("content-disposition") == 'attachment; filename="%s"' % expect_name, r.header(
            "content-disposition")
    assert re.search(r"<small>PDF, 3 KB</small>", listed) and " B</small>" not in listed, listed


def test_first_signing_key_leads_back_to_the_proposal(env):
    name = unique("wk")
    check_sigap(["user", "add", "--tenant", TENANT, "--username", name, "--name", "Wakil Pengganti", "--role", "wakil"],
                db=env.shared_db, input="rahasia-panjang-1\n")
    a = actors(env)
    pid = create(a["kepala_opd"], "Kunci pertama %s" % unique("k"))
    act(a["kepala_opd"], pid, "ajukan")
    act(a["sekda"], pid, "saran", verdict="setuju")
    w = env.client()
    w.login(TENANT, name, password="rahasia-panjang-1")
    page = w.get("%s/usulan/%d" % (T, pid)).expect(200).text
    # told at the top, before the text, with the way to make one and back
    assert page.index('id="needs-key"') < page.index("Isi usulan"), page[:2000]
    link = re.search(r'id="needs-key">[^<]*<a href="([^"]+)"', page).group(1)
    assert link == "%s/kunci-tanda-tangan?usulan=%d" % (T, pid), link
    form = w.get(link).expect(200)
    assert 'name="usulan" value="%d"' % pid in form.text
    r = w.post_form(T + "/kunci-tanda-tangan", {"_csrf": form.csrf(), "passphrase": DEMO_PASSWORD,
                                                 "confirm": DEMO_PASSWORD, "usulan": str(pid)}).expect(200)
    assert 'href="%s/usulan/%d" id="back"' % (T, pid) in r.text, r.text[:2000]
    # only an id makes a link: nothing else is echoed into it
    assert 'id="back"' not in w.get(T + "/kunci-tanda-tangan?usulan=//evil.example").text
    act(w, pid, "pertimbangan", verdict="setuju", note="sejalan")
