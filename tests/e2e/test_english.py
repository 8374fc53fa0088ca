"""
test_english.py: the interface in English has no Indonesian left in it.

An English-speaking user switches the language at /bahasa/en; every page
they then see should speak English, apart from data (names of agencies,
services, places, what citizens wrote) and a few official terms kept in
Indonesian on purpose (OPD, Sekda, DPRD, NIK, SP4N-LAPOR!, kelurahan, IKM,
kode wilayah...). This test signs in as every role (and as nobody), switches
to English and reads the main pages, error pages included, then walks on
through the links those pages show (every page a role can reach by clicking,
a few of each kind). Three checks:

  * no text node or attribute of a page, nor a part of one between the
    separators ": ", " · " and " — ", is exactly an Indonesian msgid of
    po/en*.po whose translation differs (interface text that missed the
    catalogue, e.g. a msgid passed through a variable that never reached it,
    or a national holiday's name shown as stored);
  * the parts of a page that never hold data (dashboard notifications,
    notices and alerts, buttons, table heads, the headings and title of the
    list pages) contain no common Indonesian word;
  * no English plural left to the reader: "(s)", or "1" before a plural
    ("try again in 1 minutes").

What stays Indonesian on purpose is listed in docs/templates.md ("What is not
translated").

The JSON API and Open311 are read with Accept-Language: en the same way.
"""
import datetime
import glob
import html
import html.parser
import os
import re
import urllib.parse

from harness import REPO, ROLES, TENANT, local_today, on_one_day

# common Indonesian words that are not English words too; "di", "ke" and the
# like are left out of the word check only where they also occur in data
ID_WORDS = """yang dan tidak belum sudah dengan untuk laporan permohonan pengaduan layanan silakan coba lagi
sandi masuk keluar simpan kirim batal hapus ubah tambah cari lacak daftar beranda halaman ditemukan gagal
berhasil telah akan atau dari pada oleh ini itu dalam tanggal nomor nama alamat pengguna peran diterima
ditolak diproses selesai menunggu hari kerja bulan tahun anda kami harus wajib boleh bisa dapat tanpa sebelum
setelah baru terlalu tindakan keputusan usulan lampiran berkas unggah unduh kunci catatan alasan jawaban
tanggapan penilaian survei kinerja ekspor rekap antrean kelola pengaturan semua lihat kembali lanjut
jumlah dibaca pemberitahuan aduan kategori lokasi rahasia verifikasi disposisi formulir pilih kosong salah
ganti lupa perbaiki perbaikan hasil dokumen persyaratan biaya waktu hingga sampai jika karena agar
sedang masih hanya juga lebih tenggat didisposisikan dijawab dikembalikan ditetapkan diajukan diperbarui""".split()
ID_RE = re.compile(r"\b(%s)\b" % "|".join(ID_WORDS), re.I)

# data that happens to equal a msgid: the demo's OPD named "Inspektorat" (the msgid is the kind of OPD)
DATA = {"Inspektorat"}
# and on a service's pages, its standar pelayanan and form as the Pemda wrote them (the demo
# catalogue, src/services/demo.c: steps "Verifikasi" and "Rekomendasi", a choice "Lainnya")
SERVICE_PAGE = re.compile(r"/layanan/[^/]+(/ajukan)?$")
SERVICE_DATA = {"Verifikasi", "Rekomendasi", "Lainnya"}

# pages every client reads (a role without access gets the 403 page, in English too)
PAGES = ["/", "/t/{t}/", "/t/{t}/masuk", "/t/{t}/daftar", "/t/{t}/lupa-sandi", "/t/{t}/layanan",
         "/t/{t}/layanan/akta-kelahiran", "/t/{t}/lacak", "/t/{t}/lacak?nomor=52.71/PMH/2026/999999",
         "/t/{t}/pengaduan", "/t/{t}/pengaduan/baru", "/t/{t}/pengaduan/1", "/t/{t}/jdih", "/t/{t}/tidak-ada",
         "/t/99.99/", "/t/{t}/dasbor", "/t/{t}/akun/sandi", "/t/{t}/akun/dua-langkah", "/t/{t}/permohonan",
         "/t/{t}/antrian", "/t/{t}/pengaduan/kelola", "/t/{t}/pengaduan/pengaturan", "/t/{t}/usulan",
         "/t/{t}/usulan/baru", "/t/{t}/usulan/rekap", "/t/{t}/usulan/1", "/t/{t}/usulan/2", "/t/{t}/pokir",
         "/t/{t}/kunci-tanda-tangan", "/t/{t}/kinerja", "/t/{t}/kinerja/ikm", "/t/{t}/admin",
         "/t/{t}/admin/pengguna", "/t/{t}/admin/pengguna/warga", "/t/{t}/admin/opd", "/t/{t}/admin/opd/DINSOS",
         "/t/{t}/admin/kunci-api", "/t/{t}/admin/webhook", "/t/{t}/admin/hari-libur",
         "/t/{t}/admin/hari-libur?tahun=2025", "/t/{t}/admin/hari-libur?tahun=2027", "/t/{t}/admin/audit", "/t/{t}/admin/layanan",
         "/t/{t}/admin/layanan/baru", "/t/{t}/permohonan/999999", "/t/{t}/usulan/999999"]
