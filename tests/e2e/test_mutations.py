"""
test_mutations.py: a bad-input audit of every state-changing route.

For each HTML form (taken from the page that holds it, with its real fields)
and each JSON API / Open311 body, one field at a time is sent missing,
empty, very long (10k and 1M characters), as letters, negative, a number
beyond 64 bits, a float, NaN, twice, with bytes that are not UTF-8, with a
NUL byte, with control characters and with an HTML/script payload; version
fields also stale, the CSRF token also wrong, and ids of another tenant's
objects where a field takes one. Every answer must:

- never be a 5xx, and the server stays up;
- when it is a 4xx, carry a human message (an alert or the error page, the
  JSON error's message, Open311's description) that is no raw C or database
  error, in English for a client that chose English (lang cookie);
- when it is a 4xx, leave the data as it was (audit log, row counts and
  versions of the tables forms change);
- never echo the script payload unescaped (also on the page a redirect
  leads to).

A form whose version field holds a number must also refuse any other value
there (only none, a hand-made post, is taken unchecked).

Runs on a server of its own (own database copy; no sweeps, no rate limits
in the way), on both backends. MUT_TIMING=1 prints each form's requests and
seconds; MUT_STATS=FILE appends every case's status and message to FILE.

What the audit found is pinned by the tests at the end: JSON refusals that
showed jansson's English text (a C flag's name); a notifications "seen"
mark beyond the newest one (or beyond int64) that hid every notification to
come; a proposal's version that was no number taken as no version at all.
"""
import base64
import hashlib
import html
import json
import os
import re
import subprocess
import time
import urllib.parse
import uuid

from harness import DEMO_PASSWORD, TENANT, TENANT2, check_sigap, unique

T = TENANT
SCRIPT = '<script>alert("mut")</script><b>x'
SCRIPT_RAW = b'<script>alert("mut")'
DROP, DUP = object(), object()
MUTATIONS = [("missing", DROP), ("empty", b""), ("10k", b"A" * 10000), ("1M", b"A" * 1000000),
             ("letters", b"abc"), ("negative", b"-1"), ("huge", b"99999999999999999999"), ("float", b"1.5"),
             ("nan", b"NaN"), ("dup", DUP), ("badutf8", b"ab\xff\xfe"), ("nul", b"a\x00b"),
             ("ctl", b"a\x01\x1b\x7fb"), ("html", SCRIPT.encode())]
# a message that is a C or database error rather than words for a person
RAW_RE = re.compile(r"ERR_|SQLITE|sqlite3?_|PQ[a-z]|syntax error|violates|constraint|null value|invalid byte|"
                    r"\(null\)|%[sdz]|errno|Segmentation|json_|jansson|duplicate key|UNIQUE", re.I)

SERVER_ARGS = ["--sweep-interval", "0", "--complaint-limit-address", "0", "--complaint-limit-user", "0",
               "--complaint-limit-apikey", "0", "--register-max-per-address", "100000",
               "--login-max-failures", "1000", "--login-max-failures-address", "100000",
               "--application-limit-user", "0", "--smtp-url", "smtp://127.0.0.1:9", "--mail-from", "a@example.org",
               "--public-url", "http://sigap.example"]

PROBE = ("SELECT (SELECT count(*) FROM audit_log WHERE action NOT IN ('governance.refused', 'auth.lockout'))"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM users)"
         " || ':' || (SELECT count(*) FROM units) || ':' || (SELECT count(*) FROM api_keys WHERE revoked_at IS NULL)"
         " || ':' || (SELECT count(*) FROM holidays)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM complaints)"
         " || ':' || (SELECT count(*) FROM complaints_events)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM complaints_categories)"
         " || ':' || (SELECT coalesce(sum(version), 0) FROM complaints_settings)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM governance_proposals)"
         " || ':' || (SELECT count(*) FROM governance_steps) || ':' || (SELECT count(*) FROM governance_keys)"
         " || ':' || (SELECT count(*) FROM governance_attachments)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM services)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM services_apps)"
         " || ':' || (SELECT count(*) FROM services_events) || ':' || (SELECT count(*) FROM services_files)"
         " || ':' || (SELECT count(*) FROM perf_survey_answers)"
         " || ':' || (SELECT count(*) FROM password_resets)"
         " || ':' || (SELECT count(*) || '/' || coalesce(sum(version), 0) FROM webhooks)")

# ------------------------------------------------------------------ pages

class FormParser:
    """The POST forms of a page: [{'action', 'enctype', 'id', 'fields': [(name, value)]}]."""

    def __init__(self, text):
        import html.parser
        self.forms = []
        outer = self

        class P(html.parser.HTMLParser):
            def __init__(self):
                super().__init__(convert_charrefs=True)
                self.cur, self.select, self.textarea, self.opt_first = None, None, None, None

            def handle_starttag(self, tag, attrs):
                a = dict(attrs)
                if tag == "form":
                    if (a.get("method") or "").lower() == "post":
                        self.cur = {"action": html.unescape(a.get("action") or ""), "id": a.get("id"),
                                    "enctype": a.get("enctype") or "", "fields": []}
                        outer.forms.append(self.cur)
                    return
                if self.cur is None:
                    return
                if tag == "input" and a.get("name"):
                    t = (a.get("type") or "text").lower()
                    if t in ("checkbox", "radio"):
                        if "checked" in a or (t == "radio" and not any(n == a["name"] for n, _ in self.cur["fields"])):
                            # a radio group: the checked one, else the first
                            self.cur["fields"] = [(n, v) for n, v in self.cur["fields"]
                                                  if not (t == "radio" and n == a["name"] and "checked" in a)]
                            self.cur["fields"].append((a["name"], a.get("value") or "on"))
                    elif t == "file":
                        self.cur.setdefault("files", []).append(a["name"])
                    elif t not in ("submit", "button", "reset"):
                        self.cur["fields"].append((a["name"], a.get("value") or ""))
                elif tag == "select" and a.get("name"):
                    self.select = [a["name"], None, None]
                elif tag == "option" and self.select is not None:
                    v = a.get("value")
                    if v is None:
                        v = ""
                    if self.select[2] is None and v:
                        self.select[2] = v
                    if "selected" in a:
                        self.select[1] = v
                elif tag == "textarea" and a.get("name"):
                    self.textarea = [a["name"], ""]

            def handle_endtag(self, tag):
                if tag == "form":
                    self.cur = None
                elif tag == "select" and self.select is not None and self.cur is not None:
                    v = self.select[1] if self.select[1] is not None else (self.select[2] or "")
                    self.cur["fields"].append((self.select[0], v))
                    self.select = None
                elif tag == "textarea" and self.textarea is not None and self.cur is not None:
                    self.cur["fields"].append(tuple(self.textarea))
                    self.textarea = None

            def handle_data(self, data):
                if self.textarea is not None:
                    self.textarea[1] += data

        p = P()
        p.feed(text)
        p.close()


