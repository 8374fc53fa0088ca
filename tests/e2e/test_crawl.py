"""
test_crawl.py: every page a user can reach by clicking, for every role, in both languages, in a
kota and in a provinsi.

A crawler signs in as each demo role of Kota Mataram (52.71) and of the Provinsi NTB (52), and as
nobody, and follows breadth first every same-origin <a href> and <img src> of the HTML pages it
gets (GET only: it never sends a form, and it skips the language switch and signing out; other
tenants' pages are left alone). Files (PDF, CSV, XLSX, JSON, receipts, scans, photos) are fetched
but not read. Paging parameters are taken off the query, and pages of one kind (the same address
with other numbers: other ids, other years) are read PER_KIND times at most, except the pages the
test made, where every walk starts; so a walk stays within PAGE_CAP pages: about 3,800 pages in
8-10 seconds for the whole matrix (12-15 s with the seed). Every role is walked in Bahasa
Indonesia and in English (the `lang` cookie, as /bahasa/en sets it); officials who gave their
password but have not set up the second step yet (sigap serve's default) are walked too.

For every answer:
  * no 5xx, and no 4xx for a link or image the application printed itself: a page shows no
    link its reader cannot follow and no image its reader cannot load (a 403 behind a link is
    a bug); a redirect is followed within the site, and never leads to another;
  * an HTML page says <html lang="id"> or <html lang="en"> as chosen, and
    its elements nest: every non-void element opened is closed, in order, no
    void element is closed, no block opens inside a <p> (the browser would
    end the paragraph there), no link inside a link, no id twice, and every
    for=, aria-describedby=, aria-labelledby=, aria-controls=, list= and
    form= names an element of the page;
  * every <form method="post"> carries the CSRF field (_csrf) with a value;
  * no template leftover ("{{", "}}", "{%"), no printf one ("%s", "%d")
    and no "(null)";
  * the language switch leads back to the same page;
  * what the anonymous visitor reads never holds a citizen's full NIK, phone
    number, e-mail address or name. The demo data holds none of these but
    the citizen's name, so the test first files them itself (below). That the
    values are found where they belong (the officer's application page, the
    coordinator's report) shows the check can fail.

Before the walk the test makes, on a server of its own, through the forms and the JSON API its
users would use (seed()), the state behind the pages the demo data does not reach:
  * applications of the demo citizen with a NIK: one a step further, one returned for
    correction, one finished with its generated result and its satisfaction survey answered
    (the IKM pages then count it), one rejected, one cancelled;
  * reports: a visitor's with name, e-mail and phone and a NIK and the phone in its text,
    answered; the citizen's aspiration with a phone number; one with a photo made public,
    answered and rated; one answered and reopened, with a visitor's duplicate merged into it;
    one whose answer is a month late and one whose verification is late, each escalated by
    `sigap sweep` (their deadlines moved back in the database, as other tests move clocks),
    the first with a photo kept from the public; one on hold (followed by the citizen), one
    forwarded as not the Pemda's business, one archived as spam, one handed back by the OPD;
  * proposals signed step by step: one with an attachment rejected by the Kepala Daerah, one
    he returned and the OPD revised, a Raperda approved by the DPRD and then enacted and
    promulgated as a Perda, one the DPRD rejected and then corrected, a pokok pikiran the
    kepala OPD declined, and a request to replace the Wakil's signing key;
  * in the province (which the demo gives no categories, services or proposals): a category
    and a visitor's report, a service of its DIKBUD with an application moved on, a proposal
    submitted;
  * an API key, a local holiday and a webhook of the administrator's.
Every walk starts from these pages besides the home pages (a role that may not open one, a 403
or a 404 with no link to it, skips it), and reached() checks that each role read the ones it is
for and followed the links on them to what their state adds: the public photo, the result file
and the receipt, the decisions' verification pages and PDFs, a proposal's attachment.

test_crawl_checks_find_broken_pages feeds the checks pages broken on purpose.
"""
import base64
import gzip
import html.parser
import json
import re
import time
import urllib.parse

from harness import DEMO_PASSWORD, ROLES, TENANT, TENANT2, check_sigap
from test_complaints import fixture, multipart
from test_governance import act as gov_act, create, day

PAGE_GZIP_MAX = 20000  # bytes of an HTML page gzipped (level 1): about 3 s at 50 kbit/s
PAGE_CAP = 300          # pages (and files) per role and language
PER_KIND = 6            # pages of one kind: the same path with other numbers or ids
PAGING = {"hal", "sebelum", "setelah"}      # paging parameters: one page of a list is enough
SKIP = re.compile(r"^/bahasa/|/keluar$")     # the language switch (a cookie, the account's language), sign-out
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr"}
# elements that end an open <p> (HTML's parsing rules), and those a <p> is not looked for across
CLOSES_P = {"address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figcaption",
            "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "main", "menu",
            "nav", "ol", "p", "pre", "section", "summary", "table", "ul"}
P_SCOPE = {"button", "table", "td", "th", "caption", "html", "object", "template", "marquee", "applet"}

# a citizen's personal data the test files, which no anonymous page may show in full
NIK = "5271014101900001"            # Kota Mataram, Ampenan; a woman born 1 January 1990
PHONE = "081937465820"              # the reporter's own number (the form's field)
PHONE_TYPED = "0819-3746-5820"      # the same, as typed into a report's text
PHONE2 = "082146803579"             # the signed-in citizen's report
NAME, EMAIL = "Lalu Crawl Santoso", "lalu.crawl@example.com"    # that visitor's name and e-mail
WARGA = "Baiq Nurul Aini"           # the demo citizen (src/cli/demo.c)
SECRETS = (NIK, PHONE, PHONE_TYPED, PHONE2, NAME, EMAIL, WARGA)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

