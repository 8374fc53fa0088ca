"""
test_metrics.py: GET /metrics for Prometheus (setting metrics-token).

Off by default: without a token /metrics is an unknown path (404). With one,
only a request carrying `Authorization: Bearer TOKEN` gets the figures;
anything else gets 401 with WWW-Authenticate: Bearer, whatever the client's
address. A token shorter than 16 characters stops sigap at start with a
message that does not show it. The body is checked line by line against the
text exposition format 0.0.4 by a small strict parser, then for its meaning:
counters that rise with known requests (h2o's own 413 included), a
cumulative histogram whose +Inf bucket is its _count, group-commit figures
that follow a write, and labels that never carry a path, a tenant or a user.
The token never appears in the server's log or in the access log. The
periodic jobs' runs and the e-mail outbox are there for alerts: a job that
stopped succeeding, mail that does not go out.
"""
import math
import os
import re
import time

from harness import TENANT, raw_request, run_sigap, unique, wait_for

TOKEN = "e2e-metrics-Token_0123456789abcdef"
CTYPE = "text/plain; version=0.0.4; charset=utf-8"

# ------------------------------------------------------------ the parser

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
SUFFIXES = {"histogram": ("_bucket", "_sum", "_count"), "summary": ("_sum", "_count")}


def parse_float(text, where):
    if text in ("+Inf", "Inf"):
        return math.inf
    if text == "-Inf":
        return -math.inf
    if text == "NaN":
        return math.nan
    assert re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text), "%s: bad value %r" % (where, text)
    return float(text)


