"""
faults_util.py: helpers shared by the fault-tolerance tests of sigap
(tests/e2e/test_faults.py, tests/crash/crash.py, tests/scale/haproxy_test.py).

It adds to harness.py (which it imports and does not change):
  - PgCluster: a private PostgreSQL 15 cluster (started through
    scripts/pg-test-server.sh with its own DIR and PORT) that a test may stop,
    start, or kill -9 without disturbing the shared test cluster; it can also
    be a hot standby (read replica) of another one, and be promoted; copy_of()
    puts a fresh demo database in it;
  - Submitter: the pluggable "one durable write" a load thread makes, each
    answered only after its group commit: Open311Submitter (a complaint
    through POST /open311/v2/requests.json with an api_key) and
    AdminUserSubmitter (POST /t/{tenant}/admin/pengguna, the admin's add-user
    form). pick_submitter(name, db) chooses by name ('open311', 'user', or
    'auto', the default: open311 when the database has the complaint tables;
    env SIGAP_FAULTS_SUBMIT). A new kind of write is one more subclass;
  - Load: N threads that submit until told to stop and record every
    submission as ok (a success answer), failed (an error answer) or
    unknown (no answer: connection refused/reset, timeout);
  - kill9 / wait_http: small process and polling helpers.

Guarantees: a submission is counted ok only on a success answer, so every ok
key must be in the database afterwards; failed and unknown keys may or may
not be. Only the Python 3 standard library is used.
"""
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import harness  # noqa: E402

PG_SCRIPT = os.path.join(harness.REPO, "scripts", "pg-test-server.sh")


# --------------------------------------------------------------- processes

def kill9(pid):
    """SIGKILL to pid; no error if it is already gone."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def children(pid):
    """The pids whose parent is pid (from /proc)."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            ppid = int(st.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            out.append(int(d))
    return out


def wait_http(port, path="/readyz", want=200, timeout=15.0, interval=0.1, client_timeout=3.0):
    """Polls GET path on 127.0.0.1:port until the status is want; returns
    the seconds it took, or raises AssertionError with the last answer."""
    t0 = time.time()
    last = "no answer"
    while time.time() - t0 < timeout:
        try:
            r = harness.Client(port, timeout=client_timeout).get(path)
            if r.status == want:
                return time.time() - t0
            last = "%d %s" % (r.status, r.text[:200])
        except OSError as e:
            last = repr(e)
        time.sleep(interval)
    raise AssertionError("GET %s on port %d: no %d within %.0fs; last: %s" % (path, port, want, timeout, last))


# --------------------------------------------------------------- PostgreSQL

class PgCluster:
    """A private PostgreSQL cluster in dir on port, for tests that stop or
    kill it. start() is idempotent; url is the sigap_test database's URL."""

    def __init__(self, dir, port):
        self.dir, self.port = os.path.abspath(dir), int(port)
        self.url = None

    def _script(self, *args):
        return subprocess.run([PG_SCRIPT] + list(args), capture_output=True, text=True, timeout=120)

    def start(self):
        p = self._script("start", self.dir, str(self.port))
        assert p.returncode == 0, "cannot start PostgreSQL in %s: %s" % (self.dir, p.stderr[-1500:])
        self.url = p.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self):
        """Fast shutdown (pg_ctl stop -m fast)."""
        self._script("stop", self.dir)

    def start_standby(self, primary):
        """Makes this cluster a hot standby (a read replica) of the running
        PgCluster primary: pg_basebackup, then streaming replication."""
        p = self._script("standby", self.dir, str(self.port), str(primary.port))
        assert p.returncode == 0, "cannot start a standby in %s: %s" % (self.dir, p.stderr[-1500:])
        self.url = p.stdout.strip().splitlines()[-1]
        return self.url

    def promote(self):
        """A standby becomes a primary (pg_ctl promote, waits for it)."""
        p = self._script("promote", self.dir)
        assert p.returncode == 0, "cannot promote the standby in %s: %s" % (self.dir, p.stderr[-1500:])

    def copy_of(self, env):
        """A copy of the demo template in this cluster: pg_dump of a fresh
        copy in env's shared cluster, restored under the same schema name.
        Returns it as a harness.Database."""
        src = env.new_db()
        dump = subprocess.run(["pg_dump", "--schema=" + src.schema, "--no-owner", "--no-privileges", env.pg_url],
                              capture_output=True, text=True, timeout=120)
        assert dump.returncode == 0, dump.stderr
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url], input=dump.stdout,
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr[-1000:]
        return harness.Database("pg", harness.pg_schema_url(self.url, src.schema), pg_base=self.url,
                                schema=src.schema)

    def postmaster_pid(self):
        try:
            with open(os.path.join(self.dir, "data", "postmaster.pid")) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def running(self):
        pid = self.postmaster_pid()
        return pid is not None and os.path.exists("/proc/%d" % pid)

    def kill9(self):
        """kill -9 the postmaster and every server process (as a power cut
        would), then waits until they are gone. Returns the postmaster's pid."""
        pid = self.postmaster_pid()
        if pid is None:
            return None
        kids = children(pid)
        kill9(pid)
        for k in kids:
            kill9(k)
        # pg_ctl takes a zombie postmaster for a running one, so wait until
        # init has reaped them all (it can take a couple of seconds here)
        deadline = time.time() + 20
        while time.time() < deadline and any(os.path.exists("/proc/%d" % p) for p in [pid] + kids):
            time.sleep(0.05)
        return pid

    def new_schema_db(self, name):
        """A fresh empty schema name in the cluster, as a harness.Database."""
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-c",
                            "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s" % (name, name)],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, "cannot create schema %s: %s" % (name, p.stderr)
        return harness.Database("pg", harness.pg_schema_url(self.url, name), pg_base=self.url, schema=name)