LEFTOVERS = re.compile(r"\{\{|\}\}|\{%|%(?:s|d|ld|lld|zu|u|i)(?![0-9A-Fa-f])|\(null\)")


class Page(html.parser.HTMLParser):
    """One HTML page: its <html lang>, its links, and what is wrong with its nesting and its forms."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lang, self.links, self.problems = None, [], []
        self.stack = []             # open non-void elements: (tag, line)
        self.form = None            # the open <form method="post">: [line, has _csrf]
        self.ids = set()
        self.refs = []              # (line, tag, attribute, id) of attributes naming another element

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "img" and a.get("src") and not a["src"].startswith("data:"):
            self.links.append(a["src"])     # an image shown must load for its reader too
        elif tag == "form":
            if self.form is not None:
                self.problems.append("line %d: a form inside the form of line %d" % (self.getpos()[0], self.form[0]))
            if (a.get("method") or "get").lower() == "post":
                self.form = [self.getpos()[0], False]
        elif tag == "input" and self.form is not None and a.get("name") == "_csrf" and \
                a.get("type") == "hidden" and re.fullmatch(r"[0-9a-f]{128}", a.get("value") or ""):
            self.form[1] = True
        if tag in CLOSES_P:
            # a browser ends an open <p> here: its </p> later makes a second, empty paragraph
            for t, line in reversed(self.stack):
                if t == "p":
                    self.problems.append("line %d: <%s> inside the <p> of line %d" % (self.getpos()[0], tag, line))
                if t == "p" or t in P_SCOPE:
                    break
        if tag == "a" and any(t == "a" for t, _ in self.stack):
            self.problems.append("line %d: a link inside a link" % self.getpos()[0])
        for attr in ("for", "aria-describedby", "aria-labelledby", "aria-controls", "list", "form"):
            for ref in (a.get(attr) or "").split() if attr.startswith("aria") else [a.get(attr)] if a.get(attr) else []:
                self.refs.append((self.getpos()[0], tag, attr, ref))
        if a.get("id"):
            if a["id"] in self.ids:
                self.problems.append("line %d: id %r used twice" % (self.getpos()[0], a["id"]))
            self.ids.add(a["id"])
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag, attrs):
        # <path/> in an inline SVG, <br/>: opened and closed at once
        stack = len(self.stack)
        self.handle_starttag(tag, attrs)
        del self.stack[stack:]

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in VOID:
            self.problems.append("line %d: end tag </%s> of a void element" % (line, tag))
            return
        if tag == "form" and self.form is not None:
            if not self.form[1]:
                self.problems.append("line %d: <form method=post> without the _csrf field" % self.form[0])
            self.form = None
        if self.stack and self.stack[-1][0] == tag:
            self.stack.pop()
            return
        open_tags = [t for t, _ in self.stack]
        if tag in open_tags:
            i = len(open_tags) - 1 - open_tags[::-1].index(tag)
            self.problems.append("line %d: </%s> closes <%s> of line %d while %s are open" % (
                line, tag, tag, self.stack[i][1], ", ".join("<%s> of line %d" % x for x in self.stack[i + 1:])))
            del self.stack[i:]
        else:
            self.problems.append("line %d: </%s> without its start tag" % (line, tag))

    def finish(self):
        self.close()
        if self.stack:
            self.problems.append("never closed: " + ", ".join("<%s> of line %d" % x for x in self.stack))
        if self.form is not None:
            self.problems.append("the form of line %d is never closed" % self.form[0])
        for line, tag, attr, ref in self.refs:
            if ref not in self.ids:
                self.problems.append("line %d: <%s %s=%r> names no element of the page" % (line, tag, attr, ref))
        return self


def normalise(path, base):
    """The local path (with its query, without paging) an href leads to, or None: another site, a
    fragment of the same page, a mailto: link."""
    u = urllib.parse.urlsplit(urllib.parse.urljoin("http://crawl.invalid" + base, path))
    if u.scheme != "http" or u.netloc != "crawl.invalid":
        return None
    query = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, keep_blank_values=True) if k not in PAGING]
    return u.path + ("?" + urllib.parse.urlencode(query) if query else "")


def followed(path, tenant=TENANT):
    """Whether the crawl follows a link to path: the walked tenant's pages and the site's own (the
    portal, verification pages, files), not another tenant's, not the language switch, not signing out."""
    p = path.split("?")[0]
    if SKIP.search(p):
        return False
    return not p.startswith("/t/") or p == "/t/" + tenant or p.startswith("/t/%s/" % tenant)


def kind_of(path):
    return re.sub(r"[0-9a-f]{16,}|\d+", "N", path)


def without_tokens(text):
    """The page without its forms' CSRF values and one-time keys (random hex, any digits)."""
    return re.sub(r'(name="_(?:csrf|nonce)" value=")[0-9a-f]+"', r'\1"', text)


def same_page(a, b):
    """Whether two local addresses name the same page: the same path and the same parameters."""
    ua, ub = urllib.parse.urlsplit(a), urllib.parse.urlsplit(b)
    return ua.path == ub.path and sorted(urllib.parse.parse_qsl(ua.query, keep_blank_values=True)) == \
        sorted(urllib.parse.parse_qsl(ub.query, keep_blank_values=True))