# pages whose headings show data (a service's, a complaint's, a proposal's own title)
DETAIL = re.compile(r"/(layanan|pengaduan|usulan|opd|pengguna)/[^/]+$")

# the walk through the links: how many pages per role, how many of one kind (the same path with
# other numbers), and the links it does not follow (another language, files, one-time links)
WALK_MAX, WALK_PER_KIND = 150, 2
WALK_SKIP = re.compile(r"^/bahasa/|/keluar$|\.(pdf|csv|xlsx|json)$|/ekspor/|/berkas/|/lampiran/|/foto/|"
                       r"/berhenti-ikuti|/pindah-ke-akun/|/lupa-sandi/.|^/static/|^/api/|^/open311/|^/v/")

# "1" before an English plural, and the "(s)" that leaves the plural to the reader
PLURAL_RE = re.compile(r"(?<![\d.,/:-])\b1 (minutes|seconds|hours|days|working days|weeks|months|years|codes|users|"
                       r"reports|complaints|applications|proposals|decisions|files|entries|notifications|"
                       r"respondents|steps)\b|\w\(s\)")

API = ["/api/v1/regions?level=9", "/api/v1/regions/99.99", "/api/v1/t/{t}/calendar/add?from=x&days=1",
       "/api/v1/t/{t}/me", "/api/v1/t/{t}/services/nope", "/api/v1/t/{t}/track?number=x", "/api/v1/verify/nope",
       "/api/v1/t/{t}/verifikasi/nope", "/api/v1/nope", "/open311/v2/services.json",
       "/open311/v2/services/nope.json?jurisdiction_id={t}", "/open311/v2/services/jalan.json?jurisdiction_id={t}",
       "/open311/v2/requests.json?jurisdiction_id={t}&start_date=x",
       "/open311/v2/requests.xml?jurisdiction_id={t}&status=x", "/open311/v2/nope.json"]


def po_unquote(s):
    return bytes(s, "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")


def catalogue():
    """{msgid: msgstr} of po/en*.po, for msgids whose translation differs."""
    out = {}
    for path in sorted(glob.glob(os.path.join(REPO, "po", "en*.po"))):
        cur, key = {}, None
        for line in open(path, encoding="utf-8").read().splitlines() + ["msgid \"\""]:
            m = re.match(r'(msgid|msgstr) "(.*)"$', line)
            if m and m.group(1) == "msgid" and "msgid" in cur:
                if cur["msgid"] and cur.get("msgstr") and cur["msgstr"] != cur["msgid"]:
                    out[cur["msgid"]] = cur["msgstr"]
                cur = {}
            if m:
                key = m.group(1)
                cur[key] = po_unquote(m.group(2))
            elif line.startswith('"') and key:
                cur[key] += po_unquote(line[1:-1])
            elif not line.strip():
                key = None
    return out


class Parts(html.parser.HTMLParser):
    """Text nodes and visible attributes, each with the chain of open elements."""
    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("title", "placeholder", "aria-label", "alt", "data-sending"):
            if a.get(k):
                self.parts.append(([tag], " ".join(a[k].split())))
        if tag in ("input",) and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append((["button"], a["value"]))
        if tag not in self.VOID:
            cls = " ".join([a.get("class") or "", "role-" + (a.get("role") or "")])
            self.stack.append((tag, cls))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        text = " ".join(data.split())
        if text and not any(t in ("script", "style") for t, _ in self.stack):
            self.parts.append(([t + "." + c for t, c in self.stack], text))


def ui_only(chain, path):
    """Whether an element of this chain never shows data on this page."""
    joined = " ".join(chain)
    if "note-list" in joined or "role-alert" in joined or "role-status" in joined or "notice" in joined:
        return True
    if re.search(r"\b(button|th|nav|figcaption)\.", joined):
        return True
    if not DETAIL.search(path.split("?")[0]) and re.search(r"\b(title|h1)\.", joined):
        return True
    return False


