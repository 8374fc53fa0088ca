#!/usr/bin/env python3
"""scale_measure.py: times every read page and API list of one tenant on a running sigap, per role.

    bench/scale_measure.py --port PORT [--tenant 52.71] [--repeat 9] [--out FILE] [--ref FILE]

Signs in as each demo user of the tenant (the server must run with --two-factor-roles none),
finds sample ids from the pages themselves (a recent and an old complaint, an application of
the demo citizen, a proposal), then requests every path of the list below: two warm-up requests,
then --repeat timed ones on a kept-alive connection. Prints one line per path: role, status,
body size, median and 90th percentile in ms. With --out it also writes the medians as JSON;
with --ref (such a file from another build) it prints the ratio median/reference median.
Standard library only. Exit status 0 whatever the figures.
"""
import argparse
import http.client
import json
import re
import statistics
import sys
import time
import urllib.parse

PASSWORD = "sigap-demo-2026"


class Client:
    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def req(self, method, path, body=None):
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                r = self.conn.getresponse()
                data = r.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt:
                    raise
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";")[0]
        return r.status, data

    def login(self, tenant, user):
        st, page = self.req("GET", "/t/%s/masuk" % tenant)
        m = re.search(rb'name="_csrf" value="([0-9a-f]+)"', page)
        st, _ = self.req("POST", "/t/%s/masuk" % tenant, {"_csrf": m.group(1).decode(), "username": user,
                                                          "password": PASSWORD})
        if st != 303:
            sys.exit("scale_measure: sign-in as %s failed (%d); run the server with --two-factor-roles none" % (user, st))