class Crawl:
    """One walk through the site of tenant as one role in one language, from the paths start.

    The start pages are read whatever their kind (the pages the test made are the point of the
    walk); one the role may not read (403, 404: no page linked it) is skipped, in refused.
    read: the pages and files fetched; paths: their addresses; problems: what was wrong, one line
    each; shown: {value: the first page that showed it} for each of secrets found on an HTML page."""

    def __init__(self, srv, role, lang, start, secrets=(), half=False, tenant=TENANT):
        self.who = "%s/%s" % (role or "anonymous", lang) + ("" if tenant == TENANT else "@" + tenant)
        self.lang, self.secrets, self.tenant = lang, secrets, tenant
        self.refused = []
        self.weights = []           # (bytes, gzipped bytes, path) of each HTML page read
        self.read, self.problems, self.shown = 0, [], {}
        self.paths = []             # the addresses read, in order
        self.c = srv.client()
        self.c.cookies["lang"] = lang       # as /bahasa/{lang} sets it
        if half:
            # the password alone: an official is then sent to set up the second step
            form = self.c.get("/t/%s/masuk" % tenant).expect(200)
            r = self.c.post_form("/t/%s/masuk" % tenant, {"_csrf": form.csrf(), "username": role,
                                                         "password": DEMO_PASSWORD})
            assert r.status == 303 and r.header("location") == "/t/%s/akun/dua-langkah" % tenant, r.describe()
            self.who = "%s(half signed in)/%s" % (role, lang)
        elif role:
            self.c.login(tenant, role)
        queue = [(p, "(start)") for p in start]
        seen, kinds = set(), {}
        while queue and self.read < PAGE_CAP:
            path, came_from = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            k = kind_of(path)
            kinds[k] = kinds.get(k, 0) + 1
            if kinds[k] > PER_KIND and came_from != "(start)":
                continue
            self.read += 1
            self.paths.append(path)
            for nxt in self.visit(path, came_from):
                if nxt not in seen:
                    queue.append((nxt, path))

    def problem(self, path, came_from, what):
        self.problems.append("%s %s (linked from %s): %s" % (self.who, path, came_from, what))

    def visit(self, path, came_from):
        """Fetches path and checks it; returns the local addresses it leads to."""
        r = self.c.get(path)
        if came_from == "(start)" and r.status in (403, 404):
            self.refused.append(path)
            return []
        if 300 <= r.status < 400:
            nxt = normalise(r.header("location") or "", path)
            if nxt is None:
                self.problem(path, came_from, "%d to another site: %s" % (r.status, r.header("location")))
                return []
            return [nxt] if followed(nxt, self.tenant) else []
        if r.status != 200:
            body = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", r.text)).strip()
            self.problem(path, came_from, "%d: %s" % (r.status, body[:300]))
            return []
        if not (r.header("content-type") or "").startswith("text/html"):
            return []       # a file: fetched, not read
        self.weights.append((len(r.body), len(gzip.compress(r.body, 1)), path))
        page = Page()
        page.feed(r.text)
        page.finish()
        if page.lang != self.lang:
            self.problem(path, came_from, "<html lang=%r>, expected %r" % (page.lang, self.lang))
        for p in page.problems:
            self.problem(path, came_from, p)
        text = without_tokens(r.text)
        for m in LEFTOVERS.finditer(text):
            self.problem(path, came_from, "leftover %r in ...%s..." % (
                m.group(0), text[max(0, m.start() - 80):m.end() + 40]))
        for s in self.secrets:
            if s in text:
                self.shown.setdefault(s, path)
        out = []
        for href in page.links:
            if href.startswith("/bahasa/"):
                # the language switch comes back to this very page
                back = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query).get("next", [""])[0]
                if not same_page(back, path):
                    self.problem(path, came_from, "the language switch leads back to %r" % back)
            nxt = normalise(href, path)
            if nxt is not None and followed(nxt, self.tenant):
                out.append(nxt)
        return out


def signed_in(srv, role, tenant=TENANT):
    c = srv.client()
    c.login(tenant, role)
    return c


def file_report(c, fields, files=(), tenant=TENANT):
    """Files a report through the web form as c (with photos: (field, name, type, bytes)); returns its
    page's address."""
    form = c.get("/t/%s/pengaduan/baru" % tenant).expect(200)
    nonce = re.search(r'name="_nonce" value="([0-9a-f]+)"', form.text).group(1)
    body, ctype = multipart([("_csrf", form.csrf()), ("_nonce", nonce)] + fields, files)
    r = c.request("POST", "/t/%s/pengaduan/baru" % tenant, body=body, headers={"Content-Type": ctype})
    assert r.status == 303, r.describe() + r.text[:500]
    return r.header("location").split("?")[0]


def apply(w, alasan):
    """The demo citizen w applies for a KTP-el with the NIK; returns the application (JSON)."""
    r = w.request("POST", "/api/v1/t/%s/applications" % TENANT, body=json.dumps(
        {"service": "ktp-el", "values": {"nama": WARGA, "nik_pemohon": NIK, "alasan": alasan},
         "files": {"kk": {"filename": "kk.pdf", "content_base64": base64.b64encode(PDF).decode()}}}),
        headers={"Content-Type": "application/json", "X-CSRF-Token": w.session_csrf(TENANT)})
    assert r.status == 201, r.text
    return r.json()


def act(c, path, fields):
    """Sends the first form of the page path whose action is path + "/aksi", with fields."""
    page = c.get(path).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text)
    c.post_form(path + "/aksi", dict(fields, _csrf=page.csrf(), version=version.group(1) if version else "")) \
        .expect(303)


def number_of(c, path):
    """A complaint's tracking number, as its page shows it."""
    return re.search(r"52\.71/ADU/\d{4}/\d{6}", c.get(path).expect(200).text).group(0)


