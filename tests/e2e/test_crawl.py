"""
test_crawl.py: every page a user can reach by clicking, for every role, in both languages.

A crawler signs in as each demo role of Kota Mataram (52.71), and as nobody,
and follows breadth first every same-origin <a href> of the HTML pages it
gets (GET only: it never sends a form, and it skips the language switch and
signing out; other tenants' pages are left alone). Files (PDF, CSV, XLSX,
JSON, receipts, scans) are fetched but not read. Paging parameters are taken
off the query, and pages of one kind (the same address with other numbers:
other ids, other years) are read PER_KIND times at most, so a walk stays
within PAGE_CAP pages: about 2,400 pages in 6-8 seconds for the whole
matrix. Every role is walked in Bahasa Indonesia and in English (the `lang`
cookie, as /bahasa/en sets it); officials who gave their password but have
not set up the second step yet (sigap serve's default) are walked too.

For every answer:
  * no 5xx, and no 4xx for a link the application printed itself: a page
    shows no link its reader cannot follow (a 403 behind a link is a bug);
    a redirect is followed within the site, and never leads to another;
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
    the citizen's name, so the test first files, on a server of its own, a
    report by a visitor with name, e-mail and phone and a NIK and the phone
    in its text, answered by the OPD; the demo citizen's report with a phone
    number; two applications with a NIK, one moved on a step and one
    returned for correction; and an API key, a local holiday and a webhook,
    so that their pages have something to link to. The anonymous walk starts
    from the public pages of these (the reports, tracking by number, the
    receipt's verification page). That the values are found where they
    belong (the officer's application page, the coordinator's report) shows
    the check can fail.

test_crawl_checks_find_broken_pages feeds the checks pages broken on purpose.
"""
import base64
import html.parser
import json
import re
import time
import urllib.parse

from harness import DEMO_PASSWORD, ROLES, TENANT
from test_complaints import multipart

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


def followed(path):
    """Whether the crawl follows a link to path: Kota Mataram's pages and the site's own (the portal,
    verification pages, files), not another tenant's, not the language switch, not signing out."""
    p = path.split("?")[0]
    if SKIP.search(p):
        return False
    return not p.startswith("/t/") or p == "/t/" + TENANT or p.startswith("/t/%s/" % TENANT)


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
    """One walk through the site as one role in one language, from the paths start.

    read: the pages and files fetched; problems: what was wrong, one line each; shown: {value: the
    first page that showed it} for each of secrets found on an HTML page."""

    def __init__(self, srv, role, lang, start, secrets=(), half=False):
        self.who = "%s/%s" % (role or "anonymous", lang)
        self.lang, self.secrets = lang, secrets
        self.read, self.problems, self.shown = 0, [], {}
        self.c = srv.client()
        self.c.cookies["lang"] = lang       # as /bahasa/{lang} sets it
        if half:
            # the password alone: an official is then sent to set up the second step
            form = self.c.get("/t/%s/masuk" % TENANT).expect(200)
            r = self.c.post_form("/t/%s/masuk" % TENANT, {"_csrf": form.csrf(), "username": role,
                                                         "password": DEMO_PASSWORD})
            assert r.status == 303 and r.header("location") == "/t/%s/akun/dua-langkah" % TENANT, r.describe()
            self.who = "%s(half signed in)/%s" % (role, lang)
        elif role:
            self.c.login(TENANT, role)
        queue = [(p, "(start)") for p in start]
        seen, kinds = set(), {}
        while queue and self.read < PAGE_CAP:
            path, came_from = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            k = kind_of(path)
            kinds[k] = kinds.get(k, 0) + 1
            if kinds[k] > PER_KIND:
                continue
            self.read += 1
            for nxt in self.visit(path, came_from):
                if nxt not in seen:
                    queue.append((nxt, path))

    def problem(self, path, came_from, what):
        self.problems.append("%s %s (linked from %s): %s" % (self.who, path, came_from, what))

    def visit(self, path, came_from):
        """Fetches path and checks it; returns the local addresses it leads to."""
        r = self.c.get(path)
        if 300 <= r.status < 400:
            nxt = normalise(r.header("location") or "", path)
            if nxt is None:
                self.problem(path, came_from, "%d to another site: %s" % (r.status, r.header("location")))
                return []
            return [nxt] if followed(nxt) else []
        if r.status != 200:
            body = re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", r.text)).strip()
            self.problem(path, came_from, "%d: %s" % (r.status, body[:300]))
            return []
        if not (r.header("content-type") or "").startswith("text/html"):
            return []       # a file: fetched, not read
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
            if nxt is not None and followed(nxt):
                out.append(nxt)
        return out


def file_report(c, fields):
    """Files a report through the web form as c; returns its page's address."""
    form = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    nonce = re.search(r'name="_nonce" value="([0-9a-f]+)"', form.text).group(1)
    body, ctype = multipart([("_csrf", form.csrf()), ("_nonce", nonce)] + fields)
    r = c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype})
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