def find_form(page, action, pick=None):
    forms = [f for f in FormParser(page.text).forms if f["action"].split("#")[0] == action]
    for f in forms:
        d = dict(f["fields"])
        if not pick or all((k in d and (v is None or d[k] == v)) or (k == "#id" and f["id"] == v)
                           for k, v in pick.items()):
            return f
    raise AssertionError("%s: no form for %s %r among %r" % (page.describe(), action, pick,
                                                           [(f["action"], f["fields"]) for f in
                                                            FormParser(page.text).forms]))


def message_of(r):
    """The human message of a 4xx answer ('' when there is none)."""
    ct = r.header("content-type") or ""
    if ct.startswith("application/json"):
        j = r.json()
        if isinstance(j, list) and j and isinstance(j[0], dict):     # Open311
            return str(j[0].get("description") or "")
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return str(j["error"].get("message") or "")
        return ""
    if "xml" in ct:
        m = re.search(r"<description>(.*?)</description>", r.text, re.S)
        return html.unescape(m.group(1)) if m else ""
    m = re.search(r'<p class="alert" role="alert"[^>]*>(.*?)</p>', r.text, re.S)
    if m:
        return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
    m = re.search(r'class="card error-page">.*?<p class="status">.*?</p>\s*<p>(.*?)</p>', r.text, re.S)
    if m:
        return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()
    return ""


def b(v):
    return v if isinstance(v, bytes) else str(v).encode("utf-8")


def encode_form(fields):
    return "&".join("%s=%s" % (urllib.parse.quote(n), urllib.parse.quote_from_bytes(b(v)))
                    for n, v in fields).encode()


def encode_multipart(fields, files=()):
    bd = "----mut" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (bd, k)).encode() + b(v) + b"\r\n"
    for k, name, data, ctype in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (bd, k, name, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % bd).encode()
    return out, "multipart/form-data; boundary=" + bd


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP////////////////////////////////////////////////////////////"
    "//////////////////////////////////////////////wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAAA//EAB"
    "QQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AN//Z")


# ------------------------------------------------------------------ the audit context