def seed_applications(srv, w, p):
    """The citizen's four applications for a KTP-el, with the NIK: one a step further, one returned for
    correction, one finished with its result (a generated PDF) and its survey answered, one rejected.
    Returns their pages and the public ones (tracking by number, the receipt's verification page)."""
    apps = [apply(w, alasan) for alasan in ("Baru", "Rusak", "Perubahan data", "Baru", "Hilang")]
    paths = ["/t/%s/permohonan/%s" % (TENANT, a["id"]) for a in apps]
    page = w.get(paths[0]).expect(200)
    verify = re.search(r'href="(?:https?://[^/"]+)?(/v/[^"]+)"', page.text)
    assert verify, page.text[:3000]
    # the OPD (petugas of DISDUKCAPIL) moves one on, returns one, rejects one, and finishes one with the
    # kepala OPD's approval, its result generated first
    act(p, paths[0], {"op": "advance", "text": "Berkas lengkap"})
    act(p, paths[1], {"op": "return", "text": "Scan KK buram"})
    act(p, paths[3], {"op": "reject", "text": "Bukan penduduk Kota Mataram", "yakin": "1"})
    act(w, paths[4], {"op": "cancel", "yakin": "1"})
    page = p.get(paths[2]).expect(200)
    body, ctype = multipart([("_csrf", page.csrf()), ("text", "generate")])
    r = p.request("POST", paths[2] + "/hasil", body=body, headers={"Content-Type": ctype})
    assert r.status == 303, r.describe() + r.text[:500]
    act(p, paths[2], {"op": "advance"})
    act(p, paths[2], {"op": "advance"})
    act(signed_in(srv, "kepala_opd"), paths[2], {"op": "advance"})
    page = w.get(paths[2]).expect(200, contains="berkas/hasil")
    survey = re.search(r"/t/%s/survei/[0-9a-f]{64}" % re.escape(TENANT), page.text).group(0)
    form = w.get(survey).expect(200)
    w.post_form(survey, dict({"u%d" % i: str(1 + i % 4) for i in range(1, 10)}, _csrf=form.csrf(),
                             komentar="Petugas ramah")).expect(200)
    return dict(zip(("moved_on", "returned", "finished", "rejected", "cancelled"), paths),
                track="/t/%s/lacak?nomor=%s" % (TENANT, urllib.parse.quote(apps[0]["number"], safe="")),
                receipt=verify.group(1))


def seed_complaints(srv, w, p, k):
    """Reports in every state a page shows differently, through the coordinator (auto-routing off): a
    visitor's named report with personal data, answered; the citizen's aspiration with a phone number;
    one with a photo the coordinator made public (hidden and shown again), answered and rated; one
    answered and reopened; a visitor's duplicate merged into it; one whose answer is long overdue (its
    photo kept from the public) and one whose verification is, each escalated by the deadline sweep
    (their deadlines moved back, as other tests move clocks); one on hold, followed by the citizen; one
    forwarded as not the Pemda's business; one archived as spam; one the OPD handed back. Returns their
    pages."""
    page = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, {
        "_csrf": page.csrf(), "verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60",
        "escalate_days": "3", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}).expect(303)
    where = [("kelurahan", "52.71.02.1011"), ("identity", "terbuka")]      # the citizen's
    anon = [("kelurahan", "52.71.02.1011"), ("identity", "anonim")]        # a visitor's
    visitor = file_report(srv.client(), [
        ("kind", "pengaduan"), ("identity", "terbuka"), ("category", "adminduk"), ("title", "KK belum dicetak"),
        ("description", "KK saya belum dicetak. NIK saya %s, hubungi saya di %s." % (NIK, PHONE_TYPED)),
        ("address", "Jl. Majapahit 12"), ("name", NAME), ("email", EMAIL), ("phone", PHONE)])
    aspiration = file_report(w, [
        ("kind", "aspirasi"), ("identity", "terbuka"), ("category", "pju"), ("title", "Tambah lampu di gang"),
        ("description", "Mohon lampu jalan di gang kami ditambah, gelap di malam hari."),
        ("address", "Gang Mawar, Cakranegara"), ("name", WARGA), ("phone", PHONE2)])
    photo = file_report(w, [("kind", "pengaduan"), ("category", "adminduk"), ("title", "Loket perekaman rusak"),
                            ("description", "Mesin perekaman di loket 2 rusak, antrean sampai siang.")] + where,
                        [("photo", "loket.jpg", "image/jpeg", fixture("photo_exif.jpg"))])
    reopened = file_report(w, [("kind", "pengaduan"), ("category", "adminduk"), ("title", "Akta kelahiran salah nama"),
                               ("description", "Nama anak saya di akta kelahiran salah ketik, mohon diperbaiki.")]
                           + where)
    duplicate = file_report(srv.client(), [
        ("kind", "pengaduan"), ("category", "adminduk"), ("title", "Salah nama di akta kelahiran"),
        ("description", "Nama anak di akta kelahiran salah ketik dan belum diperbaiki.")] + anon)
    jpeg = [("photo", "foto.jpg", "image/jpeg", fixture("photo_exif.jpg"))]
    late = file_report(w, [("kind", "pengaduan"), ("category", "adminduk"), ("title", "KIA belum jadi"),
                           ("description", "Kartu identitas anak yang saya ajukan bulan lalu belum jadi.")] + where,
                       jpeg)
    unverified = file_report(srv.client(), [("kind", "informasi"), ("category", "adminduk"),
                                            ("title", "Jadwal perekaman keliling"),
                                            ("description", "Kapan jadwal perekaman KTP-el keliling di Ampenan?")]
                             + anon, jpeg)
    held, forwarded, spam, handed_back = (file_report(srv.client(), [
        ("kind", "pengaduan"), ("category", "adminduk"), ("title", title), ("description", text)] + anon, jpeg)
        for title, text in (("Surat pindah belum terbit", "Surat pindah saya belum terbit padahal sudah dua minggu."),
                            ("Sertifikat tanah ganda", "Tanah saya bersertifikat ganda, mohon diselesaikan."),
                            ("Promo pinjaman cepat", "Pinjaman cepat cair tanpa agunan, hubungi kami segera."),
                            ("Jalan depan kantor camat", "Jalan di depan kantor camat Ampenan berlubang besar.")))
    for path in (visitor, photo, reopened, late, handed_back):
        act(k, path, {"aksi": "verifikasi", "category": "adminduk", "foto_publik": "0" if path == late else "1",
                      "foto_pilihan": "1", "text": ""})
    act(k, held, {"aksi": "tunda", "text": "Menunggu data dari kecamatan."})
    act(k, forwarded, {"aksi": "bukan_wewenang", "forward_to": "Kantor Pertanahan Kota Mataram",
                       "text": "Sertifikat tanah urusan BPN.", "yakin": "1"})
    act(k, spam, {"aksi": "arsipkan", "yakin": "1"})
    act(p, handed_back, {"aksi": "kembalikan", "text": "Jalan urusan DPUPR, bukan Disdukcapil."})
    act(k, photo, {"aksi": "sembunyikan_foto"})
    act(k, photo, {"aksi": "tampilkan_foto"})
    act(k, duplicate, {"aksi": "gabung", "merge_into": number_of(k, reopened), "yakin": "1"})
    act(p, visitor, {"aksi": "jawab", "text": "KK Anda sudah dicetak, silakan ambil di loket 3."})
    act(p, photo, {"aksi": "jawab", "text": "Mesin sudah diganti, loket 2 melayani lagi."})
    act(p, reopened, {"aksi": "jawab", "text": "Silakan datang ke loket 4 membawa surat keterangan lahir."})
    act(w, photo, {"aksi": "nilai", "rating": "4", "text": "Terima kasih, cepat."})
    act(w, reopened, {"aksi": "buka_kembali", "text": "Sudah datang ke loket 4, belum juga diperbaiki."})
    # the clocks moved back: the answer due a month ago, the verification yesterday; two sweeps escalate
    # the first to the kepala OPD and then to the Sekda, the second to the coordinator and the Sekda
    now = int(time.time())
    for path, column, ago in ((late, "answer_due", 30 * 86400), (unverified, "verify_due", 86400)):
        srv.db.sql("UPDATE complaints SET %s = %d WHERE id = %s" % (column, now - ago, path.rsplit("/", 1)[1]))
    for _ in range(2):
        check_sigap(["sweep"], db=srv.db)
    levels = [int(srv.db.sql("SELECT escalation FROM complaints WHERE id = %s" % path.rsplit("/", 1)[1])[0][0])
              for path in (late, unverified)]
    assert levels == [2, 1], levels
    # the citizen follows a visitor's report waiting for the coordinator
    page = w.get(held).expect(200)
    w.post_form(held + "/ikuti", {"_csrf": page.csrf(), "aksi": "ikuti"}).expect(303)
    return dict(visitor=visitor, aspiration=aspiration, photo=photo, reopened=reopened, duplicate=duplicate,
                late=late, unverified=unverified, held=held, forwarded=forwarded, spam=spam, handed_back=handed_back)