def parse_labels(text, where):
    """'{a="x",b="y"}' (text starts after '{') -> (dict, rest after '}')."""
    labels, i = {}, 0
    while True:
        if text[i:i + 1] == "}":
            return labels, text[i + 1:]
        m = re.match(LABEL, text[i:])
        assert m, "%s: bad label name at %r" % (where, text[i:])
        name = m.group(0)
        i += len(name)
        assert text[i:i + 2] == '="', "%s: expected =\" after label %s" % (where, name)
        i += 2
        value = []
        while True:
            assert i < len(text), "%s: unterminated label value" % where
            c = text[i]
            if c == "\\":
                esc = text[i + 1:i + 2]
                assert esc in ("\\", '"', "n"), "%s: bad escape \\%s" % (where, esc)
                value.append("\n" if esc == "n" else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            else:
                assert c != "\n", "%s: line feed in a label value" % where
                value.append(c)
                i += 1
        assert name not in labels, "%s: label %s twice" % (where, name)
        labels[name] = "".join(value)
        if text[i:i + 1] == ",":
            i += 1
        else:
            assert text[i:i + 1] == "}", "%s: expected , or } at %r" % (where, text[i:])


def parse_exposition(body):
    """Parses format 0.0.4 strictly. Returns (families, samples): families
    name -> {"type", "help"}; samples a list of (name, labels, value)."""
    assert body.endswith("\n"), "the body must end with a line feed"
    families, samples, seen_series, done, sampled = {}, [], set(), set(), set()
    current = None
    for n, line in enumerate(body[:-1].split("\n"), 1):
        where = "line %d %r" % (n, line)
        assert line and line == line.strip(), "%s: empty or padded line" % where
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (%s) (.*)" % NAME, line)
            assert m, "%s: a comment must be # HELP or # TYPE" % where
            kind, name, rest = m.groups()
            assert name not in done, "%s: %s comes back after other metrics" % (where, name)
            fam = families.setdefault(name, {})
            if current is not None and current != name:
                done.add(current)
            current = name
            if kind == "HELP":
                assert "help" not in fam, "%s: second HELP" % where
                assert not re.search(r"\\[^\\n]", rest), "%s: bad escape in HELP" % where
                fam["help"] = rest
            else:
                assert "type" not in fam, "%s: second TYPE" % where
                assert rest in TYPES, "%s: unknown type" % where
                assert name not in sampled, "%s: TYPE after samples" % where
                fam["type"] = rest
            continue
        m = re.match(NAME, line)
        assert m, "%s: no metric name" % where
        name, rest = m.group(0), line[m.end():]
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(rest[1:], where)
        parts = rest.split(" ")
        assert parts[0] == "" and len(parts) in (2, 3), "%s: expected one space, a value, maybe a timestamp" % where
        value = parse_float(parts[1], where)
        if len(parts) == 3:
            assert re.fullmatch(r"-?\d+", parts[2]), "%s: bad timestamp" % where
        # the family: the name itself, or a histogram's/summary's with its suffix
        family = name
        if name not in families:
            for fname, fam in families.items():
                for suf in SUFFIXES.get(fam.get("type"), ()):
                    if name == fname + suf:
                        family = fname
        assert family in families and "type" in families[family], "%s: sample without # TYPE" % where
        assert family not in done, "%s: samples of %s are not together" % (where, family)
        if current is not None and current != family:
            done.add(current)
        current = family
        sampled.add(family)
        ftype = families[family]["type"]
        if ftype == "histogram":
            assert name != family, "%s: a histogram's sample needs _bucket, _sum or _count" % where
            assert ("le" in labels) == name.endswith("_bucket"), "%s: le goes with _bucket only" % where
        if ftype in ("counter", "histogram"):
            assert value >= 0 or math.isnan(value), "%s: a counter below 0" % where
        key = (name, tuple(sorted(labels.items())))
        assert key not in seen_series, "%s: the same series twice" % where
        seen_series.add(key)
        samples.append((name, labels, value))
    for fname, fam in families.items():
        assert "type" in fam and "help" in fam, "%s lacks its HELP or TYPE" % fname
    return families, samples


def value(samples, name, **labels):
    found = [v for n, ls, v in samples if n == name and ls == labels]
    assert len(found) == 1, "%s%r: %d samples" % (name, labels, len(found))
    return found[0]


# ------------------------------------------------------------ helpers

def metrics_server(env, extra=()):
    log = os.path.join(env.tmp, unique("access") + ".log")
    srv = env.start_server(args=["--access-log", log] + list(extra), env={"SIGAP_METRICS_TOKEN": TOKEN})
    return srv, log


def scrape(client, token=TOKEN):
    r = client.get("/metrics", headers={"Authorization": "Bearer " + token})
    r.expect(200)
    assert r.header("content-type") == CTYPE, r.header("content-type")
    return parse_exposition(r.text)


def read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


# ------------------------------------------------------------ tests

def test_metrics_off_by_default(env):
    c = env.client()
    for headers in (None, {"Authorization": "Bearer " + TOKEN}):
        r = c.get("/metrics", headers=headers).expect(404, ctype="text/html")
        assert "halaman atau data tidak ditemukan" in r.text, r.text[:300]
        assert r.header("www-authenticate") is None, r.headers
    # like any unknown path: another method is a 404 too, not a 405
    c.request("POST", "/metrics").expect(404)


def test_metrics_short_or_bad_token_refused_at_start(env):
    secret = "short-tok-12345"  # 15 characters
    conf = os.path.join(env.tmp, unique("metrics") + ".conf")
    with open(conf, "w") as f:
        f.write("metrics-token = %s\n" % secret)
    for args, extra_env in ((["--metrics-token", secret], None),
                            ([], {"SIGAP_METRICS_TOKEN": secret}),
                            (["--config", conf], None)):
        p = run_sigap(["serve", "--listen", "127.0.0.1:0"] + args, db=env.shared_db, env=extra_env, timeout=30)
        assert p.returncode != 0, (args, p.returncode, p.stdout, p.stderr)
        assert "metrics-token must be at least 16 characters long, got 15" in p.stderr, p.stderr
        assert secret not in p.stdout + p.stderr, "the token was shown: %r" % (p.stdout + p.stderr)
        assert "serving on" not in p.stdout + p.stderr, p.stdout
    # long enough but with a space: refused, also without showing it
    spaced = "sixteen or more characters"
    p = run_sigap(["serve", "--listen", "127.0.0.1:0"], db=env.shared_db, env={"SIGAP_METRICS_TOKEN": spaced},
                  timeout=30)
    assert p.returncode != 0 and "metrics-token may hold only printable ASCII" in p.stderr, p.stderr
    assert spaced not in p.stdout + p.stderr, p.stderr


def test_metrics_needs_the_bearer_token(env):
    srv, log = metrics_server(env)
    c = srv.client()
    wrong = TOKEN[:-1] + ("x" if TOKEN[-1] != "x" else "y")
    cases = [
        None,
        {"Authorization": "Bearer " + wrong},
        {"Authorization": "Bearer " + TOKEN[:-1]},
        {"Authorization": "Bearer " + TOKEN + "0"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic " + TOKEN},
        {"Authorization": TOKEN},
        {"X-API-Key": TOKEN},
        # the address is never a credential, whatever a proxy says
        {"X-Forwarded-For": "127.0.0.1"},
    ]
    for headers in cases:
        r = c.get("/metrics", headers=headers)
        e = r.expect_json_error(401, code="unauthorized")
        assert "Bearer" in e["message"], e
        assert (r.header("www-authenticate") or "").startswith("Bearer"), (headers, r.headers)
        assert "sigap_" not in r.text, r.text
    # nor a token in the query string
    c.get("/metrics?token=" + TOKEN).expect(401)
    # the right token: the figures, never cached, HEAD without a body
    r = c.get("/metrics", headers={"Authorization": "Bearer " + TOKEN}).expect(200)
    assert r.header("content-type") == CTYPE, r.header("content-type")
    assert r.header("cache-control") == "no-store", r.headers
    assert "sigap_http_requests_total" in r.text, r.text[:500]
    r = c.request("HEAD", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert r.status == 200 and r.body == b"", (r.status, r.body[:100])
    r = c.request("POST", "/metrics", headers={"Authorization": "Bearer " + TOKEN})
    assert r.status == 405 and "GET" in (r.header("allow") or ""), (r.status, r.headers)
    # the scheme's name is case-insensitive (RFC 7235)
    c.get("/metrics", headers={"Authorization": "bearer " + TOKEN}).expect(200)
    srv.stop()
    text = srv.log_text() + read(log)
    assert "/metrics" in read(log), read(log)[-500:]
    for secret in (TOKEN, wrong, TOKEN[:-1]):
        assert secret not in text, "a token is in the server's log or access log"


def test_metrics_exposition_and_counters(env):
    srv, log = metrics_server(env)
    c = srv.client()
    families, samples = scrape(c)

    # what is there, and of which type
    want = {
        "sigap_build_info": "gauge", "sigap_start_time_seconds": "gauge",
        "sigap_http_requests_total": "counter", "sigap_http_request_duration_seconds": "histogram",
        "sigap_store_transactions_total": "counter", "sigap_store_commits_total": "counter",
        "sigap_store_read_only": "gauge", "sigap_requests_waiting": "gauge",
        "sigap_compute_queue_jobs": "gauge", "sigap_worker_threads": "gauge",
        "sigap_job_runs_total": "counter", "sigap_job_last_success_time_seconds": "gauge",
        "sigap_job_duration_seconds": "gauge", "sigap_mail_waiting": "gauge",
        "sigap_mail_oldest_waiting_seconds": "gauge", "sigap_mail_given_up_24h": "gauge",
    }
    for name, typ in want.items():
        assert families.get(name, {}).get("type") == typ, (name, families.get(name))
    assert all(n.startswith("sigap_") for n in families), sorted(families)
    (bi,) = [ls for n, ls, v in samples if n == "sigap_build_info"]
    assert re.fullmatch(r"[0-9A-Za-z.+_-]+", bi["version"]), bi
    start = value(samples, "sigap_start_time_seconds")
    assert time.time() - 600 < start <= time.time() + 1, start
    assert value(samples, "sigap_store_read_only") == 0
    assert value(samples, "sigap_worker_threads") == 2

    # bounded labels: status classes, bucket bounds, the version, jobs' names and outcomes; no path,
    # tenant or user
    for n, ls, v in samples:
        assert set(ls) <= {"code", "le", "version", "task", "result"}, (n, ls)
        if "code" in ls:
            assert ls["code"] in ("2xx", "3xx", "4xx", "5xx"), ls
        for lv in ls.values():
            assert "/" not in lv and TENANT not in lv, (n, ls)
    assert {ls["code"] for n, ls, v in samples if n == "sigap_http_requests_total"} == {"2xx", "3xx", "4xx", "5xx"}

    def codes(s):
        return {ls["code"]: v for n, ls, v in s if n == "sigap_http_requests_total"}

    def histogram(s):
        buckets = [(ls["le"], v) for n, ls, v in s if n == "sigap_http_request_duration_seconds_bucket"]
        bounds = [parse_float(le, "le") for le, _ in buckets]
        assert bounds == sorted(bounds) and bounds[-1] == math.inf, bounds
        assert len(set(bounds)) == len(bounds), bounds
        counts = [v for _, v in buckets]
        assert all(a <= b for a, b in zip(counts, counts[1:])), "buckets not cumulative: %r" % buckets
        count = value(s, "sigap_http_request_duration_seconds_count")
        total = value(s, "sigap_http_request_duration_seconds_sum")
        assert counts[-1] == count, (buckets, count)
        assert total >= 0 and (count > 0 or total == 0), (total, count)
        return count, total

    before, (count0, sum0) = codes(samples), histogram(samples)
    assert before["2xx"] >= 0 and count0 >= 0

    # known requests: 3 GETs of /healthz, a 404, a 401, and h2o's own 413
    for _ in range(3):
        c.get("/healthz").expect(200)
    c.get("/" + unique("tidak-ada")).expect(404)
    c.get("/metrics").expect(401)
    out = raw_request(srv.port, b"POST /t/%s/masuk HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"
                      % TENANT.encode())
    assert out.startswith(b"HTTP/1.1 413"), out[:200]

    # an answer is counted as h2o lets go of it, just after the client has it
    def risen():
        _, s = scrape(c)
        now = codes(s)
        if now["2xx"] >= before["2xx"] + 3 and now["4xx"] >= before["4xx"] + 3:
            return s
        return None
    after = wait_for(risen, secs=10)
    assert after, "counters did not rise: before %r, now %r" % (before, codes(scrape(c)[1]))
    count1, sum1 = histogram(after)
    # the histogram sees what reached sigap's handler: 3 + 404 + 401 + the first scrape
    assert count1 >= count0 + 6, (count0, count1)
    assert sum1 >= sum0, (sum0, sum1)
    assert codes(after)["5xx"] == before["5xx"], (before, codes(after))

    # a write goes through the group commit: transactions and commits rise,
    # never more commits than transactions
    txs0 = value(after, "sigap_store_transactions_total")
    commits0 = value(after, "sigap_store_commits_total")
    w = srv.client()
    w.login(TENANT, "warga")
    _, s = scrape(c)
    txs1, commits1 = value(s, "sigap_store_transactions_total"), value(s, "sigap_store_commits_total")
    assert txs1 >= txs0 + 1 and commits1 >= commits0 + 1, (txs0, txs1, commits0, commits1)
    assert txs1 >= commits1, (txs1, commits1)
    # a 3xx (the sign-in's redirect) is counted
    assert wait_for(lambda: codes(scrape(c)[1])["3xx"] >= before["3xx"] + 1, secs=10), codes(scrape(c)[1])
    assert value(s, "sigap_requests_waiting") >= 0 and value(s, "sigap_compute_queue_jobs") >= 0

    srv.stop()
    assert TOKEN not in srv.log_text() + read(log), "the token is in the server's log or access log"


def test_metrics_jobs_and_mail_outbox(env):
    """The periodic jobs' runs (by job and outcome, the last success, the last run's length), and
    the outbox: a message the SMTP server refuses stays waiting (counted, with its age) until it
    is given up after its eighth attempt (counted for 24 hours); one delivered leaves the count."""
    from smtp_sink import SmtpSink
    from test_mail import FROM, file_and_answer
    sink = SmtpSink()
    sink.reject.add("ditolak@example.id")
    try:
        db = env.new_db()
        srv = env.start_server(db, args=["--smtp-url", "smtp://127.0.0.1:%d" % sink.port, "--mail-from", FROM,
                                         "--sweep-interval", "1"], env={"SIGAP_METRICS_TOKEN": TOKEN})
        c = srv.client()
        started = time.time()

        def jobs_ran():
            _, s = scrape(c)
            runs = {(ls["task"], ls["result"]): v for n, ls, v in s if n == "sigap_job_runs_total"}
            return s if runs and all(v >= 1 for (job, res), v in runs.items() if res == "ok") else None
        s = wait_for(jobs_ran, secs=20)
        assert s, scrape(c)[1]
        jobs = {ls["task"] for n, ls, v in s if n == "sigap_job_runs_total"}
        assert {"complaints.sla_sweep", "mail.send", "mail.prune", "files.gc"} <= jobs, jobs
        for job in jobs:
            assert value(s, "sigap_job_runs_total", task=job, result="failed") == 0, job
            last = value(s, "sigap_job_last_success_time_seconds", task=job)
            assert started - 1 <= last <= time.time() + 1, (job, last, started)
            assert 0 <= value(s, "sigap_job_duration_seconds", task=job) < 10, job
        assert value(s, "sigap_mail_waiting") == 0 and value(s, "sigap_mail_oldest_waiting_seconds") == 0
        assert value(s, "sigap_mail_given_up_24h") == 0

        # refused by the server: waiting, and getting older
        cid = file_and_answer(srv, db, "ditolak@example.id", "Jawaban yang tidak sampai.")
        assert wait_for(lambda: db.sql("SELECT attempts FROM mail_outbox WHERE recipient = 'ditolak@example.id' "
                                       "AND attempts >= 1")), db.sql("SELECT * FROM mail_outbox")
        time.sleep(1.1)
        _, s = scrape(c)
        assert value(s, "sigap_mail_waiting") == 1, cid
        assert value(s, "sigap_mail_oldest_waiting_seconds") >= 1
        # a delivered one is not waiting once sent
        file_and_answer(srv, db, "sampai@example.id", "Jawaban yang sampai.")
        assert wait_for(lambda: [m for m in sink.messages if m[1] == ["sampai@example.id"]])
        assert wait_for(lambda: value(scrape(c)[1], "sigap_mail_waiting") == 1)
        # its eighth attempt is due: given up, counted as such, no longer waiting
        db.sql("UPDATE mail_outbox SET attempts = 7, next_at = 0 WHERE recipient = 'ditolak@example.id'")
        s = wait_for(lambda: (lambda s: s if value(s, "sigap_mail_given_up_24h") == 1 else None)(scrape(c)[1]))
        assert s, db.sql("SELECT attempts, failed_at FROM mail_outbox")
        assert value(s, "sigap_mail_waiting") == 0 and value(s, "sigap_mail_oldest_waiting_seconds") == 0
    finally:
        sink.close()


def test_access_log_lines_carry_time_and_no_query(env):
    """Each access-log line starts with the time the answer was done (UTC, to the millisecond), then
    the client, method, path without its query string, status, bytes, duration and user."""
    import datetime
    srv, log = metrics_server(env)
    c = srv.client()
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    c.get("/healthz?nik=3271010101010001").expect(200)
    c.get("/tidak-ada-halaman-ini").expect(404)
    line_re = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z (\S+) (GET|POST) (\S+) (\d{3}) (\d+) (\d+)us (\S+)$")
    deadline = time.time() + 5
    lines = []
    while time.time() < deadline:
        # the last two: the harness's own readiness probe may come first
        lines = [l for l in read(log).splitlines() if " /healthz " in l or " /tidak-ada-halaman-ini " in l][-2:]
        if lines and " /tidak-ada-halaman-ini " in lines[-1]:
            break
        time.sleep(0.05)
    assert len(lines) == 2, read(log)[-800:]
    after = datetime.datetime.now(datetime.timezone.utc)
    for l, (path, status) in zip(lines, (("/healthz", "200"), ("/tidak-ada-halaman-ini", "404"))):
        m = line_re.match(l)
        assert m, l
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
        assert before <= t <= after, (l, before, after)
        assert re.match(r"^[0-9a-f.:]+$", m.group(2)) and m.group(4) == path and m.group(5) == status and m.group(8) == "-", l
    assert "3271010101010001" not in read(log) and "nik=" not in read(log), read(log)[-400:]
    srv.stop()
