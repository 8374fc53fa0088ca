#!/usr/bin/env python3
"""
crash.py: the crash-safety test of sigap. Under concurrent submissions it
kill -9s the server (and, on PostgreSQL, the database server too or
instead) at a random moment, restarts what it killed, and checks that

  1. every submission that got a success answer is in the database, once;
  2. `sigap check --db DB` (integrity check + audit chain) exits 0;
  3. the restarted server serves, takes a new write, and stops with exit 0
     on SIGTERM; its log holds no sanitizer report.

With the pg backend the round's victim cycles through `sigap` (kill -9
sigap, restart it), `pg` (kill -9 the postmaster and all its processes
while sigap keeps serving; sigap must answer 503 meanwhile and recover by
itself once PostgreSQL is restarted, without being restarted) and `both`.

Usage: tests/crash/crash.py [--backend sqlite|pg|both] [--rounds N]
         [--threads MIN-MAX] [--seed S] [--submit auto|open311|user]
         [--victims sigap,pg,both] [--pg-dir DIR] [--pg-port PORT] [--keep]
The database is initialised once (`sigap init --demo`) and every round
works on it. The pg backend runs its own PostgreSQL cluster in --pg-dir on
--pg-port (default /tmp/sigap-pg-crash, 55433), started through
scripts/pg-test-server.sh, so the shared test cluster is never disturbed.
The binary is $SIGAP_BIN (default build/sigap). Prints one line per round
and ends with `N passed, M failed`; exit code 1 if any round failed.
"""
import argparse
import os
import random
import shutil
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import harness  # noqa: E402
import faults_util as fu  # noqa: E402

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer", "Segmentation fault")
VICTIMS_PG = ("sigap", "pg", "both")


class Round:
    def __init__(self, n, backend, victim):
        self.n, self.backend, self.victim = n, backend, victim
        self.problems = []
        self.fig = {}

    def check(self, cond, msg):
        if not cond:
            self.problems.append(msg)
        return cond


def run_round(rd, env, db, cluster, submitter, rng, tmin, tmax):
    threads = rng.randint(tmin, tmax)
    wait = rng.uniform(0.5, 3.0)
    t_round = time.time()
    srv = harness.Server(db, env.tmp)
    env._servers.append(srv)
    srv.start()
    fu.wait_http(srv.port, "/readyz", 200, timeout=15)
    submitter.setup(db)
    sess = submitter.session(srv.port, "10.99.%d.1" % (rd.n % 250))
    load = fu.Load(submitter, srv.port, sess, threads, "cr%dr%dk" % (os.getpid() % 1000, rd.n)).start()
    time.sleep(wait)
    before = load.counts()
    recovered = None
    if rd.victim == "sigap":
        srv.kill()
    elif rd.victim == "both":
        srv.kill()
        cluster.kill9()
    else:
        cluster.kill9()
        time.sleep(rng.uniform(0.3, 1.5))      # sigap serves without a database meanwhile
        rd.check(srv.alive, "sigap died while PostgreSQL was down (exit %s)" % (srv.proc and srv.proc.returncode))
        cluster.start()
        t_pg = time.time()
        try:
            # under the load a GET waits its turn behind writes (argon2id for
            # the user form): allow it a long answer time
            fu.wait_http(srv.port, "/readyz", 200, timeout=30, client_timeout=15)
            recovered = time.time() - t_pg
        except AssertionError as e:
            rd.check(False, "sigap did not recover after PostgreSQL came back: %s" % e)
        first_ok = [t for t, _k, o in list(load.events) if o == "ok" and t > t_pg]
        if first_ok:
            rd.fig["first_write_after"] = "%.2fs" % (min(first_ok) - t_pg)
        time.sleep(0.5)                        # some load after the recovery
    load.stop()
    if rd.victim == "both":
        cluster.start()
    rd.fig.update(threads=threads, kill_after="%.2fs" % wait, acked_before_kill=before[0])
    # outcomes
    five = {s: n for s, n in load.statuses.items() if isinstance(s, int) and s >= 500}
    bad5 = {s: n for s, n in five.items() if s != 503}
    rd.check(not bad5, "answers other than 503 among the 5xx: %r" % bad5)
    other = {s: n for s, n in load.statuses.items() if isinstance(s, int) and s < 500 and s != 200}
    rd.check(not other, "unexpected answers: %r; first bodies: %s" % (other, "; ".join(
        "%s: %s" % (st, " ".join(load.samples.get(st, "").split())[:300]) for st in other)))
    for st in bad5:
        rd.problems.append("first %s answer: %s" % (st, " ".join(load.samples.get(st, "").split())[:300]))
    rd.fig.update(ok=len(load.ok), failed=len(load.failed), unknown=len(load.unknown))
    if five:
        rd.fig["5xx"] = five
    # restart sigap if it was killed
    if rd.victim in ("sigap", "both"):
        t0 = time.time()
        srv = harness.Server(db, env.tmp)
        env._servers.append(srv)
        srv.start()
        fu.wait_http(srv.port, "/readyz", 200, timeout=20)
        recovered = time.time() - t0
    if recovered is not None:
        rd.fig["ready_after"] = "%.2fs" % recovered
    # a new write on the restarted (or recovered) server
    sess = submitter.session(srv.port, "10.98.%d.1" % (rd.n % 250))
    ok, r = submitter.submit(harness.Client(srv.port, ip="10.98.%d.2" % (rd.n % 250)), sess,
                             "cr%dr%dafter" % (os.getpid() % 1000, rd.n))
    rd.check(ok, "a write after the restart failed: %s %s" % (r.status, r.text[:300]))
    try:
        srv.stop(timeout=20)
    except AssertionError as e:
        rd.check(False, str(e)[:500])
    logs = srv.log_text()
    bad = [m for m in SANITIZER_MARKS if m in logs]
    rd.check(not bad, "server log mentions %s" % ", ".join(bad))
    # the database
    p = harness.run_sigap(["check"], db=db)
    rd.check(p.returncode == 0, "sigap check exit %d: %s %s" % (p.returncode, p.stdout.strip(), p.stderr.strip()))
    rd.fig["check"] = "ok" if p.returncode == 0 else "FAIL"
    found = submitter.present(db, load.ok)
    missing = [k for k in load.ok if k not in found]
    dup = [k for k, n in found.items() if n != 1]
    rd.check(not missing, "%d acknowledged submissions missing: %s" % (len(missing), missing[:10]))
    rd.check(not dup, "acknowledged submissions stored more than once: %s" % dup[:10])
    # unknown ones (no answer) may or may not be there; report how many made it
    maybe = submitter.present(db, load.unknown) if load.unknown else {}
    rd.fig["unknown_stored"] = len(maybe)
    rd.fig["missing"] = len(missing)
    rd.fig["secs"] = "%.1f" % (time.time() - t_round)