def seed_governance(srv, dprd):
    """Proposals of DISDUKCAPIL through the forms, each step signed with the demo passphrase: one with an
    attachment, rejected by the Kepala Daerah; one the head returned, revised by the OPD; a Raperda the
    DPRD approved, then enacted and promulgated as a Perda; a Raperda the DPRD rejected, the outcome then
    corrected; a pokok pikiran of the DPRD the kepala OPD declined; the Wakil asks for a new signing key.
    Returns their pages and the decisions' verification pages."""
    lead = {r: signed_in(srv, r) for r in ("kepala_opd", "sekda", "wakil", "kepala_daerah")}
    opd = lead["kepala_opd"]
    base = "/t/%s/usulan/%%d" % TENANT

    def to_the_head(title, needs_dprd=False, attach=False):
        pid = create(opd, title, needs_dprd=needs_dprd)
        if attach:
            body, ctype = multipart([("_csrf", opd.session_csrf(TENANT))],
                                    [("file", "kajian.pdf", "application/pdf", PDF)])
            opd.request("POST", (base + "/lampiran") % pid, body=body, headers={"Content-Type": ctype}).expect(303)
        gov_act(opd, pid, "ajukan")
        gov_act(lead["sekda"], pid, "saran", verdict="tidak_setuju", note="anggaran belum tersedia")
        gov_act(lead["wakil"], pid, "pertimbangan", verdict="setuju_catatan", note="libatkan kecamatan")
        return pid

    head = lead["kepala_daerah"]
    rejected = to_the_head("Tutup layanan Sabtu", attach=True)
    gov_act(head, rejected, "keputusan", verdict="tolak", note="layanan Sabtu tetap dibuka", is_public="1")
    returned = to_the_head("Loket malam di MPP")
    gov_act(head, returned, "keputusan", verdict="kembalikan", note="sertakan hitungan lembur")
    page = opd.get((base + "/ubah") % returned).expect(200)
    opd.post_form((base + "/ubah") % returned, {
        "_csrf": page.csrf(), "version": re.search(r'name="version" value="(\d+)"', page.text).group(1),
        "kind": "telaahan", "title": "Loket malam di MPP", "background": "Antrean panjang di MPP",
        "analysis": "Data tiga bulan\nLembur dua petugas: Rp 4 juta sebulan", "options": "1. Tetap\n2. Diperpanjang",
        "proposed": "Memperpanjang jam layanan sampai pukul 18.00", "urgency": "segera", "is_public": "1"}).expect(303)
    perda = to_the_head("Raperda pelayanan adminduk", needs_dprd=True)
    gov_act(head, perda, "keputusan", verdict="setuju", note="alasan: kebutuhan warga", is_public="1")
    for stage in ("diajukan", "pembahasan", "disetujui"):
        gov_act(dprd, perda, "dprd", stage=stage, stage_day=day())
    gov_act(head, perda, "penetapan", day=day())
    gov_act(lead["sekda"], perda, "pengundangan", day=day())
    refused = to_the_head("Raperda retribusi KTP-el", needs_dprd=True)
    gov_act(head, refused, "keputusan", verdict="setuju", note="alasan: dibahas dengan DPRD", is_public="1")
    for stage in ("diajukan", "pembahasan", "ditolak"):
        gov_act(dprd, refused, "dprd", stage=stage, stage_day=day())
    page = dprd.get(base % refused).expect(200)
    gov_act(dprd, refused, "koreksi_dprd", stage="disetujui", stage_day=day(), reason="salah pilih hasil rapat",
            version=re.search(r'name="version" value="(\d+)"', page.text).group(1))
    page = lead["wakil"].get("/t/%s/kunci-tanda-tangan" % TENANT).expect(200)
    lead["wakil"].post_form("/t/%s/kunci-tanda-tangan/ganti" % TENANT,
                            {"_csrf": page.csrf(), "password": DEMO_PASSWORD}).expect(200)
    form = dprd.get("/t/%s/pokir" % TENANT).expect(200)
    r = dprd.post_form("/t/%s/pokir" % TENANT, {"_csrf": form.csrf(), "unit": "DISDUKCAPIL",
                                                "title": "Perekaman di sekolah", "background": "Siswa 17 tahun",
                                                "proposed": "Perekaman KTP-el di SMA"}).expect(303)
    pokir = int(r.header("location").rsplit("/", 1)[1])
    gov_act(opd, pokir, "tolak_pokir", note="sudah berjalan lewat program sekolah")
    made = dict(rejected_proposal=rejected, returned_proposal=returned, perda=perda, dprd_refused=refused, pokir=pokir)
    for name, pid in list(made.items()):
        made[name] = base % pid
        if name in ("rejected_proposal", "perda", "dprd_refused"):
            token = re.search(r"/verifikasi/[0-9a-f]{32}", head.get(base % pid).text).group(0)
            made[name.replace("_proposal", "") + "_verified"] = "/t/%s%s" % (TENANT, token)
    return made