class Ctx:
    def __init__(self, env):
        self.env = env
        self.db = env.new_db()
        self.srv = env.start_server(db=self.db, args=SERVER_ARGS)
        self.clients = {}
        self.psql = None
        self.state = None
        self.problems = []
        self.count = 0

    def client(self, role=None, tenant=T):
        key = (role, tenant)
        if key not in self.clients:
            c = self.srv.client()
            if role:
                c.login(tenant, role)
                self.state = None       # a sign-in is audited
            self.clients[key] = c
        return self.clients[key]

    def csrf(self, role, tenant=T):
        return self.client(role, tenant).session_csrf(tenant)

    def sigap(self, args, input=None):
        """A command on the audit's database (the data changes: probe again)."""
        self.state = None
        return check_sigap(args, db=self.db, input=input)

    def user(self, role="warga", unit=None, tenant=T):
        """A new user of the role, signed in; its name."""
        u = unique("mu")
        self.sigap(["user", "add", "--tenant", tenant, "--username", u, "--name", "Pengguna Mutasi", "--role", role]
                   + (["--unit", unit] if unit else []), input=DEMO_PASSWORD + "\n")
        c = self.srv.client()
        c.login(tenant, u)
        self.clients[(u, tenant)] = c
        return u

    def probe(self):
        if self.db.backend == "sqlite":
            return str(self.db.sql(PROBE)[0][0])
        # one psql for every probe (a new one per probe would double the run's time)
        if self.psql is None or self.psql.poll() is not None:
            self.psql = subprocess.Popen(["psql", "-X", "-q", "-tA", self.db.pg_base], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            self.psql.stdin.write("SET search_path TO %s;\n" % self.db.schema)
        self.psql.stdin.write(PROBE + ";\n\\echo __end__\n")
        self.psql.stdin.flush()
        out = []
        while True:
            line = self.psql.stdout.readline()
            assert line, "psql ended: %s" % out
            if line.strip() == "__end__":
                break
            out.append(line.strip())
        assert len(out) == 1 and ":" in out[0], out
        return out[0]

    # -- one request, checked
    def send(self, c, method, path, body=None, ctype=None, headers=None):
        h = dict(headers or {})
        if ctype:
            h["Content-Type"] = ctype
        before = self.state if self.state is not None else self.probe()
        r = c.request(method, path, body=body, headers=h)
        self.count += 1
        return r, before

    def check(self, case, r, before, lang="id", refused_ok=True, html_case=False, c=None):
        """Checks one answer; records a problem (returns it) instead of stopping at the first."""
        where = "%s [%s]: %s" % (case, lang, r.describe())
        if os.environ.get("MUT_STATS"):
            with open(os.environ["MUT_STATS"], "a") as f:
                f.write("%s\t%s\t%d\t%s\n" % (case, lang, r.status, message_of(r)[:100] if r.status >= 400 else
                                               r.header("location") or ""))
        probs = []
        if r.status >= 500:
            probs.append("%s: a %d: %s" % (where, r.status, r.text[:300]))
        if not self.srv.alive:
            probs.append("%s: the server died: %s" % (where, self.srv.log_text()[-1500:]))
            self.problems.extend(probs)
            raise AssertionError("\n".join(self.problems))
        if SCRIPT_RAW in r.body:
            probs.append("%s: the script payload came back unescaped" % where)
        if 400 <= r.status < 500:
            msg = message_of(r)
            if not msg:
                probs.append("%s: no message: %s" % (where, r.text[:300]))
            elif RAW_RE.search(msg):
                probs.append("%s: a raw error message: %r" % (where, msg))
            after = self.probe()
            if after != before:
                probs.append("%s: refused, yet the data changed: %s -> %s" % (where, before, after))
            self.state = after
        else:
            self.state = None
            if html_case and r.status in (301, 302, 303) and c is not None:
                loc = r.header("location") or ""
                if loc.startswith("/"):
                    g = c.get(loc)
                    if SCRIPT_RAW in g.body:
                        probs.append("%s: the script payload is unescaped on %s" % (where, loc))
        self.problems.extend(probs)
        return probs

    def done(self):
        if self.psql is not None:
            self.psql.stdin.close()
            self.psql.wait(10)
            self.psql = None
        assert not self.problems, "%d problem(s) in %d requests:\n%s" % (
            len(self.problems), self.count, "\n".join(self.problems[:60]))


def ctx_of(env):
    if getattr(env, "_mut_ctx", None) is None or not env._mut_ctx.srv.alive:
        env._mut_ctx = Ctx(env)
    env._mut_ctx.problems = []
    env._mut_ctx.state = None
    return env._mut_ctx


# ------------------------------------------------------------------ the engines

def audit_form(ctx, name, role, page, action, pick=None, override=None, files=None, refresh=None,
               extra=None, skip=(), only=None, tenant=T, muts=None, lang_cases=4, check_version=True):
    """Mutates each field of one HTML form in turn. page/action may be
    callables of ctx (for objects made by refresh()); override sets fields
    to good values (callables are called per request, for unique values);
    refresh() (if given) is called first and after each accepted request,
    to bring the object back to a state where the form applies. With
    check_version, a form whose version field holds a number must refuse
    any other value but none (absent or empty: a hand-made post)."""
    c = ctx.client(role, tenant)
    state = {}

    def fresh():
        if refresh:
            state["obj"] = refresh(ctx)
        if role is None:
            c.cookies.clear()       # an anonymous visitor stays one (a registration signs in)
        p = page(state.get("obj")) if callable(page) else page
        a = action(state.get("obj")) if callable(action) else action
        pg = c.get(p)
        assert pg.status == 200, "%s: %s" % (name, pg.describe())
        f = find_form(pg, a, pick)
        fields = list(f["fields"])
        for k, v in (override or {}).items():
            v = v(state.get("obj")) if callable(v) else v
            fields = [(n, x) for n, x in fields if n != k]
            if v is not None:
                fields.append((k, v))
        state["base"], state["action"] = fields, a
        state["versioned"] = check_version and any(n in ("version", "row_version") and str(v).isdigit() for n, v in fields)
        state["mp"] = f["enctype"] == "multipart/form-data"
        state["files"] = files(state.get("obj")) if callable(files) else (files or [])

    def body_of(fields):
        if state["mp"]:
            return encode_multipart(fields, state["files"])
        return encode_form(fields), "application/x-www-form-urlencoded"

    def one(field, mname, mval, lang="id"):
        base = state["base"]
        fields = []
        for n, v in base:
            if n != field:
                fields.append((n, v))
            elif mval is DROP:
                continue
            elif mval is DUP:
                fields.append((n, v))
                fields.append((n, "zz-other"))
            else:
                fields.append((n, mval))
        if field not in [n for n, _ in base] and mval not in (DROP, DUP):
            fields.append((field, mval))
        body, ct = body_of(fields)
        if lang == "en":
            c.cookies["lang"] = "en"
        try:
            r, before = ctx.send(c, "POST", state["action"], body, ct)
        finally:
            c.cookies.pop("lang", None)
        probs = ctx.check("%s %s=%s" % (name, field, mname), r, before, lang=lang, html_case=mname == "html", c=c)
        if r.status < 400 and field in ("version", "row_version") and state["versioned"] and \
                mname not in ("missing", "empty", "dup"):
            probs.append("%s %s=%s: taken with a version that is not the current one (%d)" % (name, field, mname,
                                                                                           r.status))
            ctx.problems.append(probs[-1])
        if r.status < 400 and not probs:
            fresh()
        return r

    t0, n0 = time.time(), ctx.count
    fresh()
    field_names = [n for n, _ in state["base"]]
    for n in (extra or {}):
        if n not in field_names:
            field_names.append(n)
    refused = {}
    for field in field_names:
        if field in skip or (only and field not in only):
            continue
        ms = list(muts or MUTATIONS)
        if field == "_csrf":
            ms = [("missing", DROP), ("empty", b""), ("wrong", b"0" * 128), ("10k", b"A" * 10000), ("nul", b"a\x00b")]
        if field in ("version", "row_version"):
            v = dict(state["base"]).get(field, "")
            if v.isdigit():
                ms.append(("stale", str(int(v) - 1).encode()))
                ms.append(("ahead", str(int(v) + 1).encode()))
        for ev in (extra or {}).get(field, []):
            ms.append(("value %r" % ev[:40], ev))
        for mname, mval in ms:
            r = one(field, mname, mval)
            if 400 <= r.status < 500 and message_of(r):
                refused.setdefault(message_of(r), (field, mname, mval, r.status))
    # the same refusals in English: another message than the Indonesian one
    for msg, (field, mname, mval, status) in list(refused.items())[:lang_cases]:
        r = one(field, mname, mval, lang="en")
        if r.status == status and message_of(r) == msg and re.search(r"[a-z]{3}", msg):
            ctx.problems.append("%s %s=%s [en]: the message is not in English: %r" % (name, field, mname, msg))
    if os.environ.get("MUT_TIMING"):
        print("      %-40s %4d requests %6.2fs" % (name, ctx.count - n0, time.time() - t0))
    return state


def jraw(obj_items):
    """A JSON object from (key, raw JSON text) pairs, raw as given."""
    return b"{" + b",".join(json.dumps(k).encode() + b":" + v for k, v in obj_items) + b"}"


JSON_MUTATIONS = [("missing", DROP), ("empty", b'""'), ("10k", b'"' + b"A" * 10000 + b'"'),
                  ("1M", b'"' + b"A" * 1000000 + b'"'), ("number", b"123"), ("letters", b'"abc"'),
                  ("negative", b"-1"), ("huge", b"99999999999999999999"), ("float", b"1.5"), ("nan", b"NaN"),
                  ("null", b"null"), ("array", b"[1]"), ("object", b'{"a":1}'), ("true", b"true"),
                  ("dup", DUP), ("badutf8", b'"ab\xff\xfe"'), ("nul", b'"a\\u0000b"'),
                  ("ctl", b'"a\\u0001\\u001bb"'), ("html", json.dumps(SCRIPT).encode())]


def audit_json(ctx, name, c, method, path, base, headers=None, refresh=None, lang_cases=4, skip=()):
    """Mutates each key of one JSON body in turn (base: dict, or callable of
    the refreshed object); refresh() as in audit_form."""
    state = {}

    def fresh():
        if refresh:
            state["obj"] = refresh(ctx)
        state["base"] = base(state.get("obj")) if callable(base) else dict(base)
        state["path"] = path(state.get("obj")) if callable(path) else path

    def one(key, mname, mval, lang="id"):
        items = []
        for k, v in state["base"].items():
            raw = json.dumps(v).encode()
            if k != key:
                items.append((k, raw))
            elif mval is DROP:
                continue
            elif mval is DUP:
                items.append((k, raw))
                items.append((k, b'"zz-other"'))
            else:
                items.append((k, mval))
        h = dict(headers(c) if callable(headers) else (headers or {}))
        if lang == "en":
            h["Accept-Language"] = "en"
            c.cookies["lang"] = "en"
        try:
            r, before = ctx.send(c, method, state["path"], jraw(items), "application/json", h)
        finally:
            c.cookies.pop("lang", None)
        probs = ctx.check("%s %s=%s" % (name, key, mname), r, before, lang=lang)
        if r.status < 400 and key in ("version", "row_version") and mname not in ("missing", "null", "dup", "empty"):
            probs.append("%s %s=%s: taken with a version that is not the current one (%d)" % (name, key, mname,
                                                                                           r.status))
            ctx.problems.append(probs[-1])
        if r.status < 400 and not probs:
            fresh()
        return r

    t0, n0 = time.time(), ctx.count
    fresh()
    refused = {}
    for key in list(state["base"]):
        if key in skip:
            continue
        for mname, mval in JSON_MUTATIONS:
            r = one(key, mname, mval)
            if 400 <= r.status < 500 and message_of(r):
                refused.setdefault(message_of(r), (key, mname, mval, r.status))
    for m in (b"", b"{", b"[]", b"null", b'"x"', b"{}", b"\xff", b"{\"a\":1}x"):
        h = dict(headers(c) if callable(headers) else (headers or {}))
        r, before = ctx.send(c, method, state["path"], m, "application/json", h)
        ctx.check("%s body=%r" % (name, m), r, before)
    for msg, (key, mname, mval, status) in list(refused.items())[:lang_cases]:
        r = one(key, mname, mval, lang="en")
        if r.status == status and message_of(r) == msg and re.search(r"[a-z]{3}", msg):
            ctx.problems.append("%s %s=%s [en]: the message is not in English: %r" % (name, key, mname, msg))
    if os.environ.get("MUT_TIMING"):
        print("      %-40s %4d requests %6.2fs" % (name, ctx.count - n0, time.time() - t0))


# ------------------------------------------------------------------ objects to act on

def csrf_header(role):
    def h(c):
        return {"X-CSRF-Token": c.session_csrf(T)}
    return h


def new_app(ctx):
    """An application of the demo warga to akta-kelahiran (handled by DISDUKCAPIL), state proses."""
    w = ctx.client("warga")
    r = w.post_json("/api/v1/t/%s/applications" % T, {
        "service": "akta-kelahiran",
        "values": {"nik_pemohon": "5271014101900001", "nama_bayi": "Lalu Ahmad", "tanggal_lahir": "2026-01-05",
                   "tempat_lahir": "Mataram", "jenis_kelamin": "Laki-laki"},
        "files": {"surat_lahir": {"filename": "skl.pdf", "content_base64": base64.b64encode(PDF).decode()},
                  "kk": {"filename": "kk.jpg", "content_base64": base64.b64encode(JPEG).decode()}}},
        headers={"X-CSRF-Token": w.session_csrf(T)})
    assert r.status == 201, r.describe() + r.text[:300]
    ctx.state = None
    return r.json()["id"]


def returned_app(ctx):
    """An application the petugas returned to the citizen (state dikembalikan)."""
    aid = new_app(ctx)
    p = ctx.client("petugas")
    v = p.get("/api/v1/t/%s/applications/%d" % (T, aid)).json()["version"]
    p.post_json("/api/v1/t/%s/applications/%d/actions" % (T, aid), {"op": "return", "text": "Buram", "version": v},
                headers={"X-CSRF-Token": p.session_csrf(T)}).expect(200)
    return aid


def new_complaint(ctx, role="warga"):
    """A complaint filed on the web form (state baru); returns its id."""
    c = ctx.client(role)
    if not getattr(ctx, "manual_routing", False):
        # left to the coordinator (the router would send it straight to an OPD)
        k = ctx.client("koordinator")
        s = "/t/%s/pengaduan/pengaturan" % T
        f = [(n, v) for n, v in find_form(k.get(s).expect(200), s, {"verify_days": None})["fields"] if n != "auto_route"]
        k.post_form(s, f).expect(303)
        ctx.manual_routing = True
    page = c.get("/t/%s/pengaduan/baru" % T).expect(200)
    body, ct = encode_multipart([("_csrf", page.csrf()), ("kind", "pengaduan"), ("title", "Lampu jalan mati"),
                                 ("description", "Lampu jalan di depan masjid mati sejak minggu lalu"),
                                 ("category", "pju"), ("kelurahan", ""), ("address", "Jl. Uji Mutasi 1"),
                                 ("lat", ""), ("long", ""), ("identity", "terbuka"), ("name", ""), ("email", ""),
                                 ("phone", "")])
    r = c.request("POST", "/t/%s/pengaduan/baru" % T, body=body, headers={"Content-Type": ct})
    assert r.status in (200, 303), r.describe() + r.text[:500]
    ctx.state = None
    rows = ctx.db.sql("SELECT max(id) FROM complaints WHERE tenant = '%s'" % T)
    return int(rows[0][0])


def ensure_key(c):
    page = c.get("/t/%s/kunci-tanda-tangan" % T).expect(200)
    if 'name="confirm"' in page.text:
        c.post_form("/t/%s/kunci-tanda-tangan" % T, {"_csrf": page.csrf(), "passphrase": DEMO_PASSWORD,
                                                     "confirm": DEMO_PASSWORD}).expect(200)


def new_proposal(ctx, submit=False):
    k = ctx.client("kepala_opd")
    r = k.post_form("/t/%s/usulan" % T, {"_csrf": k.session_csrf(T), "kind": "telaahan", "title": "Usulan mutasi",
                                         "background": "Antrean panjang", "analysis": "Data", "options": "1. A",
                                         "proposed": "Memperpanjang jam layanan", "urgency": "segera",
                                         "is_public": "1"}).expect(303)
    pid = int(r.header("location").rsplit("/", 1)[1])
    if submit:
        ensure_key(k)
        k.post_form("/t/%s/usulan/%d/tindakan" % (T, pid), {"_csrf": k.session_csrf(T), "action": "ajukan",
                                                          "passphrase": DEMO_PASSWORD}).expect(303)
    ctx.state = None
    return pid


# ------------------------------------------------------------------ the tests: foundation

def test_sign_in_register_and_recover_forms(env):
    ctx = ctx_of(env)
    user = ctx.user()
    anon = "/t/%s/masuk" % T
    audit_form(ctx, "login", None, anon, anon, override={"username": user, "password": "salah-sandi"},
               muts=[m for m in MUTATIONS if m[0] != "1M"])
    audit_form(ctx, "register", None, "/t/%s/daftar" % T, "/t/%s/daftar" % T,
               override={"full_name": "Warga Mutasi", "username": lambda o: unique("mr"), "phone": "",
                         "email": "", "password": "kata-sandi-uji-1", "confirm": "kata-sandi-uji-1"},
               only=("_csrf", "full_name", "username", "phone", "email", "confirm", "next"))
    audit_form(ctx, "recover", None, "/t/%s/lupa-sandi" % T, "/t/%s/lupa-sandi" % T, override={"who": user})
    ctx.done()


def test_account_forms(env):
    ctx = ctx_of(env)
    user = ctx.user()
    # a wrong old password keeps every other mutation from changing the password
    audit_form(ctx, "password", user, "/t/%s/akun/sandi" % T, "/t/%s/akun/sandi" % T,
               override={"old": "bukan-sandi-lama", "new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-1"},
               muts=[m for m in MUTATIONS if m[0] != "1M"])
    audit_form(ctx, "2fa setup", user, "/t/%s/akun/dua-langkah" % T, "/t/%s/akun/dua-langkah" % T,
               override={"code": "123456"})
    uid = int(ctx.db.sql("SELECT id FROM users WHERE tenant = '%s' AND username = '%s'" % (T, user))[0][0])

    def note(ctx):
        """A new notification for the user (the form is there while one is unseen)."""
        note.n = getattr(note, "n", 0) + 1
        ctx.db.sql("INSERT INTO notifications (tenant, user_id, kind, object, message, created_at) VALUES "
                   "('%s', %d, 'services', 'x', 'Pemberitahuan uji', %d)" % (T, uid, int(time.time()) + note.n))
        ctx.state = None
    audit_form(ctx, "notifications seen", user, "/t/%s/dasbor" % T, "/t/%s/dasbor/dibaca" % T, refresh=note)
    ctx.done()


def test_admin_forms(env):
    ctx = ctx_of(env)
    base = "/t/%s/admin" % T
    audit_form(ctx, "user add", "admin", base + "/pengguna", base + "/pengguna",
               override={"username": lambda o: unique("ma"), "full_name": "Pegawai Mutasi", "role": "petugas",
                         "unit": "DLH", "password": "kata-sandi-uji-1"},
               extra={"unit": [b"DLHK"]},
               muts=[m for m in MUTATIONS if m[0] != "1M"])

    def target(ctx):
        u = unique("mt")
        ctx.sigap(["user", "add", "--tenant", T, "--username", u, "--name", "Target Mutasi", "--role", "petugas",
                   "--unit", "DLH"], input=DEMO_PASSWORD + "\n")
        return u
    page = lambda u: base + "/pengguna/" + u
    audit_form(ctx, "user role", "admin", page, lambda u: page(u) + "/peran", refresh=target,
               override={"role": "petugas", "unit": "DISDUKCAPIL"}, extra={"unit": [b"DLHK"]})
    audit_form(ctx, "user password", "admin", page, lambda u: page(u) + "/sandi", refresh=target,
               override={"new": "kata-sandi-baru-1", "confirm": "kata-sandi-baru-1"},
               muts=[m for m in MUTATIONS if m[0] != "1M"])
    audit_form(ctx, "user status", "admin", lambda u: page(u) + "/status", lambda u: page(u) + "/status",
               refresh=target)
    audit_form(ctx, "unit add", "admin", base + "/opd", base + "/opd",
               override={"code": lambda o: "M" + uuid.uuid4().hex[:6].upper(), "name": "Dinas Mutasi"})
    audit_form(ctx, "unit edit", "admin", base + "/opd/DLH", base + "/opd/DLH",
               override={"name": "Dinas Lingkungan Hidup"})
    audit_form(ctx, "api key", "admin", base + "/kunci-api", base + "/kunci-api",
               override={"name": lambda o: unique("k"), "role": "petugas", "unit": "DLH", "rate": "60"},
               extra={"unit": [b"DLHK"]})

    def key(ctx):
        return ctx.sigap(["apikey", "create", "--tenant", T, "--name", unique("kr"), "--role", "warga"]
                         ).stdout.strip().split("_")[1]
    audit_form(ctx, "api key revoke", "admin", lambda p: base + "/kunci-api/%s/cabut" % p,
               lambda p: base + "/kunci-api/%s/cabut" % p, refresh=key)

    def no_webhooks(ctx):
        # accepted ones would reach the tenant's limit of 10 and hide the checks behind it
        ctx.db.sql("DELETE FROM webhooks WHERE tenant = '%s'" % T)
        ctx.state = None
    # a public literal address: checked without a lookup, never delivered to (no sweeps)
    audit_form(ctx, "webhook add", "admin", base + "/webhook", base + "/webhook", refresh=no_webhooks,
               override={"url": "https://93.184.216.34/sigap-hook"})

    def webhook(ctx):
        ctx.db.sql("INSERT INTO webhooks (tenant, url, kinds, secret, created_at, created_by) VALUES "
                   "('%s', 'https://93.184.216.34/x', 1, 'whsec_uji', %d, 'admin')" % (T, time.time()))
        ctx.state = None
        return int(ctx.db.sql("SELECT max(id) FROM webhooks WHERE tenant = '%s'" % T)[0][0])
    audit_form(ctx, "webhook remove", "admin", lambda i: base + "/webhook/%d/hapus" % i,
               lambda i: base + "/webhook/%d/hapus" % i, refresh=webhook)
    audit_form(ctx, "holiday add", "admin", base + "/hari-libur", base + "/hari-libur",
               override={"date": lambda o: "2027-%02d-%02d" % (1 + uuid.uuid4().int % 12, 1 + uuid.uuid4().int % 28),
                         "name": "Libur Mutasi"})
    ctx.done()


def test_complaint_forms(env):
    ctx = ctx_of(env)
    audit_form(ctx, "complaint new", "warga", "/t/%s/pengaduan/baru" % T, "/t/%s/pengaduan/baru" % T,
               override={"title": "Lampu jalan mati", "description": "Lampu jalan di depan masjid mati sejak lama",
                         "category": "pju", "address": "Jl. Uji Mutasi 2", "identity": "terbuka", "lat": "-8.58",
                         "long": "116.1"})
    audit_form(ctx, "complaint new (anonymous visitor)", None, "/t/%s/pengaduan/baru" % T,
               "/t/%s/pengaduan/baru" % T,
               override={"title": "Lampu jalan mati", "description": "Lampu jalan di depan masjid mati sejak lama",
                         "category": "pju", "address": "Jl. Uji Mutasi 3", "identity": "anonim"},
               only=("identity", "name", "email", "phone", "kind", "kelurahan"))
    s = "/t/%s/pengaduan/pengaturan" % T
    audit_form(ctx, "complaint settings", "koordinator", s, s, pick={"verify_days": None})
    audit_form(ctx, "complaint category", "koordinator", s, s, pick={"#id": "cpl-category"},
               override={"code": lambda o: "m" + uuid.uuid4().hex[:8], "name": "Kategori Mutasi", "unit": "DLH"},
               extra={"unit": [b"DLHK"]})
    d = lambda i: "/t/%s/pengaduan/%d" % (T, i)
    audit_form(ctx, "complaint verify", "koordinator", d, lambda i: d(i) + "/aksi", pick={"aksi": "verifikasi"},
               refresh=new_complaint, override={"unit": "DLH", "text": "Diteruskan"},
               extra={"unit": [b"DLHK"]})
    ctx.done()


def complaint_act(ctx, cid, role, aksi, **fields):
    c = ctx.client(role)
    page = c.get("/t/%s/pengaduan/%d" % (T, cid)).expect(200)
    f = dict(find_form(page, "/t/%s/pengaduan/%d/aksi" % (T, cid), {"aksi": aksi})["fields"])
    f.update(fields)
    r = c.post_form("/t/%s/pengaduan/%d/aksi" % (T, cid), f)
    assert r.status in (200, 303), r.describe() + r.text[:500]
    ctx.state = None


def routed_complaint(ctx):
    cid = new_complaint(ctx)
    complaint_act(ctx, cid, "koordinator", "verifikasi", unit="DISDUKCAPIL", text="Diteruskan")
    return cid


def answered_complaint(ctx):
    cid = routed_complaint(ctx)
    complaint_act(ctx, cid, "koordinator", "jawab", text="Sudah diperbaiki")
    return cid


def test_complaint_actions_of_each_role(env):
    ctx = ctx_of(env)
    d = lambda i: "/t/%s/pengaduan/%d" % (T, i)
    for role, make in (("koordinator", new_complaint), ("koordinator", routed_complaint), ("petugas", routed_complaint),
                       ("warga", answered_complaint)):
        page = ctx.client(role).get(d(make(ctx))).expect(200)
        acts = sorted(set(re.findall(r'name="aksi" value="([a-z_]+)"', page.text)))
        assert acts or role == "petugas", (role, make.__name__, page.text[:2000])
        for a in acts:
            audit_form(ctx, "complaint %s by %s" % (a, role), role, d, lambda i: d(i) + "/aksi", pick={"aksi": a},
                       refresh=make, extra={"merge_into": [b"1", b"99999"], "unit": [b"DLHK"]},
                       override={"text": "Catatan uji"} if a != "nilai" else {"rating": "4"}, lang_cases=2,
                       check_version=a != "balas")     # a reply is added whatever changed meanwhile
    ctx.done()


def test_open311_post(env):
    ctx = ctx_of(env)
    key = ctx.sigap(["apikey", "create", "--tenant", T, "--name", unique("o3"), "--role", "warga"]).stdout.strip()
    c = ctx.srv.client()
    base = [("api_key", key), ("jurisdiction_id", T), ("service_code", "pju"),
            ("description", "Lampu jalan mati di depan sekolah"), ("address_string", "Jl. Open311 1"),
            ("lat", "-8.58"), ("long", "116.1"), ("email", "a@example.org"), ("first_name", "Ani"),
            ("last_name", "B"), ("phone", "0812")]
    for field in [n for n, _ in base]:
        for mname, mval in MUTATIONS:
            fields = []
            for n, v in base:
                if n != field:
                    fields.append((n, v))
                elif mval is DUP:
                    fields += [(n, v), (n, "zz-other")]
                elif mval is not DROP:
                    fields.append((n, mval))
            for lang in ("id",) if mname not in ("empty", "letters") else ("id", "en"):
                h = {"Accept-Language": "en"} if lang == "en" else {}
                r, before = ctx.send(c, "POST", "/open311/v2/requests.json", encode_form(fields),
                                     "application/x-www-form-urlencoded", h)
                ctx.check("open311 %s=%s" % (field, mname), r, before, lang=lang)
    ctx.done()


# ------------------------------------------------------------------ services

def test_services_forms(env):
    ctx = ctx_of(env)
    a = "/t/%s/admin/layanan" % T
    audit_form(ctx, "service new", "admin", a + "/baru", a + "/baru",
               override={"code": lambda o: "m" + uuid.uuid4().hex[:8], "name": "Layanan Mutasi", "unit": "DLH"},
               extra={"unit": [b"DLHK"]}, only=None)
    audit_form(ctx, "service edit", "admin", a + "/sktm", a + "/sktm", extra={"unit": [b"DLHK"]})
    ap = "/t/%s/layanan/akta-kelahiran/ajukan" % T
    audit_form(ctx, "apply", "warga", ap, ap,
               override={"nik": "5271014101900001", "nik_pemohon": "5271014101900001", "nama_bayi": "Lalu Ahmad",
                         "tanggal_lahir": "2026-01-05", "tempat_lahir": "Mataram", "jenis_kelamin": "Laki-laki",
                         "_nonce": lambda o: uuid.uuid4().hex},
               files=[("surat_lahir", "skl.pdf", PDF, "application/pdf"), ("kk", "kk.jpg", JPEG, "image/jpeg")])
    ctx.done()


def test_application_actions(env):
    ctx = ctx_of(env)
    p = lambda i: "/t/%s/permohonan/%d" % (T, i)
    page = ctx.client("petugas").get(p(new_app(ctx))).expect(200)
    ops = sorted(set(re.findall(r'name="op" value="([a-z_]+)"', page.text)))
    assert ops, page.text[:2000]
    for op in ops:
        audit_form(ctx, "application %s" % op, "petugas", p, lambda i: p(i) + "/aksi", pick={"op": op},
                   refresh=new_app, override=dict({"text": "Catatan uji"}, **({"yakin": "1"} if op == "reject" else {})),
                   extra={"text": [b"DLHK"]}, lang_cases=2)
    audit_form(ctx, "application result", "petugas", p, lambda i: p(i) + "/hasil", pick={"text": None},
               refresh=new_app, override={"text": "Hasil uji"})
    audit_form(ctx, "application cancel", "warga", p, lambda i: p(i) + "/aksi", pick={"op": "cancel"},
               refresh=new_app, override={"yakin": "1"})
    audit_form(ctx, "application resubmit", "warga", p, lambda i: p(i) + "/perbaiki", refresh=returned_app,
               lang_cases=2)
    ctx.done()


def test_services_json(env):
    ctx = ctx_of(env)
    ad = ctx.client("admin")
    form = find_form(ad.get("/t/%s/admin/layanan/sktm" % T).expect(200), "/t/%s/admin/layanan/sktm" % T)
    f = dict(form["fields"])
    svc = {"code": "x", "unit": "DLH", "name": "Layanan JSON", "category": "Sosial", "summary": "Ringkas",
           "requirements": ["KTP"], "procedure": ["Datang"], "sla_days": 3, "fee": 0, "product": "Surat",
           "complaints": "Lapor", "legal_basis": ["Perda"], "form": f.get("form_text", ""),
           "steps": f.get("steps_text", "")}
    audit_json(ctx, "api service create", ad, "POST", "/api/v1/t/%s/services" % T,
               lambda o: dict(svc, code="j" + uuid.uuid4().hex[:8]), headers=csrf_header("admin"))
    audit_json(ctx, "api service update", ad, "PUT", "/api/v1/t/%s/services/sktm" % T,
               lambda o: dict(svc, code="sktm", unit="DINSOS",
                              row_version=ad.get("/api/v1/t/%s/services/sktm" % T).json().get("row_version", 1)),
               headers=csrf_header("admin"))
    w = ctx.client("warga")
    audit_json(ctx, "api apply", w, "POST", "/api/v1/t/%s/applications" % T,
               lambda o: {"service": "akta-kelahiran", "nonce": uuid.uuid4().hex,
                          "values": {"nik_pemohon": "5271014101900001", "nama_bayi": "Lalu Ahmad",
                                     "tanggal_lahir": "2026-01-05", "tempat_lahir": "Mataram",
                                     "jenis_kelamin": "Laki-laki"},
                          "files": {"surat_lahir": {"filename": "skl.pdf",
                                                    "content_base64": base64.b64encode(PDF).decode()},
                                    "kk": {"filename": "kk.jpg", "content_base64": base64.b64encode(JPEG).decode()}}},
               headers=csrf_header("warga"), skip=("nonce",))
    pt = ctx.client("petugas")
    for op, text in (("return", "Buram"), ("advance", None), ("reject", "Tidak lengkap"), ("assign", "petugas"),
                     ("transfer", "DPUPR"), ("note", "Catatan")):
        def body(aid, op=op, text=text):
            v = pt.get("/api/v1/t/%s/applications/%d" % (T, aid)).json()["version"]
            out = {"op": op, "version": v}
            if text:
                out["text"] = text
            return out
        audit_json(ctx, "api action %s" % op, pt, "POST",
                   lambda aid: "/api/v1/t/%s/applications/%d/actions" % (T, aid), body,
                   headers=csrf_header("petugas"), refresh=new_app, lang_cases=2)
    ctx.done()


# ------------------------------------------------------------------ governance and performance

def test_governance_forms(env):
    ctx = ctx_of(env)
    u = "/t/%s/usulan" % T
    audit_form(ctx, "proposal new", "kepala_opd", u + "/baru", u,
               override={"title": "Usulan Mutasi", "background": "Latar", "proposed": "Usul"},
               check_version=False)    # a new proposal has no version to check
    audit_form(ctx, "proposal edit", "kepala_opd", lambda i: "%s/%d/ubah" % (u, i), lambda i: "%s/%d/ubah" % (u, i),
               refresh=lambda ctx: new_proposal(ctx), lang_cases=2)
    k = ctx.client("kepala_opd")
    ensure_key(k)
    audit_form(ctx, "proposal submit", "kepala_opd", lambda i: "%s/%d" % (u, i), lambda i: "%s/%d/tindakan" % (u, i),
               pick={"action": "ajukan"}, refresh=lambda ctx: new_proposal(ctx),
               override={"passphrase": DEMO_PASSWORD}, lang_cases=2)
    s = ctx.client("sekda")
    ensure_key(s)
    audit_form(ctx, "proposal advice", "sekda", lambda i: "%s/%d" % (u, i), lambda i: "%s/%d/tindakan" % (u, i),
               pick={"#id": "form-saran"}, refresh=lambda ctx: new_proposal(ctx, submit=True),
               override={"passphrase": DEMO_PASSWORD, "verdict": "setuju", "note": "Catatan"}, lang_cases=2)
    audit_form(ctx, "proposal attachment", "kepala_opd", lambda i: "%s/%d" % (u, i),
               lambda i: "%s/%d/lampiran" % (u, i), refresh=lambda ctx: new_proposal(ctx),
               files=[("file", "a.pdf", PDF, "application/pdf")], lang_cases=2)
    who = ctx.user("kepala_opd", "DLH")
    kk = "/t/%s/kunci-tanda-tangan" % T
    audit_form(ctx, "signing key", who, kk, kk, override={"passphrase": "abc", "confirm": "abd"},
               muts=[m for m in MUTATIONS if m[0] != "1M"])
    pk = "/t/%s/pokir" % T
    audit_form(ctx, "pokir", "dprd", pk, pk, override={"unit": "DLH", "title": "Pokir Mutasi", "background": "Latar",
                                                       "proposed": "Usul"}, extra={"unit": [b"DLHK"]})
    kc = ctx.client("kepala_opd")
    audit_json(ctx, "api proposal new", kc, "POST", "/api/v1/t/%s/usulan" % T,
               {"kind": "telaahan", "title": "Usulan JSON", "background": "Latar", "urgency": "segera",
                "is_public": True, "needs_dprd": False, "proposed": "Usul"}, headers=csrf_header("kepala_opd"))
    audit_json(ctx, "api proposal submit", kc, "POST", lambda i: "/api/v1/t/%s/usulan/%d/tindakan" % (T, i),
               lambda i: {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": 1},
               headers=csrf_header("kepala_opd"), refresh=lambda ctx: new_proposal(ctx), lang_cases=2)
    ctx.done()


def test_survey_and_nik(env):
    ctx = ctx_of(env)
    def invite(ctx):
        token = uuid.uuid4().hex * 2
        ctx.db.sql("INSERT INTO perf_survey_invites (tenant, token_hash, kind, item_id, unit, service, created, used)"
                   " VALUES ('%s', '%s', 1, 'MUT-%s', 'DISDUKCAPIL', 'KK', 1, 0)"
                   % (T, hashlib.sha256(token.encode()).hexdigest(), token[:8]))
        ctx.state = None
        return token
    sv = lambda t: "/t/%s/survei/%s" % (T, t)
    audit_form(ctx, "survey", None, sv, sv, refresh=invite, override={"u%d" % i: "4" for i in range(1, 10)},
               extra={"u1": [b"0", b"5"]})
    audit_json(ctx, "api nik", ctx.srv.client(), "POST", "/api/v1/nik/validate", {"nik": "5271014101900001"})
    ctx.done()


# ------------------------------------------------------------------ another tenant's objects

def test_other_tenants_objects(env):
    """A user of Provinsi NTB (52) posting the forms of Kota Mataram's (52.71)
    objects under its own tenant, and a Kota Mataram user posting under 52:
    refused with a message, nothing changed."""
    ctx = ctx_of(env)
    cid, aid, pid = new_complaint(ctx), new_app(ctx), new_proposal(ctx)
    cases = [("koordinator", "/pengaduan/%d/aksi" % cid, {"aksi": "verifikasi", "unit": "DLH", "version": "1"}),
             ("koordinator", "/pengaduan/%d/kunci" % cid, {"kunci": "x"}),
             ("petugas", "/permohonan/%d/aksi" % aid, {"op": "note", "text": "x"}),
             ("kepala_opd", "/usulan/%d/ubah" % pid, {"title": "x", "kind": "telaahan", "background": "x",
                                                      "proposed": "x", "urgency": "biasa", "version": "1"}),
             ("kepala_opd", "/usulan/%d/tindakan" % pid, {"action": "ajukan", "passphrase": DEMO_PASSWORD}),
             ("admin", "/admin/pengguna/%s/status" % ctx.user(), {"disabled": "1", "version": "1"}),
             ("admin", "/admin/opd/DLH", {"name": "x", "kind": "dinas"}),
             ("admin", "/admin/layanan/sktm", {"name": "x"})]
    for role, path, fields in cases:
        for tenant, login_tenant in ((TENANT2, TENANT2), (TENANT2, T)):
            c = ctx.client(role, login_tenant)
            f = dict(fields, _csrf=c.session_csrf(login_tenant))
            for lang in ("id", "en"):
                if lang == "en":
                    c.cookies["lang"] = "en"
                r, before = ctx.send(c, "POST", "/t/%s%s" % (tenant, path), encode_form(f.items()),
                                     "application/x-www-form-urlencoded")
                c.cookies.pop("lang", None)
                ctx.check("%s as %s of %s on %s" % (path, role, login_tenant, tenant), r, before, lang=lang)
                if r.status < 400:
                    ctx.problems.append("/t/%s%s as %s of %s: taken (%d)" % (tenant, path, role, login_tenant,
                                                                            r.status))
    ctx.done()


# ------------------------------------------------------------------ the bugs found, one test each

def test_json_refusals_in_plain_words(env):
    """A JSON body the parser refuses was answered with jansson's own English
    text ("\\u0000 is not allowed without JSON_ALLOW_NUL near ..."), a C
    flag's name shown to people, also to Indonesian readers."""
    ctx = ctx_of(env)
    c = ctx.srv.client()
    cases = [(b'{"nik":"a\\u0000b"}', "karakter NUL", "NUL character"),
             (b'{"nik":"ab\xff"}', "bukan UTF-8", "not valid UTF-8"),
             (b'{"nik":"1","nik":"2"}', "dua kali", "twice"),
             (b'{"nik":99999999999999999999}', "terlalu besar", "too large"),
             (b'{"nik":', "terpotong", "ends before"),
             (b'{"nik":NaN}', "penulisan salah", "not well-formed")]
    for body, words_id, words_en in cases:
        e = c.post_json("/api/v1/nik/validate", body).expect_json_error(400, code="invalid")
        assert e["message"].startswith("JSON tidak valid: ") and words_id in e["message"], (body, e)
        assert not RAW_RE.search(e["message"]) and "near" not in e["message"], (body, e)
        e = c.post_json("/api/v1/nik/validate", body, headers={"Accept-Language": "en"}).expect_json_error(400)
        assert e["message"].startswith("invalid JSON: ") and words_en in e["message"], (body, e)
    # good input is still read
    r = c.post_json("/api/v1/nik/validate", {"nik": "5271014101900001"}).expect(200)
    assert r.json()["valid"] in (True, False), r.text
    ctx.done()


def test_notifications_seen_mark_stops_at_the_newest(env):
    """POST /dasbor/dibaca took upto=99999999999999999999 (strtoll clamps it
    to the largest int64) and any number beyond the newest notification: the
    user's seen mark only grows, so every notification still to come was
    shown as seen, for good."""
    ctx = ctx_of(env)
    user = ctx.user()
    c = ctx.clients[(user, T)]
    uid = int(ctx.db.sql("SELECT id FROM users WHERE tenant = '%s' AND username = '%s'" % (T, user))[0][0])

    def note(msg):
        ctx.db.sql("INSERT INTO notifications (tenant, user_id, kind, object, message, created_at) VALUES "
                   "('%s', %d, 'services', 'x', '%s', %d)" % (T, uid, msg, int(time.time())))
        return int(ctx.db.sql("SELECT max(id) FROM notifications")[0][0])
    newest = note("Pemberitahuan pertama")
    page = c.get("/t/%s/dasbor" % T).expect(200, contains="Pemberitahuan pertama")
    form = find_form(page, "/t/%s/dasbor/dibaca" % T)
    assert dict(form["fields"])["upto"] == str(newest), form
    r = c.post_form("/t/%s/dasbor/dibaca" % T, {"_csrf": page.csrf(), "upto": "99999999999999999999"})
    r.expect(400, contains="penanda pemberitahuan tidak valid")
    # a number beyond the newest marks what there is, not what is to come
    c.post_form("/t/%s/dasbor/dibaca" % T, {"_csrf": page.csrf(), "upto": str(newest + 1000000)}).expect(303)
    page = c.get("/t/%s/dasbor" % T).expect(200)
    assert 'action="/t/%s/dasbor/dibaca"' % T not in page.text, "still unseen after marking"
    note("Pemberitahuan kedua")
    page = c.get("/t/%s/dasbor" % T).expect(200, contains="Pemberitahuan kedua")
    assert re.search(r'<li class="unseen"><time>[^<]*</time> <span class="badge">[^<]*</span> Pemberitahuan kedua',
                     page.text), "the new notification is shown as seen: " + page.text[:3000]
    find_form(page, "/t/%s/dasbor/dibaca" % T)
    ctx.done()


def test_proposal_version_that_is_no_number_is_refused(env):
    """A proposal's form (edit, act, attach) or the JSON API with a version
    that is not a positive number ("abc", "0", "1.5", a number beyond int64;
    in JSON also 1.5, and true read as 1) was taken as no version: the change went through
    unchecked, however stale the page. Now 409 as for a stale version (400
    for a JSON number with a fraction), nothing changed."""
    ctx = ctx_of(env)
    k = ctx.client("kepala_opd")
    ensure_key(k)
    u = "/t/%s/usulan" % T
    pid = new_proposal(ctx)
    page = k.get("%s/%d/ubah" % (u, pid)).expect(200)
    f = dict(find_form(page, "%s/%d/ubah" % (u, pid))["fields"])
    assert f["version"] == "1", f
    for bad in ("abc", "0", "1.5", "-1", "99999999999999999999", "1 "):
        before = ctx.probe()
        r = k.post_form("%s/%d/ubah" % (u, pid), dict(f, version=bad, title="Judul diubah tanpa versi"))
        r.expect(409, contains="data telah diubah orang lain")
        assert ctx.probe() == before, bad
        r = k.post_form("%s/%d/tindakan" % (u, pid), {"_csrf": f["_csrf"], "action": "ajukan", "version": bad,
                                                      "passphrase": DEMO_PASSWORD})
        r.expect(409, contains="data telah diubah orang lain")
        body, ct = encode_multipart([("_csrf", f["_csrf"]), ("version", bad)], [("file", "a.pdf", PDF, "application/pdf")])
        k.request("POST", "%s/%d/lampiran" % (u, pid), body=body, headers={"Content-Type": ct}).expect(409)
        assert ctx.probe() == before, bad
    h = {"X-CSRF-Token": f["_csrf"]}
    api = "/api/v1/t/%s/usulan/%d/tindakan" % (T, pid)
    k.post_json(api, {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": "abc"}, headers=h).expect_json_error(
        409)
    k.post_json(api, {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": 1.5}, headers=h).expect_json_error(
        400, code="invalid", message="kolom 'version' harus berupa teks, bilangan bulat, true atau false")
    k.post_json(api, {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": True}, headers=h).expect_json_error(
        400, code="invalid", message="kolom 'version' harus bilangan bulat")
    e = k.post_json(api, {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": [1]},
                    headers=dict(h, **{"Accept-Language": "en"})).expect_json_error(400)
    assert e["message"] == "field 'version' must be text, an integer, true or false", e
    assert [tuple(x) for x in ctx.db.sql("SELECT title, version FROM governance_proposals WHERE id = %d" % pid)] in (
        [("Usulan mutasi", 1)], [("Usulan mutasi", "1")])
    # good input: the current version, or none (a hand-made form), is taken
    k.post_form("%s/%d/ubah" % (u, pid), dict(f, title="Judul baru")).expect(303)
    k.post_json(api, {"action": "ajukan", "passphrase": DEMO_PASSWORD, "version": 2}, headers=h).expect(200)
    ctx.done()