def leftovers(body, path, msgids):
    """Indonesian interface text in an English page: a list of descriptions."""
    p = Parts()
    p.feed(body)
    found = []
    for chain, text in p.parts:
        if PLURAL_RE.search(text):
            found.append("plural left to the reader: %r" % text[:150])
        if "note-list" in " ".join(chain):
            # a notification is its message, then what it is about (a number, a proposal's
            # title): data, after ": "
            text = text.split(": ", 1)[0]
        # interface text joined to data or to other interface text in one text node
        # ("Friday, 2026-12-25: Hari Raya Natal", "Dinas ... · 3 working days")
        pieces = [x.strip() for x in re.split(r": | · | — ", text)]
        data = DATA | SERVICE_DATA if SERVICE_PAGE.search(path.split("?")[0]) else DATA
        untranslated = [x for x in [text] + pieces if x in msgids and x not in data]
        if untranslated:
            found.append("untranslated msgid %r" % untranslated[0])
        elif ui_only(chain, path) and ID_RE.search(text):
            found.append("Indonesian in <%s>: %r" % (chain[-1].split(".")[0] if chain else "?", text[:150]))
    return found


def links(body, path):
    """The local pages a page links to, as paths with their query (no fragment)."""
    out = []
    for href in re.findall(r'<a [^>]*href="([^"#]+)', body):
        href = html.unescape(href)
        u = urllib.parse.urlsplit(urllib.parse.urljoin("http://x" + path, href))
        if u.netloc != "x":
            continue
        out.append(u.path + ("?" + u.query if u.query else ""))
    return out


def kind_of(path):
    """Pages of one kind: the same path with other numbers, ids or tokens."""
    return re.sub(r"[0-9a-f]{16,}|\d+", "N", path)


def english_client(env):
    c = env.client()
    c.get("/bahasa/en?next=/").expect(303)
    assert c.cookies.get("lang") == "en", c.cookies
    return c


def forget_languages(env):
    """Signing in from an English page keeps "en" as the account's language (its e-mails'); the
    demo accounts are shared by later tests, which expect them as they were."""
    env.shared_db.sql("UPDATE users SET lang = NULL WHERE tenant = '%s'" % TENANT)


def test_english_pages_for_every_role(env):
    try:
        english_pages_for_every_role(env)
    finally:
        forget_languages(env)


def english_pages_for_every_role(env):
    msgids = catalogue()
    problems, seen, walked = [], 0, 0
    for role in (None,) + ROLES:
        who = role or "anonymous"
        c = english_client(env)
        if role:
            c.login(TENANT, role)
        # the listed pages first, then the pages they link to, breadth first
        queue = [tmpl.format(t=TENANT) for tmpl in PAGES]
        listed, done, kinds = len(queue), set(), {}
        while queue and len(done) < listed + WALK_MAX:
            path = queue.pop(0)
            if path in done:
                continue
            done.add(path)
            if len(done) > listed:
                kinds[kind_of(path)] = kinds.get(kind_of(path), 0) + 1
                if kinds[kind_of(path)] > WALK_PER_KIND:
                    continue
                walked += 1
            r = c.get(path)
            assert r.status in (200, 303, 403, 404), "%s as %s: %s" % (path, who, r.describe())
            if not (r.header("content-type") or "").startswith("text/html"):
                continue
            assert '<html lang="en">' in r.text, "%s as %s is not in English" % (path, who)
            seen += 1
            for what in leftovers(r.text, path, msgids):
                problems.append("%s as %s (%d): %s" % (path, who, r.status, what))
            queue += [p for p in links(r.text, path) if p not in done and not WALK_SKIP.search(p)
                      and (p == "/" or p.startswith("/t/%s/" % TENANT))]
    assert seen > 300 and walked > 100, (seen, walked)
    assert not problems, "Indonesian left in the English interface:\n" + "\n".join(sorted(set(problems)))