def seed_province(srv):
    """The province (52) has OPDs and officials but no categories, services or proposals in the demo: its
    coordinator adds a category and a visitor files a report; its administrator adds a service, a
    citizen applies and an officer moves it on; the kepala OPD submits a proposal. Returns their pages."""
    k = signed_in(srv, "koordinator", TENANT2)
    page = k.get("/t/%s/pengaduan/pengaturan" % TENANT2).expect(200)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT2, {"_csrf": page.csrf(), "code": "jalan", "unit": "DPUPR",
                                                         "name": "Jalan provinsi", "sla_class": "lapangan"}).expect(303)
    report = file_report(srv.client(), [
        ("kind", "pengaduan"), ("identity", "anonim"), ("category", "jalan"), ("title", "Jalan provinsi berlubang"),
        ("description", "Jalan provinsi di Pringgabaya berlubang besar di dekat jembatan."),
        ("address", "Jalan raya Pringgabaya")], tenant=TENANT2)
    # a service of the province's DIKBUD (where its demo officials sit) and a citizen's application
    admin = signed_in(srv, "admin", TENANT2)
    r = admin.post_json("/api/v1/t/%s/services" % TENANT2, {
        "code": "legalisir-ijazah", "unit": "DIKBUD", "name": "Legalisir ijazah SMA/SMK", "category": "Pendidikan",
        "summary": "Legalisir ijazah SMA/SMK negeri di NTB.", "requirements": ["Ijazah asli"],
        "procedure": ["Ajukan", "Verifikasi", "Ambil"], "sla_days": 3, "fee": 0, "product": "Ijazah dilegalisir",
        "complaints": "Melalui menu Pengaduan.", "legal_basis": ["Permendikbud 29/2014"],
        "form": "nama | text | Nama lengkap | wajib\nnik_pemohon | nik | NIK pemohon | wajib\n",
        "steps": "Verifikasi berkas | petugas\nPenandatanganan | kepala_opd\n"},
        headers={"X-CSRF-Token": admin.session_csrf(TENANT2)})
    assert r.status == 201, r.text
    w = signed_in(srv, "warga", TENANT2)
    r = w.post_json("/api/v1/t/%s/applications" % TENANT2, {
        "service": "legalisir-ijazah", "values": {"nama": "Lale Crawl Provinsi", "nik_pemohon": NIK}},
        headers={"X-CSRF-Token": w.session_csrf(TENANT2)})
    assert r.status == 201, r.text
    application = "/t/%s/permohonan/%s" % (TENANT2, r.json()["id"])
    act(signed_in(srv, "petugas", TENANT2), application, {"op": "advance"})
    # a proposal of DIKBUD, submitted by its head with a signing key made for it
    opd = signed_in(srv, "kepala_opd", TENANT2)
    page = opd.get("/t/%s/kunci-tanda-tangan" % TENANT2).expect(200)
    opd.post_form("/t/%s/kunci-tanda-tangan" % TENANT2, {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                         "confirm": DEMO_PASSWORD}).expect(200)
    page = opd.get("/t/%s/usulan/baru" % TENANT2).expect(200)
    r = opd.post_form("/t/%s/usulan" % TENANT2, {
        "_csrf": page.csrf(), "kind": "usulan", "title": "Beasiswa siswa SMA di pulau kecil",
        "background": "Siswa Gili sulit bersekolah", "proposed": "Beasiswa transport", "urgency": "biasa"}).expect(303)
    proposal = r.header("location")
    r = opd.post_form(proposal + "/tindakan", {"_csrf": opd.session_csrf(TENANT2), "action": "ajukan",
                                               "passphrase": DEMO_PASSWORD}).expect(303)
    return dict(report=report, application=application, proposal=proposal)


