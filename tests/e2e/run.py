#!/usr/bin/env python3
"""
run.py: runs the end-to-end tests of the real sigap binary.

Discovers tests/e2e/test_*.py, and runs every function named test_* in
them, in file order, once per backend, each with a harness.Env (a shared
server on a shared demo database, plus factories for fresh databases and
servers). Prints one line per test and ends with the line
`N passed, M failed`; the exit code is 1 if anything failed.

Usage: tests/e2e/run.py [--backend sqlite|pg|both] [-k SUBSTRING]... [--keep]
The default backend is sqlite, plus pg when SIGAP_TEST_PG holds a
postgresql:// URL. The binary is $SIGAP_BIN (default build/sigap).
"""
import argparse
import glob
import importlib.util
import inspect
import os
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True      # no __pycache__ in the source tree

import harness  # noqa: E402

SANITIZER_MARKS = ("ERROR: AddressSanitizer", "runtime error:", "ERROR: LeakSanitizer", "Segmentation fault")


def discover(pattern):
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(mod)
        except Exception:
            err = traceback.format_exc(limit=-2)

            def broken(env, err=err):
                raise AssertionError("cannot import the test file:\n" + err)
            tests.append(("%s.(import)" % name, broken))
            continue
        fns = [f for n, f in vars(mod).items() if n.startswith("test_") and inspect.isfunction(f)
               and f.__module__ == name]
        fns.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in fns:
            full = "%s.%s" % (name, f.__name__)
            if pattern and not any(p in full for p in pattern):
                continue
            tests.append((full, f))
    return tests


class Results:
    def __init__(self):
        self.passed, self.failed, self.lock = 0, 0, threading.Lock()
        self.failures = []

    def report(self, backend, name, ok, secs, detail="", bug=None):
        with self.lock:
            if ok:
                self.passed += 1
            else:
                self.failed += 1
                self.failures.append("%s %s" % (backend, name))
            tag = "PASS" if ok else "FAIL"
            extra = "  [known bug: %s]" % bug if bug and not ok else ""
            print("%s  %-6s %-55s %6.2fs%s" % (tag, backend, name, secs, extra), flush=True)
            if detail:
                print("      " + detail.rstrip().replace("\n", "\n      "), flush=True)


def run_backend(backend, tests, results, keep):
    pg = os.environ.get("SIGAP_TEST_PG") if backend == "pg" else None
    t0 = time.time()
    try:
        env = harness.Env(backend, pg_url=pg, keep=keep)
    except Exception:
        results.report(backend, "(setup)", False, time.time() - t0, traceback.format_exc())
        return
    try:
        for name, fn in tests:
            want = getattr(fn, "backends", None)
            if want and backend not in want:
                continue
            t1 = time.time()
            ok, detail = True, ""
            started = len(env._servers)
            try:
                fn(env)
            except Exception:
                ok, detail = False, traceback.format_exc(limit=-3)
            # the test's own servers end with it (their logs stay): each holds database
            # connections, and a run starts dozens
            for s in env._servers[started:]:
                s.kill()
            # a test that killed the shared server fails, whatever it asserted
            srv = env._server
            if srv is not None and srv.proc is not None and not srv.alive:
                ok = False
                detail += "\nthe shared server died (exit %s); log tail:\n%s" % (
                    srv.proc.returncode, srv.log_text()[-1500:])
                srv.kill()
                env._server = None
            results.report(backend, name, ok, time.time() - t1, detail, getattr(fn, "known_bug", None))
    finally:
        t1 = time.time()
        try:
            env.close()
            ok, detail = True, ""
        except Exception:
            ok, detail = False, traceback.format_exc(limit=-2)
        logs = env.server_logs()
        bad = [m for m in SANITIZER_MARKS if m in logs]
        if bad:
            ok = False
            detail += "\nserver logs mention %s" % ", ".join(bad)
        results.report(backend, "(shared server: SIGTERM, exit 0, clean logs)", ok, time.time() - t1, detail)


def main():
    ap = argparse.ArgumentParser(description="end-to-end tests of the sigap binary")
    ap.add_argument("--backend", choices=("sqlite", "pg", "both"), default=None)
    ap.add_argument("-k", dest="pattern", action="append", default=None,
                    help="only tests whose module.name contains this (repeatable: any of them)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directories and schemas")
    a = ap.parse_args()
    pg = os.environ.get("SIGAP_TEST_PG", "")
    if a.backend is None:
        backends = ["sqlite"] + (["pg"] if pg.startswith("postgres") else [])
    elif a.backend == "both":
        backends = ["sqlite", "pg"]
    else:
        backends = [a.backend]
    if "pg" in backends and not pg.startswith("postgres"):
        print("the pg backend needs SIGAP_TEST_PG=postgresql://... (see scripts/pg-test-server.sh)")
        print("0 passed, 1 failed")
        return 1
    if not os.access(harness.sigap_bin(), os.X_OK):
        print("no sigap binary at %s (build it with ninja -C build, or set SIGAP_BIN)" % harness.sigap_bin())
        print("0 passed, 1 failed")
        return 1
    tests = discover(a.pattern)
    results = Results()
    t0 = time.time()
    # the backends run side by side: they share nothing but the binary
    threads = [threading.Thread(target=run_backend, args=(b, tests, results, a.keep)) for b in backends]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("e2e run took %.1fs on %s" % (time.time() - t0, ", ".join(backends)))
    if results.failures:
        more = len(results.failures) - 30
        print("failed: " + ", ".join(results.failures[:30]) + (" and %d more" % more if more > 0 else ""))
    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