def test_english_holiday_names(env):
    """A national holiday's name is the official Indonesian one, stored as such; in English it read
    so on the home page ("not a working day: Hari Raya Natal"), in the list of the local holidays
    page and in its refusal of a local holiday on that day. Now the catalogue's English name
    (data/holidays' name_en), and a Pemda's own holiday as it was typed."""
    db = env.new_db()
    srv = env.start_server(db=db)

    def check():
        today = local_today().isoformat()
        db.sql("DELETE FROM holidays WHERE day = '%s'" % today)
        db.sql("INSERT INTO holidays (tenant, day, kind, name) VALUES ('*', '%s', 'libur_nasional', "
               "'Hari Raya Natal')" % today)
        c = srv.client()
        c.get("/bahasa/en?next=/").expect(303)
        home = c.get("/t/%s/" % TENANT).expect(200)
        assert re.search(r"not a working day\s*: Christmas Day", home.text), home.text[:3000]
        assert "Hari Raya Natal" not in home.text
        idn = srv.client().get("/t/%s/" % TENANT, headers={"Accept-Language": "id"}).expect(200)
        assert re.search(r"bukan hari kerja\s*: Hari Raya Natal", idn.text), idn.text[:3000]
        c.login(TENANT, "admin")
        page = c.get("/t/%s/admin/hari-libur?tahun=%s" % (TENANT, today[:4])).expect(200)
        assert ", %s: Christmas Day</li>" % today in page.text, page.text[-3000:]
        r = c.post_form("/t/%s/admin/hari-libur" % TENANT, {"_csrf": page.csrf(), "date": today,
                                                          "name": "Hari Jadi Kota"})
        r.expect(409, contains="that date is already a holiday: Christmas Day")
        # a Pemda's own holiday stays as typed, in English too
        day = (local_today() + datetime.timedelta(days=400)).isoformat()
        db.sql("DELETE FROM holidays WHERE day = '%s'" % day)
        r = c.post_form("/t/%s/admin/hari-libur" % TENANT, {"_csrf": page.csrf(), "date": day,
                                                          "name": "Hari Jadi Kota Mataram"})
        r.expect(303)
        page = c.get("/t/%s/admin/hari-libur?tahun=%s" % (TENANT, day[:4])).expect(200)
        assert "Hari Jadi Kota Mataram" in page.text, page.text[-3000:]
    on_one_day(check)


def test_english_dashboard_notifications(env):
    """The demo's notifications (a complaint waiting for the coordinator, proposals waiting for the
    leaders) are read in English; a new one too."""
    try:
        english_dashboard_notifications(env)
    finally:
        forget_languages(env)


def english_dashboard_notifications(env):
    anon = english_client(env)
    form = anon.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    r = anon.post_form("/t/%s/pengaduan/baru" % TENANT, {
        "_csrf": form.csrf(), "kind": "pengaduan", "title": "Lampu jalan padam", "identity": "anonim",
        "description": "Lampu jalan di depan sekolah padam sejak minggu lalu", "category": "pju",
        "kelurahan": "52.71.02.1011", "address": "Jl. Udayana"})
    assert r.status == 303, r.describe() + r.text[:500]
    expect = {"koordinator": None, "kepala_daerah": "A proposal is awaiting your action"}
    for role, phrase in expect.items():
        c = english_client(env)
        c.login(TENANT, role)
        page = c.get("/t/%s/dasbor" % TENANT).expect(200)
        notes = re.search(r'<ul class="note-list">(.*?)</ul>', page.text, re.S)
        assert notes, "%s: no notifications on the dashboard" % role
        # what a notification is about (after ": ") is data: a proposal's title is Indonesian
        bad = ID_RE.findall(re.sub(r"<[^>]*>", " ", re.sub(r": [^<]*</a>", "</a>", notes.group(1))))
        assert not bad, "%s: Indonesian notifications: %s" % (role, notes.group(1)[:800])
        if phrase:
            assert phrase in notes.group(1), "%s: %r not in %s" % (role, phrase, notes.group(1)[:800])


def test_english_api_and_open311_errors(env):
    c = env.client()
    problems = []
    for tmpl in API:
        path = tmpl.format(t=TENANT)
        r = c.get(path, headers={"Accept-Language": "en"})
        texts = re.findall(r'"(?:message|description|datatype_description|name)"\s*:\s*"([^"]*)"', r.text)
        texts += re.findall(r"<description>([^<]*)</description>", r.text)
        assert texts, "%s: no message in %s" % (r.describe(), r.text[:300])
        for t in texts:
            # the codes a client sends stay Indonesian ("pengaduan (complaint)"), a word then its meaning
            plain = re.sub(r"\b\w+ \((complaint|suggestion|information request)[^)]*\)", "", t)
            if ID_RE.search(plain):
                problems.append("%s: %r" % (path, t))
    assert not problems, "Indonesian in English API answers:\n" + "\n".join(problems)


if __name__ == "__main__":
    import sys
    sys.exit("run through tests/e2e/run.py -k test_english")