def seed(srv):
    """Files what the crawl reads, with a citizen's personal data in it, and moves it on so that
    more kinds of page have something to show (seed_applications, seed_complaints, seed_governance,
    seed_province); an API key, a local holiday and a webhook of the administrator's. Returns the
    pages made, {tenant: {name: path}}, from which every walk of the tenant starts besides the home
    pages (a role that may not read one skips it): the applications, reports and proposals, and the
    public pages of these (tracking by number, verification)."""
    w, p, k = (signed_in(srv, r) for r in ("warga", "petugas", "koordinator"))
    made = seed_applications(srv, w, p)
    made.update(seed_complaints(srv, w, p, k))
    made.update(seed_governance(srv, signed_in(srv, "dprd")))
    # the administrator's lists with an entry to act on
    a = signed_in(srv, "admin")
    for path, fields in (("/admin/kunci-api", {"name": "Gateway WhatsApp", "role": "", "unit": "", "rate": ""}),
                         ("/admin/hari-libur", {"date": "%d-10-21" % (time.gmtime().tm_year + 1),
                                                "name": "Hari Jadi Kota Uji"}),
                         ("/admin/webhook", {"url": "http://127.0.0.1:9/sigap", "g_pengaduan": "1"})):
        page = a.get("/t/%s%s" % (TENANT, path)).expect(200)
        r = a.post_form("/t/%s%s" % (TENANT, path), dict(fields, _csrf=page.csrf()))
        assert r.status in (201, 303), r.describe() + r.text[:800]
    return {TENANT: made, TENANT2: seed_province(srv)}


def test_crawl_every_role_both_languages(env):
    # a webhook to a local address (refused otherwise) that nothing answers
    srv = env.start_server(db=env.new_db(), args=["--webhook-allow-private", "1", "--webhook-allow-http", "1"])
    made = seed(srv)
    walks, t0 = {}, time.time()
    for tenant in (TENANT, TENANT2):
        for lang in ("id", "en"):
            for role in (None,) + ROLES:
                start = ["/", "/t/%s/" % tenant] + (["/t/%s/dasbor" % tenant] if role else []) + \
                    sorted(made[tenant].values())
                w = Crawl(srv, role, lang, start, SECRETS, tenant=tenant)
                walks[w.who] = w
    print("crawl: %d pages in %.1fs: %s" % (sum(w.read for w in walks.values()), time.time() - t0,
                                             ", ".join("%s %d" % (k, w.read) for k, w in walks.items())))
    problems = [p for w in walks.values() for p in w.problems]
    # a cheap phone on a slow line: no page is heavy (gzip level 1 as the server sends it; the
    # heaviest is the provinsi's complaint form with its 1,166 villages, about 15.7 KB)
    heavy = sorted({(z, n, p) for w in walks.values() for n, z, p in w.weights}, reverse=True)
    print("heaviest pages (gzipped, plain bytes):", ", ".join("%s %d/%d" % (p, z, n) for z, n, p in heavy[:5]))
    problems += ["%s is %d bytes gzipped (%d plain), over %d" % (p, z, n, PAGE_GZIP_MAX)
                 for z, n, p in heavy if z > PAGE_GZIP_MAX]
    for who in ("anonymous/id", "anonymous/en", "anonymous/id@52", "anonymous/en@52"):
        for s, path in sorted(walks[who].shown.items()):
            problems.append("%s %s: shows %r" % (who, path, s))
    assert not problems, "%d problems:\n%s" % (len(problems), "\n".join(problems))
    # the walk went somewhere: past the public pages for every role, furthest for the administrator
    assert all(w.read >= (40 if w.tenant == TENANT else 15) for w in walks.values()), \
        {k: w.read for k, w in walks.items()}
    assert walks["admin/id"].read > walks["anonymous/id"].read
    # and the check of what a page shows can fail: the values are where they belong
    # (the officer handling the application reads its NIK, the coordinator a report's text as typed)
    assert NIK in walks["petugas/id"].shown, walks["petugas/id"].shown
    assert PHONE_TYPED in walks["koordinator/id"].shown, walks["koordinator/id"].shown
    reached(walks, made)