def main():
    ap = argparse.ArgumentParser(description="kill -9 crash-safety test of sigap")
    ap.add_argument("--backend", choices=("sqlite", "pg", "both"), default="both")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per backend (default 5)")
    ap.add_argument("--threads", default="8-16", help="client threads per round, MIN-MAX (default 8-16)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--submit", default=None,
                    help="open311, user or auto (open311 if the binary has it; the default; env SIGAP_FAULTS_SUBMIT)")
    ap.add_argument("--victims", default=",".join(VICTIMS_PG),
                    help="pg backend: what to kill, cycled through the rounds (default sigap,pg,both)")
    ap.add_argument("--pg-dir", default="/tmp/sigap-pg-crash")
    ap.add_argument("--pg-port", type=int, default=55433)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory, schema and cluster")
    a = ap.parse_args()
    tmin, _, tmax = a.threads.partition("-")
    tmin, tmax = int(tmin), int(tmax or tmin)
    seed = a.seed if a.seed is not None else int(time.time() * 1000) % 1000000
    rng = random.Random(seed)
    backends = ["sqlite", "pg"] if a.backend == "both" else [a.backend]
    if not os.access(harness.sigap_bin(), os.X_OK):
        print("no sigap binary at %s (build it with ninja -C build, or set SIGAP_BIN)" % harness.sigap_bin())
        print("0 passed, 1 failed")
        return 1
    print("crash test: seed %d, binary %s" % (seed, harness.sigap_bin()), flush=True)
    passed = failed = 0
    t_all = time.time()
    for backend in backends:
        cluster = None
        env = harness.Env("sqlite", keep=a.keep)      # a temp dir, the small region list, server bookkeeping
        env.backend = backend
        try:
            t0 = time.time()
            if backend == "pg":
                cluster = fu.PgCluster(a.pg_dir, a.pg_port)
                cluster.start()
                db = cluster.new_schema_db("crash_%d" % os.getpid())
                env._dbs.append(db)
            else:
                path = os.path.join(env.tmp, "crash.db")
                db = harness.Database("sqlite", path, path=path)
            harness.check_sigap(["init", "--demo", "--regions", env.small_regions_csv()], db=db)
            print("%-6s init --demo took %.1fs" % (backend, time.time() - t0), flush=True)
        except Exception:
            print("FAIL  %-6s (setup)\n%s" % (backend, traceback.format_exc(limit=-3)), flush=True)
            failed += 1
            env.close()
            continue
        submitter = fu.pick_submitter(a.submit, db=db)
        print("%-6s submissions through %s" % (backend, submitter.name), flush=True)
        try:
            for n in range(1, a.rounds + 1):
                victims = [v for v in a.victims.split(",") if v in VICTIMS_PG] or list(VICTIMS_PG)
                victim = "sigap" if backend == "sqlite" else victims[(n - 1) % len(victims)]
                rd = Round(n, backend, victim)
                try:
                    run_round(rd, env, db, cluster, submitter, rng, tmin, tmax)
                except Exception:
                    rd.problems.append(traceback.format_exc(limit=-3))
                    if cluster is not None and not cluster.running():
                        cluster.start()
                for s in env._servers:
                    s.kill()
                env._servers = []
                ok = not rd.problems
                passed += ok
                failed += not ok
                figs = " ".join("%s=%s" % kv for kv in rd.fig.items())
                print("%s  %-6s round %d kill %-5s %s" % ("PASS" if ok else "FAIL", backend, n, victim, figs),
                      flush=True)
                for p in rd.problems:
                    print("      " + p.rstrip().replace("\n", "\n      "), flush=True)
        finally:
            try:
                env.close()
            except Exception:
                traceback.print_exc()
            if cluster is not None and not a.keep:
                cluster.stop()
                shutil.rmtree(cluster.dir, ignore_errors=True)
    print("crash test took %.1fs" % (time.time() - t_all))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