def first(pattern, data, default=None):
    m = re.search(pattern, data)
    return m.group(1).decode() if m else default


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tenant", default="52.71")
    ap.add_argument("--repeat", type=int, default=9)
    ap.add_argument("--out")
    ap.add_argument("--ref")
    ap.add_argument("--only", action="append", default=[], help="only labels containing this (repeatable)")
    a = ap.parse_args()
    T = a.tenant
    roles = ["warga", "petugas", "admin_opd", "kepala_opd", "koordinator", "sekda", "wakil", "kepala_daerah", "dprd",
             "admin"]
    cl = {"visitor": Client(a.port)}
    for r in roles:
        cl[r] = Client(a.port)
        cl[r].login(T, r)

    # sample ids, read from the pages
    v = cl["visitor"]
    _, page = v.req("GET", "/t/%s/pengaduan" % T)
    recent = first(rb'/t/[0-9.]+/pengaduan/([0-9]+)"', page, "1")
    _, page = v.req("GET", "/t/%s/pengaduan?hal=2000" % T)
    old = first(rb'/t/[0-9.]+/pengaduan/([0-9]+)"', page, recent)
    _, page = cl["warga"].req("GET", "/t/%s/permohonan" % T)
    app = first(rb'/t/[0-9.]+/permohonan/([0-9]+)"', page, "1")
    _, page = cl["sekda"].req("GET", "/t/%s/usulan" % T)
    prop = first(rb'/t/[0-9.]+/usulan/([0-9]+)"', page, "1")
    _, page = v.req("GET", "/open311/v2/services.json?jurisdiction_id=%s" % T)
    code = first(rb'"service_code":"([^"]+)"', page, "jalan")
    _, page = cl["admin"].req("GET", "/t/%s/admin/pengguna" % T)
    now = time.time()
    d = lambda days: urllib.parse.quote(time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - days * 86400)))
    o311 = "/open311/v2/requests.json?jurisdiction_id=%s" % T

    paths = [
        ("visitor", "portal", "/"),
        ("visitor", "tenant home", "/t/%s" % T),
        ("visitor", "complaints list", "/t/%s/pengaduan" % T),
        ("visitor", "complaints list page 20", "/t/%s/pengaduan?hal=20" % T),
        ("visitor", "complaints list page 400", "/t/%s/pengaduan?hal=400" % T),
        ("visitor", "complaints list page 3000", "/t/%s/pengaduan?hal=3000" % T),
        ("visitor", "complaints list status=selesai", "/t/%s/pengaduan?status=selesai" % T),
        ("visitor", "complaints list status=baru", "/t/%s/pengaduan?status=baru" % T),
        ("visitor", "complaints list status=baru page 20", "/t/%s/pengaduan?status=baru&hal=20" % T),
        ("visitor", "complaints list kategori=jalan", "/t/%s/pengaduan?kategori=jalan" % T),
        ("visitor", "complaints list kategori+status", "/t/%s/pengaduan?kategori=jalan&status=dijawab" % T),
        ("visitor", "complaints list jenis=informasi", "/t/%s/pengaduan?jenis=informasi" % T),
        ("visitor", "complaints list kelurahan", "/t/%s/pengaduan?kelurahan=52.71.02.1011" % T),
        ("visitor", "complaints list kelurahan+status", "/t/%s/pengaduan?kelurahan=52.71.02.1011&status=selesai" % T),
        ("visitor", "complaints list by number", "/t/%s/pengaduan?nomor=%s/ADU/2025/000100" % (T, T)),
        ("visitor", "complaint detail (recent)", "/t/%s/pengaduan/%s" % (T, recent)),
        ("visitor", "complaint detail (old)", "/t/%s/pengaduan/%s" % (T, old)),
        ("visitor", "complaint form", "/t/%s/pengaduan/baru" % T),
        ("visitor", "open311 requests (default 90 days)", o311),
        ("visitor", "open311 requests status=open", o311 + "&status=open"),
        ("visitor", "open311 requests status=closed", o311 + "&status=closed"),
        ("visitor", "open311 requests service_code", o311 + "&service_code=" + code),
        ("visitor", "open311 requests 2 years ago", o311 + "&start_date=%s&end_date=%s" % (d(800), d(730))),
        ("visitor", "open311 requests ids", o311 + "&service_request_id=%s,%s" % (recent, old)),
        ("visitor", "open311 requests xml", o311.replace(".json", ".xml")),
        ("visitor", "open311 request", "/open311/v2/requests/%s.json?jurisdiction_id=%s" % (old, T)),
        ("visitor", "open311 services", "/open311/v2/services.json?jurisdiction_id=%s" % T),
        ("visitor", "services catalogue", "/t/%s/layanan" % T),
        ("visitor", "services search", "/t/%s/layanan?q=ktp" % T),
        ("visitor", "track application", "/t/%s/lacak?nomor=%s/PMH/2025/000050" % (T, T)),
        ("visitor", "api track", "/api/v1/t/%s/track?number=%s/PMH/2025/000050" % (T, T)),
        ("visitor", "jdih", "/t/%s/jdih" % T),
        ("visitor", "api decisions", "/api/v1/t/%s/keputusan" % T),
        ("visitor", "open data catalogue", "/api/v1/t/%s/data-terbuka" % T),
        ("visitor", "api tenants", "/api/v1/tenants"),
        ("visitor", "api services", "/api/v1/t/%s/services" % T),
        ("warga", "dashboard", "/t/%s/dasbor" % T),
        ("warga", "my applications", "/t/%s/permohonan" % T),
        ("warga", "api my applications", "/api/v1/t/%s/applications" % T),
        ("warga", "application", "/t/%s/permohonan/%s" % (T, app)),
        ("warga", "my complaints", "/t/%s/pengaduan/kelola" % T),
        ("warga", "api me", "/api/v1/t/%s/me" % T),
        ("petugas", "dashboard", "/t/%s/dasbor" % T),
        ("petugas", "complaint queue", "/t/%s/pengaduan/kelola" % T),
        ("petugas", "complaint queue status=selesai", "/t/%s/pengaduan/kelola?status=selesai" % T),
        ("petugas", "services queue", "/t/%s/antrian" % T),
        ("petugas", "services queue all", "/t/%s/antrian?semua=1" % T),
        ("petugas", "api queue", "/api/v1/t/%s/queue" % T),
        ("petugas", "complaint detail", "/t/%s/pengaduan/%s" % (T, recent)),
        ("admin_opd", "dashboard", "/t/%s/dasbor" % T),
        ("admin_opd", "complaint queue", "/t/%s/pengaduan/kelola" % T),
        ("admin_opd", "services queue", "/t/%s/antrian" % T),
        ("admin_opd", "proposals", "/t/%s/usulan" % T),
        ("kepala_opd", "dashboard", "/t/%s/dasbor" % T),
        ("kepala_opd", "services queue", "/t/%s/antrian" % T),
        ("kepala_opd", "proposals", "/t/%s/usulan" % T),
        ("kepala_opd", "performance dashboard", "/t/%s/kinerja" % T),
        ("koordinator", "dashboard", "/t/%s/dasbor" % T),
        ("koordinator", "complaint queue", "/t/%s/pengaduan/kelola" % T),
        ("koordinator", "complaint queue status=baru", "/t/%s/pengaduan/kelola?status=baru" % T),
        ("koordinator", "complaint queue status=selesai", "/t/%s/pengaduan/kelola?status=selesai" % T),
        ("koordinator", "complaint detail", "/t/%s/pengaduan/%s" % (T, recent)),
        ("koordinator", "complaint settings", "/t/%s/pengaduan/pengaturan" % T),
        ("sekda", "dashboard", "/t/%s/dasbor" % T),
        ("sekda", "proposals", "/t/%s/usulan" % T),
        ("sekda", "proposals summary", "/t/%s/usulan/rekap" % T),
        ("sekda", "proposal", "/t/%s/usulan/%s" % (T, prop)),
        ("sekda", "api proposals", "/api/v1/t/%s/usulan" % T),
        ("sekda", "api proposals all", "/api/v1/t/%s/usulan?all=1" % T),
        ("sekda", "complaint queue", "/t/%s/pengaduan/kelola" % T),
        ("sekda", "services queue", "/t/%s/antrian" % T),
        ("sekda", "performance dashboard", "/t/%s/kinerja" % T),
        ("sekda", "performance api", "/api/v1/t/%s/kinerja" % T),
        ("sekda", "ikm", "/t/%s/kinerja/ikm" % T),
        ("sekda", "export xlsx", "/t/%s/kinerja/ekspor/semua.xlsx" % T),
        ("sekda", "export opd csv", "/t/%s/kinerja/ekspor/opd.csv" % T),
        ("sekda", "report pdf", "/t/%s/kinerja/laporan.pdf" % T),
        ("sekda", "audit log", "/t/%s/admin/audit" % T),
        ("wakil", "dashboard", "/t/%s/dasbor" % T),
        ("wakil", "proposals", "/t/%s/usulan" % T),
        ("kepala_daerah", "dashboard", "/t/%s/dasbor" % T),
        ("kepala_daerah", "proposals", "/t/%s/usulan" % T),
        ("dprd", "dashboard", "/t/%s/dasbor" % T),
        ("dprd", "proposals", "/t/%s/usulan" % T),
        ("admin", "dashboard", "/t/%s/dasbor" % T),
        ("admin", "administration", "/t/%s/admin" % T),
        ("admin", "users", "/t/%s/admin/pengguna" % T),
        ("admin", "user", "/t/%s/admin/pengguna/warga" % T),
        ("admin", "audit log", "/t/%s/admin/audit" % T),
        ("admin", "api keys", "/t/%s/admin/kunci-api" % T),
        ("admin", "services editor list", "/t/%s/admin/layanan" % T),
        ("admin", "units", "/t/%s/admin/opd" % T),
    ]
    # open data files, from the catalogue
    _, cat = v.req("GET", "/api/v1/t/%s/data-terbuka" % T)
    for f in sorted(set(re.findall(rb'/data-terbuka/([A-Za-z0-9_-]+\.(?:csv|json))', cat))):
        if f.endswith(b".schema.json"):
            continue
        paths.append(("visitor", "open data " + f.decode(), "/api/v1/t/%s/data-terbuka/%s" % (T, f.decode())))

    ref = {}
    if a.ref:
        with open(a.ref) as fh:
            ref = json.load(fh)
    out = {}
    print("%-13s %-40s %4s %9s %9s %9s%s" % ("role", "path", "st", "bytes", "p50 ms", "p90 ms",
                                             "   ratio" if ref else ""))
    for role, label, path in paths:
        key = role + " " + label
        if a.only and not any(o in key for o in a.only):
            continue
        c = cl[role]
        times = []
        st = size = 0
        for i in range(2 + a.repeat):
            t = time.perf_counter()
            st, body = c.req("GET", path)
            el = (time.perf_counter() - t) * 1000
            size = len(body)
            if i >= 2:
                times.append(el)
        times.sort()
        p50 = statistics.median(times)
        p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
        out[key] = p50
        extra = ""
        if key in ref and ref[key] > 0:
            extra = "   %5.2fx" % (p50 / ref[key])
        print("%-13s %-40s %4d %9d %9.2f %9.2f%s" % (role, label, st, size, p50, p90, extra), flush=True)
    if a.out:
        with open(a.out, "w") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
