"""
harness.py: the helpers of the end-to-end tests of the real sigap binary.

It makes databases (a SQLite file, or a fresh schema in the PostgreSQL
database named by SIGAP_TEST_PG), runs `sigap` commands, starts and stops
`sigap serve` on a free port, and talks HTTP to it with a small client that
keeps cookies and never follows redirects. Only the Python 3 standard library
is used. The binary is $SIGAP_BIN (default build/sigap, relative to the
repository root).

Guarantees: every server and schema made through an Env is stopped or
dropped by Env.close(), even after a failed test; Server.stop() asserts that
the process left with exit code 0 after SIGTERM. Helpers raise
AssertionError (with the offending request and answer) on a wrong result.
"""
import datetime
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import urllib.parse
import zlib

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEMO_PASSWORD = "sigap-demo-2026"
ROLES = ("warga", "petugas", "admin_opd", "kepala_opd", "koordinator", "sekda", "wakil",
         "kepala_daerah", "dprd", "admin")
TENANT = "52.71"        # Kota Mataram
TENANT2 = "52"          # Provinsi NTB
WILAYAH_CSV = os.path.join(REPO, "data", "wilayah", "wilayah_kepmendagri_2025.csv")
HOLIDAYS_TSV = os.path.join(REPO, "data", "holidays", "id_holidays_2023_2027.tsv")


def sigap_bin():
    b = os.environ.get("SIGAP_BIN", "build/sigap")
    return b if os.path.isabs(b) else os.path.join(REPO, b)


# --------------------------------------------------------------- decorators

def backends(*names):
    """Runs the decorated test only on the named backends ('sqlite', 'pg')."""
    def mark(fn):
        fn.backends = names
        return fn
    return mark


def known_bug(description):
    """Marks a test that fails because of a server bug reported to the lead.
    It still runs and still counts as failed until the bug is fixed."""
    def mark(fn):
        fn.known_bug = description
        return fn
    return mark


# --------------------------------------------------------------- commands

def clean_env(extra=None):
    """The environment for sigap: ours without any SIGAP_* setting, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGAP_")}
    env.update(extra or {})
    return env


def run_sigap(args, db=None, input=None, env=None, timeout=120):
    """Runs `sigap ARGS [--db URL]` from the repository root; returns the
    subprocess.CompletedProcess (text stdout/stderr, returncode)."""
    cmd = [sigap_bin()] + list(args)
    if db is not None:
        cmd += ["--db", db.url if isinstance(db, Database) else db]
    return subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, cwd=REPO,
                          env=clean_env(env))


def check_sigap(args, db=None, input=None, env=None):
    """run_sigap that asserts exit code 0."""
    p = run_sigap(args, db=db, input=input, env=env)
    assert p.returncode == 0, "sigap %s: exit %d\nstdout: %s\nstderr: %s" % (
        " ".join(args), p.returncode, p.stdout, p.stderr)
    return p


def wait_for(pred, secs=20):
    """pred() until it is true (then its value) or secs pass (then its last value)."""
    end = time.time() + secs
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.2)
    return pred()


def local_today(offset_hours=8):
    """Today's date offset_hours east of UTC: 8 is WITA (Kota Mataram, NTB), 7 WIB (Jakarta)."""
    return (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=offset_hours)).date()


def on_one_day(fn, offset_hours=8):
    """fn()'s value; fn() once more if it failed while the day changed (local midnight, offset_hours
    east of UTC, passed while it ran): a test that takes "today" for every date it makes and reads
    cannot hold across midnight, whatever the server does. The day cannot change twice."""
    day = local_today(offset_hours)
    try:
        return fn()
    except AssertionError:
        if local_today(offset_hours) == day:
            raise
    return fn()


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --------------------------------------------------------------- databases