def seed(srv):
    """Files what the crawl reads, with a citizen's personal data in it, and moves it on so that
    more kinds of page have something to show: a named report by a visitor without an account (name,
    e-mail, phone; a NIK and the phone in its text), answered by the OPD; one by the demo citizen
    with a phone number; the citizen's applications with a NIK, one a step further, one returned
    for correction; an API key, a local holiday and a webhook of the administrator's. Returns the
    public pages of these (the reports, tracking an application by number, its receipt's
    verification page)."""
    reports = [file_report(srv.client(), [
        ("kind", "pengaduan"), ("identity", "terbuka"), ("category", "adminduk"), ("title", "KK belum dicetak"),
        ("description", "KK saya belum dicetak. NIK saya %s, hubungi saya di %s." % (NIK, PHONE_TYPED)),
        ("address", "Jl. Majapahit 12"), ("name", NAME), ("email", EMAIL), ("phone", PHONE)])]
    w = srv.client()
    w.login(TENANT, "warga")
    reports.append(file_report(w, [
        ("kind", "aspirasi"), ("identity", "terbuka"), ("category", "pju"), ("title", "Tambah lampu di gang"),
        ("description", "Mohon lampu jalan di gang kami ditambah, gelap di malam hari."),
        ("address", "Gang Mawar, Cakranegara"), ("name", WARGA), ("phone", PHONE2)]))
    apps = [apply(w, "Baru"), apply(w, "Rusak")]
    page = w.get("/t/%s/permohonan/%s" % (TENANT, apps[0]["id"])).expect(200)
    verify = re.search(r'href="(?:https?://[^/"]+)?(/v/[^"]+)"', page.text)
    assert verify, page.text[:3000]
    # the OPD (petugas of DISDUKCAPIL) moves one application on, returns the other, answers the
    # report the router sent it (or the coordinator sends it first)
    p = srv.client()
    p.login(TENANT, "petugas")
    act(p, "/t/%s/permohonan/%s" % (TENANT, apps[0]["id"]), {"op": "advance", "text": "Berkas lengkap"})
    act(p, "/t/%s/permohonan/%s" % (TENANT, apps[1]["id"]), {"op": "return", "text": "Scan KK buram"})
    if 'value="jawab"' not in p.get(reports[0]).text:
        k = srv.client()
        k.login(TENANT, "koordinator")
        act(k, reports[0], {"aksi": "verifikasi", "category": "adminduk", "text": ""})
    act(p, reports[0], {"aksi": "jawab", "text": "KK Anda sudah dicetak, silakan ambil di loket 3."})
    # the administrator's lists with an entry to act on
    a = srv.client()
    a.login(TENANT, "admin")
    for path, fields in (("/admin/kunci-api", {"name": "Gateway WhatsApp", "role": "", "unit": "", "rate": ""}),
                         ("/admin/hari-libur", {"date": "%d-10-21" % (time.gmtime().tm_year + 1),
                                                "name": "Hari Jadi Kota Uji"}),
                         ("/admin/webhook", {"url": "http://127.0.0.1:9/sigap", "g_pengaduan": "1"})):
        page = a.get("/t/%s%s" % (TENANT, path)).expect(200)
        r = a.post_form("/t/%s%s" % (TENANT, path), dict(fields, _csrf=page.csrf()))
        assert r.status in (201, 303), r.describe() + r.text[:800]
    return reports + ["/t/%s/lacak?nomor=%s" % (TENANT, urllib.parse.quote(apps[0]["number"], safe="")),
                      verify.group(1)]


def test_crawl_every_role_both_languages(env):
    # a webhook to a local address (refused otherwise) that nothing answers
    srv = env.start_server(db=env.new_db(), args=["--webhook-allow-private", "1", "--webhook-allow-http", "1"])
    public = seed(srv)
    walks, t0 = {}, time.time()
    for lang in ("id", "en"):
        for role in (None,) + ROLES:
            start = ["/", "/t/%s/" % TENANT] + (["/t/%s/dasbor" % TENANT] if role else []) + public
            w = Crawl(srv, role, lang, start, SECRETS)
            walks[w.who] = w
    print("crawl: %d pages in %.1fs: %s" % (sum(w.read for w in walks.values()), time.time() - t0,
                                             ", ".join("%s %d" % (k, w.read) for k, w in walks.items())))
    problems = [p for w in walks.values() for p in w.problems]
    for lang in ("id", "en"):
        for s, path in sorted(walks["anonymous/" + lang].shown.items()):
            problems.append("anonymous/%s %s: shows %r" % (lang, path, s))
    assert not problems, "%d problems:\n%s" % (len(problems), "\n".join(problems))
    # the walk went somewhere: past the public pages for every role, furthest for the administrator
    assert all(w.read >= 40 for w in walks.values()), {k: w.read for k, w in walks.items()}
    assert walks["admin/id"].read > walks["anonymous/id"].read
    # and the check of what a page shows can fail: the values are where they belong
    # (the officer handling the application reads its NIK, the coordinator a report's text as typed)
    assert NIK in walks["petugas/id"].shown, walks["petugas/id"].shown
    assert PHONE_TYPED in walks["koordinator/id"].shown, walks["koordinator/id"].shown


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


if __name__ == "__main__":
    import sys
    sys.exit("run through tests/e2e/run.py -k test_crawl")
