#!/usr/bin/env python3
"""jdih_register.py: the public register of decisions (JDIH, /t/52.71/jdih) with many entries.

  bench/jdih_register.py gen PORT [N]     N more published decisions (default 500) through the
                                          real flow (created by the demo kepala_opd, signed by
                                          the Sekda, the Wakil and the Kepala Daerah with the
                                          demo keys), on a server started on the demo database
                                          with --two-factor-roles none
  bench/jdih_register.py time PORT [RUNS]  GET times (ms: median and 95th percentile of RUNS,
                                          default 200) of the register's first page, a later
                                          page, a search and the JSON API's 200 a page

Each entry of the register is verified when it is shown (docs/governance.md, "The register");
this measures what that costs. Figures: docs/governance.md.
"""
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from harness import Client, DEMO_PASSWORD, TENANT  # noqa: E402

T = "/t/%s" % TENANT


def client(port, user):
    c = Client(port)
    c.login(TENANT, user)
    c.csrf_token = c.session_csrf(TENANT)
    return c


def act(c, pid, action, **fields):
    data = {"_csrf": c.csrf_token, "action": action, "passphrase": DEMO_PASSWORD}
    data.update(fields)
    c.post_form("%s/usulan/%d/tindakan" % (T, pid), data).expect(303)


def gen(port, n):
    opd, s, w, kd = (client(port, u) for u in ("kepala_opd", "sekda", "wakil", "kepala_daerah"))
    t0 = time.time()
    for i in range(n):
        r = opd.post_form(T + "/usulan", {
            "_csrf": opd.csrf_token, "kind": "telaahan", "urgency": "biasa", "is_public": "1",
            "title": "Penyesuaian jam layanan kantor %d" % (i + 1),
            "background": "Antrean panjang di Mal Pelayanan Publik pada jam sibuk.",
            "analysis": "Data kunjungan tiga bulan terakhir menunjukkan puncak antara pukul 15.00 dan 17.00.",
            "options": "1. Tetap\n2. Diperpanjang sampai pukul 18.00",
            "proposed": "Memperpanjang jam layanan loket %d sampai pukul 18.00 pada hari kerja, "
                        "dengan petugas bergiliran dan tanpa biaya tambahan bagi warga." % (i + 1)}).expect(303)
        pid = int(re.match(r"^/t/[0-9.]+/usulan/(\d+)$", r.header("location")).group(1))
        act(opd, pid, "ajukan")
        act(s, pid, "saran", verdict="setuju", note="sejalan dengan target IKM")
        act(w, pid, "pertimbangan", verdict="setuju", note="dukung, perhatikan lembur petugas")
        act(kd, pid, "keputusan", verdict="setuju", note="laksanakan", is_public="1")
        if (i + 1) % 50 == 0:
            print("%d decisions (%.0f s)" % (i + 1, time.time() - t0), flush=True)


def timed(c, path, runs):
    c.get(path).expect(200)  # warm
    ms = []
    for _ in range(runs):
        t = time.perf_counter()
        c.get(path).expect(200)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[int(len(ms) * 0.95) - 1]


def time_pages(port, runs):
    c = Client(port)
    total = re.search(r'<p id="found" role="status">(\d+)', c.get(T + "/jdih").expect(200).text).group(1)
    print("register: %s decisions" % total)
    for label, path in (("page 1", T + "/jdih"), ("page 10", T + "/jdih?hal=10"),
                        ("search 'loket 1'", T + "/jdih?q=loket+1"),
                        ("API, 200 a page", "/api/v1/t/%s/keputusan?per_page=200" % TENANT)):
        med, p95 = timed(c, path, runs)
        print("%-18s median %6.2f ms  p95 %6.2f ms" % (label, med, p95))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] not in ("gen", "time"):
        sys.exit(__doc__)
    if sys.argv[1] == "gen":
        gen(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 500)
    else:
        time_pages(int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 200)