# --------------------------------------------------------------- submissions

class Submitter:
    """One kind of durable write. setup(port) runs once per server start,
    session(port, ip) gives what a thread needs (shared by threads),
    submit(client, sess, key) -> (ok, harness.Response) makes one write
    named key (ok: a success answer), and
    present(db, keys) returns {key: count} of the keys found in the database."""
    name = "?"

    def setup(self, db):
        pass

    def session(self, port, ip):
        return None

    def submit(self, client, sess, key):
        raise NotImplementedError

    def present(self, db, keys):
        raise NotImplementedError


def _in_list(keys):
    for k in keys:
        assert re.fullmatch(r"[a-z0-9._-]+", k), k
    return ",".join("'%s'" % k for k in keys)


def count_rows(db, table, column, keys, where=""):
    """{key: number of rows of table whose column is key}, in chunks."""
    found = {}
    keys = list(keys)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        rows = db.sql("SELECT %s, count(*) FROM %s WHERE %s IN (%s)%s GROUP BY %s" % (
            column, table, column, _in_list(chunk), where, column))
        for k, n in rows:
            found[k] = int(n)
    return found


class AdminUserSubmitter(Submitter):
    """Adds user `key` (role warga) through the admin form of tenant 52.71,
    signed in as the demo admin. Success: 303 back to the list with ?ok=tambah."""
    name = "user"

    def __init__(self, tenant=harness.TENANT, username="admin"):
        self.tenant, self.username = tenant, username

    def session(self, port, ip):
        c = harness.Client(port, ip=ip, timeout=20)
        c.login(self.tenant, self.username)
        return {"cookies": dict(c.cookies), "csrf": c.session_csrf(self.tenant)}

    def submit(self, client, sess, key):
        client.cookies = dict(sess["cookies"])
        r = client.post_form("/t/%s/admin/pengguna" % self.tenant,
                             {"_csrf": sess["csrf"], "username": key, "full_name": "Uji " + key,
                              "role": "warga", "password": "sandi-uji-" + key})
        ok = r.status == 303 and (r.header("location") or "").endswith("/admin/pengguna?ok=tambah")
        return ok, r

    def present(self, db, keys):
        return count_rows(db, "users", "username", keys, " AND tenant = '%s'" % self.tenant)