class Database:
    """One sigap database: a SQLite file (path) or a PostgreSQL schema."""

    def __init__(self, backend, url, path=None, pg_base=None, schema=None):
        self.backend, self.url, self.path, self.pg_base, self.schema = backend, url, path, pg_base, schema

    def sql(self, query, params=()):
        """Runs one SQL statement directly (not through sigap); returns the
        rows as tuples of strings (pg) or Python values (sqlite)."""
        if self.backend == "sqlite":
            con = sqlite3.connect(self.path, timeout=10)
            try:
                rows = con.execute(query, params).fetchall()
                con.commit()
                return rows
            finally:
                con.close()
        assert not params, "params are not supported with psql"
        p = subprocess.run(["psql", "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1", self.pg_base,
                            "-c", "SET search_path TO %s; %s" % (self.schema, query)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, "psql failed: %s" % p.stderr
        return [tuple(line.split("|")) for line in p.stdout.splitlines() if line]

    def drop(self):
        if self.backend == "pg":
            subprocess.run(["psql", "-X", "-q", self.pg_base, "-c",
                            "DROP SCHEMA IF EXISTS %s CASCADE" % self.schema],
                           capture_output=True, text=True, timeout=60)


def pg_schema_url(base, schema):
    return base + ("&" if "?" in base else "?") + "options=-csearch_path%3D" + schema


_counter = [0]
_counter_lock = threading.Lock()


def unique(prefix="x"):
    """prefix + process id + a counter: a name no other test or run uses
    (lower-case letters, digits and '_': fit for usernames and schemas)."""
    with _counter_lock:
        _counter[0] += 1
        return "%s%d_%d" % (prefix, os.getpid(), _counter[0])


# --------------------------------------------------------------- HTTP client

class Response:
    def __init__(self, method, path, status, reason, headers, body):
        self.method, self.path, self.status, self.reason = method, path, status, reason
        self.headers = headers          # list of (lower-case name, value)
        self.body = body                # bytes

    def header(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k == name:
                return v
        return None

    def header_all(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k == name]

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            raise AssertionError("%s: not JSON: %r" % (self.describe(), self.body[:300]))

    def csrf(self):
        """The _csrf value of the first form on the page."""
        m = re.search(r'name="_csrf" value="([0-9a-f]{128})"', self.text)
        assert m, "%s: no _csrf field in the page" % self.describe()
        return m.group(1)

    def describe(self):
        return "%s %s -> %d" % (self.method, self.path, self.status)

    def expect(self, status, contains=None, ctype=None):
        """Asserts the status (and a substring of the body, and the content
        type's start); returns self."""
        assert self.status == status, "%s, expected %d; body: %s" % (self.describe(), status, self.text[:600])
        if contains is not None:
            assert contains in self.text, "%s: %r not in body: %s" % (self.describe(), contains, self.text[:1500])
        if ctype is not None:
            got = self.header("content-type") or ""
            assert got.startswith(ctype), "%s: content-type %r, expected %r" % (self.describe(), got, ctype)
        return self

    def expect_json_error(self, status, code=None, message=None):
        """Asserts the API error shape {"error":{"code","message"}}; returns the error object."""
        self.expect(status, ctype="application/json")
        j = self.json()
        assert isinstance(j, dict) and set(j) == {"error"}, "%s: not an error object: %r" % (self.describe(), j)
        e = j["error"]
        assert isinstance(e.get("code"), str) and isinstance(e.get("message"), str) and e["message"], \
            "%s: bad error shape %r" % (self.describe(), j)
        if code is not None:
            assert e["code"] == code, "%s: error code %r, expected %r" % (self.describe(), e["code"], code)
        if message is not None:
            assert message in e["message"], "%s: message %r lacks %r" % (self.describe(), e["message"], message)
        return e


class Client:
    """An HTTP/1.1 client with a cookie jar that never follows redirects.
    With ip set, every request carries X-Forwarded-For: ip (the shared test
    server trusts it), so login failures of one test do not lock out others."""

    def __init__(self, port, host="127.0.0.1", ip=None, timeout=30):
        self.port, self.host, self.ip, self.timeout = port, host, ip, timeout
        self.cookies = {}
        self.set_cookie_lines = []

    def request(self, method, path, body=None, headers=None):
        hdrs = {}
        if self.cookies:
            hdrs["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.ip:
            hdrs["X-Forwarded-For"] = self.ip
        hdrs.update(headers or {})
        if isinstance(body, str):
            body = body.encode("utf-8")
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            resp = Response(method, path, r.status, r.reason, [(k.lower(), v) for k, v in r.getheaders()], data)
        finally:
            conn.close()
        for line in resp.header_all("set-cookie"):
            self.set_cookie_lines.append(line)
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if not value or re.search(r"(?i);\s*max-age=0(;|$)", line):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return resp

    def get(self, path, headers=None):
        return self.request("GET", path, headers=headers)

    def post_form(self, path, fields, headers=None):
        body = fields if isinstance(fields, (str, bytes)) else urllib.parse.urlencode(fields)
        h = {"Content-Type": "application/x-www-form-urlencoded"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h)

    def post_json(self, path, obj, headers=None):
        body = obj if isinstance(obj, (str, bytes)) else json.dumps(obj)
        h = {"Content-Type": "application/json"}
        h.update(headers or {})
        return self.request("POST", path, body=body, headers=h)

    def login(self, tenant, username, password=DEMO_PASSWORD, expect=303):
        """Fills in the login form of tenant; asserts the status (303 on
        success, with a session cookie) and returns the POST's response."""
        form = self.get("/t/%s/masuk" % tenant).expect(200)
        r = self.post_form("/t/%s/masuk" % tenant,
                           {"_csrf": form.csrf(), "username": username, "password": password})
        assert r.status == expect, "login %s/%s: %s, expected %d: %s" % (
            tenant, username, r.describe(), expect, r.text[:500])
        if expect == 303:
            assert r.header("location") == "/t/%s/dasbor" % tenant, r.header("location")
            assert "sigap_session" in self.cookies, "no session cookie after login"
        return r

    def session_csrf(self, tenant):
        """The session's CSRF token, read from the password form (every logged-in role has it)."""
        return self.get("/t/%s/akun/sandi" % tenant).expect(200).csrf()



def without_form_tokens(text):
    """text without the values of its forms' _csrf fields: 128 random hex digits, new on every page.
    For an assertion that some digits are NOT on a page: a given four digits are in a token about one
    time in 520 (and "3456" in a token is no phone number shown)."""
    return re.sub(r'(name="_csrf" value=")[0-9a-f]{128}"', r'\1"', text)


def pdf_text(data):
    """The text of a PDF's content streams (FlateDecode inflated, octal escapes such as \\057 decoded).

    A stream runs from the end of the "stream" line to "endstream"; the end-of-line libharu puts
    before "endstream" is left in and ignored by zlib, which stops at the end of its own data. (Matching
    an optional "\\r" before that end-of-line dropped a compressed stream's own last byte whenever it
    happened to be 0x0d, about one PDF in 130, and the text went missing.)"""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(m.group(1)))
        except zlib.error:
            out.append(m.group(1))
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), b"\n".join(out).decode("latin-1"))


def raw_request(port, data, timeout=10):
    """Sends raw bytes on a new connection; returns all bytes read until the
    server closes the connection or the timeout passes."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            out += chunk
    finally:
        s.close()
    return out


def raw_statuses(data):
    """The status codes of all HTTP responses in raw bytes."""
    return [int(m.group(1)) for m in re.finditer(rb"HTTP/1\.[01] (\d{3}) ", data)]


# --------------------------------------------------------------- server

class Server:
    """One `sigap serve` process on a free port of 127.0.0.1."""

    def __init__(self, db, logdir, args=(), env=None, trust_proxy=True):
        self.db, self.args, self.env, self.trust_proxy = db, list(args), env, trust_proxy
        self.log_path = os.path.join(logdir, unique("serve") + ".log")
        self.proc, self.port = None, None
        self._ips = 0

    def start(self, timeout=15):
        last = ""
        for _attempt in range(3):
            self.port = free_port()
            cmd = [sigap_bin(), "serve", "--db", self.db.url, "--listen", "127.0.0.1:%d" % self.port,
                   "--threads", "2", "--access-log", "",
                   # officials sign in with a password alone unless a test asks for
                   # two steps (later flags win: args may say --two-factor-roles officials)
                   "--two-factor-roles", "none",
                   # the demo warga files far more applications and complaints in one
                   # run than a citizen in an hour; the limits are still read on every
                   # filing (test_services.test_applications_limited_per_account sets 2,
                   # test_complaint_limits sets its own; with the default 10 complaints in
                   # 10 minutes a run that added one more test filing as warga on the
                   # shared server got 429s in test_submit_once)
                   "--application-limit-user", "1000",
                   "--complaint-limit-user", "1000"] + (["--trust-proxy", "1"] if self.trust_proxy else []) \
                + self.args
            self.log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
                                         env=clean_env(self.env))
            deadline = time.time() + timeout
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    if Client(self.port, timeout=2).get("/healthz").status == 200:
                        return self
                except OSError:
                    pass
                time.sleep(0.05)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.log.close()
            last = self.log_text()
            if "cannot listen" not in last:
                break
        raise AssertionError("sigap serve did not come up: %s" % last[-2000:])

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def client(self, ip=None):
        """A new client; on a proxy-trusting server it gets its own client address."""
        if ip is None and self.trust_proxy:
            self._ips += 1
            ip = "10.%d.%d.%d" % (os.getpid() % 250, (self._ips // 250) % 250, self._ips % 250 + 1)
        return Client(self.port, ip=ip)

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout=20, expect_rc=0):
        """SIGTERM, then waits; asserts the exit code. Returns the seconds it took."""
        if self.proc is None:
            return 0.0
        t0 = time.time()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise AssertionError("sigap serve did not stop within %ds of SIGTERM" % timeout)
        self.log.close()
        took = time.time() - t0
        self.proc = None
        if expect_rc is not None:
            assert rc == expect_rc, "sigap serve exited %d after SIGTERM, expected %d; log:\n%s" % (
                rc, expect_rc, self.log_text()[-2000:])
        return took

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None:
            self.log.close()
        self.proc = None


# --------------------------------------------------------------- environment

class Env:
    """What a test gets: one backend ('sqlite' or 'pg'), a shared server on a
    shared demo database (started on first use), and factories for fresh
    databases and extra servers, all cleaned up by close()."""

    def __init__(self, backend, pg_url=None, keep=False):
        assert backend in ("sqlite", "pg")
        assert backend == "sqlite" or pg_url, "the pg backend needs SIGAP_TEST_PG"
        self.backend, self.pg_url, self.keep = backend, pg_url, keep
        self.tmp = tempfile.mkdtemp(prefix="sigap-e2e-%s-" % backend)
        self._template_db = None    # the Database all others are copied from
        self._small_csv = None
        self._shared_db = None
        self._server = None
        self._servers = []
        self._dbs = []
        self._lock = threading.Lock()

    # -- databases
    def _pg_schema(self, schema=None):
        schema = schema or unique("e2e_")
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.pg_url, "-c",
                            "CREATE SCHEMA %s" % schema], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, "cannot create schema %s: %s" % (schema, p.stderr)
        db = Database("pg", pg_schema_url(self.pg_url, schema), pg_base=self.pg_url, schema=schema)
        self._dbs.append(db)
        return db

    def small_regions_csv(self):
        """A shorter region list for quick inits: every province and
        kabupaten/kota, and all levels of DKI Jakarta (31) and NTB (52).
        With SIGAP_E2E_FULL_REGIONS=1, the whole list of data/wilayah."""
        if os.environ.get("SIGAP_E2E_FULL_REGIONS") == "1":
            return WILAYAH_CSV
        if self._small_csv is None:
            path = os.path.join(self.tmp, "regions_small.csv")
            with open(WILAYAH_CSV, encoding="utf-8") as f, open(path, "w", encoding="utf-8") as out:
                for i, line in enumerate(f):
                    code = line.split(",", 1)[0]
                    if i == 0 or code.count(".") <= 1 or code.startswith(("31.", "52.")):
                        out.write(line)
            self._small_csv = path
        return self._small_csv

    def _template(self):
        """The initialised demo database all others are copied from (made once)."""
        with self._lock:
            if self._template_db is None:
                if self.backend == "sqlite":
                    db = Database("sqlite", os.path.join(self.tmp, "template.db"),
                                  path=os.path.join(self.tmp, "template.db"))
                else:
                    db = self._pg_schema(unique("e2etmpl_"))
                check_sigap(["init", "--demo", "--regions", self.small_regions_csv()], db=db)
                self._template_db = db
            return self._template_db

    def new_db(self, init=True):
        """A fresh database; with init, a copy of one `sigap init --demo`
        database (SQLite: a file copy; PostgreSQL: pg_dump of the template
        schema restored under a new name)."""
        if self.backend == "sqlite":
            path = os.path.join(self.tmp, unique("db") + ".db")
            if init:
                shutil.copyfile(self._template().path, path)
            return Database("sqlite", path, path=path)
        if not init:
            return self._pg_schema()
        tmpl = self._template()
        schema = unique("e2e_")
        dump = subprocess.run(["pg_dump", "--schema=" + tmpl.schema, "--no-owner", "--no-privileges", self.pg_url],
                              capture_output=True, text=True, timeout=120)
        assert dump.returncode == 0, "pg_dump failed: %s" % dump.stderr
        sql = re.sub(r"\b%s\b" % tmpl.schema, schema, dump.stdout)
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.pg_url], input=sql,
                           capture_output=True, text=True, timeout=120)
        db = Database("pg", pg_schema_url(self.pg_url, schema), pg_base=self.pg_url, schema=schema)
        self._dbs.append(db)
        assert p.returncode == 0, "restoring the template as %s failed: %s" % (schema, p.stderr[-1000:])
        return db

    @property
    def shared_db(self):
        """The database of the shared server: a copy of the demo template."""
        if self._shared_db is None:
            self._shared_db = self.new_db()
        return self._shared_db

    # -- servers
    @property
    def server(self):
        """The shared server (trusts X-Forwarded-For, see Client)."""
        if self._server is None or not self._server.alive:
            self._server = Server(self.shared_db, self.tmp)
            self._server.start()
        return self._server

    def start_server(self, db=None, args=(), env=None, trust_proxy=True):
        s = Server(db or self.shared_db, self.tmp, args=args, env=env, trust_proxy=trust_proxy)
        self._servers.append(s)
        return s.start()

    def client(self, ip=None):
        return self.server.client(ip)

    def sigap(self, args, db=None, input=None, env=None):
        return run_sigap(args, db=db, input=input, env=env)

    def close(self):
        """Stops the shared server (asserting exit 0 after SIGTERM) and
        everything else; drops the PostgreSQL schemas."""
        err = None
        try:
            if self._server is not None and self._server.alive:
                self._server.stop()
        except AssertionError as e:
            err = e
        finally:
            for s in self._servers:
                s.kill()
            if self._server is not None:
                self._server.kill()
            if not self.keep:
                for db in self._dbs:
                    db.drop()
                shutil.rmtree(self.tmp, ignore_errors=True)
        if err:
            raise err

    def server_logs(self):
        out = []
        for s in self._servers + ([self._server] if self._server else []):
            out.append(s.log_text())
        return "\n".join(out)