def reached(walks, made):
    """Each page the seed made was read by the roles it is for (not refused), and the links on it to
    the files of its state were followed: the walk reaches what the seed is for."""
    m = made[TENANT]

    def read(who, *names):
        w = walks[who]
        for name in names:
            path = m[name[1:]] if name.startswith("@") else name
            assert path in w.paths and path not in w.refused, (who, path, w.refused, w.paths)

    def read_like(who, pattern):
        w = walks[who]
        assert any(re.fullmatch(pattern, p) for p in w.paths if p not in w.refused), (who, pattern, w.paths)
    reports = ("@visitor", "@aspiration", "@photo", "@reopened", "@duplicate", "@late", "@unverified", "@held",
               "@forwarded", "@handed_back")
    applications = ("@moved_on", "@returned", "@finished", "@rejected", "@cancelled")
    proposals = ("@rejected_proposal", "@returned_proposal", "@perda", "@dprd_refused")
    for lang in ("id", "en"):
        # the public: every report but the spam, the photo made public, the decisions' verification
        # pages and PDFs
        read("anonymous/" + lang, *reports + ("@receipt", "@track", "@rejected_verified", "@perda_verified",
                                              "@dprd_refused_verified"))
        read("anonymous/" + lang, m["photo"] + "/foto/0", m["rejected_verified"] + "/pdf", m["perda_verified"] + "/pdf")
        assert m["spam"] in walks["anonymous/" + lang].refused
        # the citizen: their applications, the result of the finished one and its receipt
        read("warga/" + lang, *applications)
        read("warga/" + lang, m["finished"] + "/berkas/hasil", m["finished"] + "/tanda-terima.pdf")
        # the OPD: the applications and reports it handles, the proposals, the attachment of one
        for role in ("petugas", "kepala_opd"):
            read("%s/%s" % (role, lang), *applications + ("@photo", "@reopened", "@late") + proposals + ("@pokir",))
        read_like("kepala_opd/" + lang, re.escape(m["rejected_proposal"]) + r"/lampiran/[0-9a-f]{64}")
        # the coordinator every report, the spam too
        read("koordinator/" + lang, *reports + ("@spam",))
        # a photo kept from the public: the OPD holding the report loads it, the public is not shown it
        read("petugas/" + lang, m["late"] + "/foto/0")
        assert m["late"] + "/foto/0" not in walks["anonymous/" + lang].paths
        # the leaders and the administrator every proposal past the OPD, the DPRD its items and pokok pikiran
        for role in ("sekda", "wakil", "kepala_daerah", "admin"):
            read("%s/%s" % (role, lang), *proposals)
        read("dprd/" + lang, "@perda", "@dprd_refused", "@pokir")
        # the province: each role's own walk, its report; the application and the proposal of its DIKBUD
        p = made[TENANT2]
        for role in (None,) + ROLES:
            read("%s/%s@%s" % (role or "anonymous", lang, TENANT2), p["report"])
        for role in ("warga", "petugas", "kepala_opd", "sekda"):
            read("%s/%s@%s" % (role, lang, TENANT2), p["application"])
        for role in ("petugas", "kepala_opd", "sekda", "wakil", "kepala_daerah", "admin"):
            read("%s/%s@%s" % (role, lang, TENANT2), p["proposal"])


def test_crawl_half_signed_in_officials(env):
    """An official who gave the password but has not set up the second step yet (sigap serve's
    default for officials) follows every link shown to them: each works or leads to the set-up."""
    srv = env.start_server(db=env.new_db(), args=["--two-factor-roles", "officials"])
    problems, read = [], 0
    for lang in ("id", "en"):
        for role in ("sekda", "admin", "petugas"):
            w = Crawl(srv, role, lang, ["/", "/t/%s/" % TENANT, "/t/%s/dasbor" % TENANT,
                                        "/t/%s/akun/dua-langkah" % TENANT], half=True)
            problems += w.problems
            read += w.read
    assert not problems, "%d problems:\n%s" % (len(problems), "\n".join(problems))
    assert read >= 300, read


def test_crawl_checks_find_broken_pages(env):
    """The page checks themselves, on pages broken on purpose (no server)."""
    def check(body):
        p = Page()
        p.feed(body)
        return p.finish().problems
    token = "0" * 128
    ok = ('<!doctype html><html lang="id"><head><meta charset="utf-8"><title>x</title></head><body>'
          '<p>a<br>b<img src="x" alt=""></p><svg><path d="M0 0"/></svg>'
          '<form method="post"><input type="hidden" name="_csrf" value="%s"><button>Kirim</button></form>'
          '<form method="get"><input name="q"></form></body></html>' % token)
    assert check(ok) == [], check(ok)
    bad = {
        "<div><span></div>": "closes <div>",
        "<div>": "never closed",
        "</section>": "without its start tag",
        "<p>x<ul><li>y</li></ul></p>": "<ul> inside the <p>",
        '<form method="post"><input name="x"></form>': "without the _csrf field",
        '<form method="POST"><input type="hidden" name="_csrf" value=""></form>': "without the _csrf field",
        '<a href="/a">x <a href="/b">y</a></a>': "a link inside a link",
        '<i id="k"></i><b id="k"></b>': "used twice",
        "<br></br>": "void element",
        '<label for="nama">Nama</label><input id="name">': "names no element",
        '<input id="a" aria-describedby="a a-help">': "names no element",
    }
    for body, said in bad.items():
        found = check(body)
        assert any(said in f for f in found), (body, found)
    for text in ("{{name}}", "a }} b", "{% if %}", "Nomor %s", "%d hari", "(null)"):
        assert LEFTOVERS.search(text), text
    for text in ("100%", "50% selesai", "/cari?q=%D0%B0", "a%2Fb", "{ x }"):
        assert not LEFTOVERS.search(text), text
    assert normalise("?hal=3&q=jalan", "/t/52.71/pengaduan") == "/t/52.71/pengaduan?q=jalan"
    assert normalise("https://example.com/", "/") is None and normalise("mailto:a@b.c", "/") is None
    assert not followed("/t/52/") and not followed("/bahasa/en?next=/") and followed("/v/abc")
    assert followed("/t/52/pengaduan", "52") and not followed("/t/52.71/", "52")
    # images are followed like links; inline ones are not
    p = Page()
    p.feed('<a href="/a">a</a><img src="/t/52.71/pengaduan/1/foto/0" alt=""><img src="data:," alt="">')
    assert p.finish().links == ["/a", "/t/52.71/pengaduan/1/foto/0"], p.links


if __name__ == "__main__":
    import sys
    sys.exit("run through tests/e2e/run.py -k test_crawl")