class Open311Submitter(Submitter):
    """Files complaint `key` through POST /open311/v2/requests.json with an
    API key made by `sigap apikey create` (the key is carried in the
    description, which is searched for afterwards). Success: 200/201 with a
    service_request_id."""
    name = "open311"

    def __init__(self, tenant=harness.TENANT, service_code=None):
        self.tenant, self.service_code, self.api_key = tenant, service_code, None

    def setup(self, db):
        if self.api_key is None:
            # hundreds of complaints a second through one key: no limit
            p = harness.check_sigap(["apikey", "create", "--tenant", self.tenant, "--name", "faults",
                                     "--role", "warga", "--rate-limit", "0"], db=db)
            m = re.search(r"sgp_[A-Za-z0-9_]+", p.stdout)
            assert m, "no API key in: %s" % p.stdout
            self.api_key = m.group(0)
        if self.service_code is None:
            self.service_code = os.environ.get("SIGAP_FAULTS_SERVICE_CODE", "")
        if not self.service_code:
            # the demo data has no complaint category: add one for the test
            rows = db.sql("SELECT code FROM complaints_categories WHERE tenant = '%s' AND code = 'uji-gangguan'"
                          % self.tenant)
            if not rows:
                unit = db.sql("SELECT code FROM units WHERE tenant = '%s' ORDER BY code LIMIT 1" % self.tenant)[0][0]
                db.sql("INSERT INTO complaints_categories (tenant, code, name, unit) VALUES ('%s', 'uji-gangguan', "
                       "'Uji gangguan', '%s')" % (self.tenant, unit))
            self.service_code = "uji-gangguan"

    def submit(self, client, sess, key):
        fields = {"api_key": self.api_key, "jurisdiction_id": self.tenant, "service_code": self.service_code,
                  "description": "uji-gangguan %s jalan rusak di depan kantor" % key, "lat": "-8.58", "long": "116.1"}
        r = client.post_form("/open311/v2/requests.json", fields)
        ok = r.status in (200, 201) and "service_request_id" in r.text
        return ok, r

    def present(self, db, keys):
        want = set(keys)
        found = {}
        for (desc,) in db.sql("SELECT description FROM complaints WHERE description LIKE 'uji-gangguan %%' "
                              "AND tenant = '%s'" % self.tenant):
            k = desc.split(" ")[1] if " " in desc else ""
            if k in want:
                found[k] = found.get(k, 0) + 1
        return found


def has_table(db, table):
    if db.backend == "sqlite":
        q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'" % table
    else:
        q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = '%s' AND table_name = '%s'" % (
            db.schema, table)
    return int(db.sql(q)[0][0]) > 0


def pick_submitter(name=None, db=None):
    """'open311' (cheap, so hundreds of writes per second) or 'user' (the
    admin form; argon2id hashing makes each one cost about 0.1 s of CPU).
    Without a name (or env SIGAP_FAULTS_SUBMIT): open311 when db has the
    complaint tables (the binary has the complaints module), else user."""
    name = name or os.environ.get("SIGAP_FAULTS_SUBMIT") or "auto"
    if name == "auto":
        name = "open311" if db is not None and has_table(db, "complaints_categories") else "user"
    if name == "user":
        return AdminUserSubmitter()
    if name == "open311":
        return Open311Submitter()
    raise ValueError("unknown submitter %r (user, open311 or auto)" % name)


# --------------------------------------------------------------- load

class Load:
    """threads threads that call submitter.submit() on port until stop();
    each key is prefix + a counter. Records ok / failed / unknown keys and
    the time of each answer."""

    def __init__(self, submitter, port, sess, threads, prefix, pause=0.0, ip_base="10.77"):
        self.submitter, self.port, self.sess, self.nthreads = submitter, port, sess, threads
        self.prefix, self.pause, self.ip_base = prefix, pause, ip_base
        self.ok, self.failed, self.unknown = [], [], []
        self.statuses = {}
        self.samples = {}           # status -> the first answer's body (400 characters)
        self.events = []            # (time, key, outcome)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._n = 0
        self._threads = []

    def _key(self):
        with self._lock:
            self._n += 1
            return "%s%d" % (self.prefix, self._n)

    def _record(self, key, outcome, status=None, body=None):
        with self._lock:
            if body is not None and status not in self.samples:
                # an HTML page: what is inside <main>
                i = body.find("<main>")
                self.samples[status] = (body[i:] if i >= 0 else body)[:400]
            {"ok": self.ok, "failed": self.failed, "unknown": self.unknown}[outcome].append(key)
            self.events.append((time.time(), key, outcome))
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1

    def _run(self, i):
        client = harness.Client(self.port, ip="%s.%d.%d" % (self.ip_base, i // 250, i % 250 + 1), timeout=15)
        while not self._stop.is_set():
            key = self._key()
            try:
                ok, r = self.submitter.submit(client, self.sess, key)
                self._record(key, "ok" if ok else "failed", r.status, None if ok else r.text)
            except (OSError, http_client_errors()) as e:
                self._record(key, "unknown", type(e).__name__)
                time.sleep(0.05)
            if self.pause:
                time.sleep(random.uniform(0, self.pause))

    def start(self):
        for i in range(self.nthreads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self, timeout=30):
        self._stop.set()
        for t in self._threads:
            t.join(timeout)
        return self

    def counts(self):
        with self._lock:
            return len(self.ok), len(self.failed), len(self.unknown)


def http_client_errors():
    import http.client
    return http.client.HTTPException
