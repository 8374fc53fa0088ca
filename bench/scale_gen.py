#!/usr/bin/env python3
"""scale_gen.py: fill a sigap database with a province's worth of history, for bench/scale.sh.

    sigap init --db DB --demo                 # the real schema (every migration) and the demo
    bench/scale_gen.py --db DB [--complaints 1200000] [--tenants 200] [--big-share 0.17]

DB is a SQLite file or a postgresql:// URL (loaded with psql's COPY). The demo's two tenants
stay; kabupaten/kota from the region list are added as tenants until there are --tenants, each
with Kota Mataram's OPDs, complaint categories and services. Then, for every tenant, users
(officials and many citizens, with the demo password), sessions, complaints with their events,
photo rows, duplicate suggestions and merges, service applications with their events,
proposals with a version (and decisions for the approved ones), notifications and audit
entries. Kota Mataram (52.71, the demo tenant) gets --big-share of the complaints.

It is a fixture, not a test of intake: rows go in directly, in id (time) order over the last
three years, but keeping what the application relies on: registration numbers and their
sequences, the audit hash chain of every tenant (audit_entry_hash in src/audit/audit.c, so
`sigap audit verify` passes), PostgreSQL's id sequences. The performance counters are not
filled here (bench/performance_gen.c feeds them through the real API; bench/scale.sh runs it
for 52.71).

Deterministic (fixed seed). Prints the row counts per table.
"""
import argparse
import hashlib
import os
import random
import sqlite3
import subprocess
import sys
import time

DAY = 86400
GENESIS = "0" * 64

STATUS_OLD = [("selesai", 66), ("dijawab", 8), ("disposisi", 5), ("bukan_wewenang", 5), ("arsip", 6),
              ("digabung", 4), ("baru", 3), ("tunda", 3)]
STATUS_NEW = [("baru", 30), ("tunda", 10), ("disposisi", 40), ("dijawab", 20)]
WORDS = ("jalan rusak berlubang lampu mati sampah menumpuk saluran tersumbat banjir parkir liar "
         "macet pohon tumbang air bersih tidak mengalir pelayanan lambat pungutan liar ktp kk "
         "sekolah puskesmas antrean panjang bau asap bising kabel putus trotoar").split()


def pick(rng, weighted):
    tot = sum(w for _, w in weighted)
    x = rng.randrange(tot)
    for v, w in weighted:
        if x < w:
            return v
        x -= w
    return weighted[-1][0]


def audit_hash(prev, tenant, seq, ts, actor, action, obj, summary):
    h = hashlib.sha256()
    for f in ("sigap-audit-v1", prev, tenant, str(seq), str(ts), actor, action, obj, summary):
        b = f.encode()
        h.update(b"%d:" % len(b))
        h.update(b)
    return h.hexdigest()


class Sqlite:
    def __init__(self, path):
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.execute("PRAGMA cache_size=-262144")
        self.db.execute("PRAGMA foreign_keys=OFF")

    def query(self, sql):
        return [tuple(r) for r in self.db.execute(sql).fetchall()]

    def script(self, sql):
        self.db.executescript(sql)

    def copy(self, table, cols, rows):
        sql = "INSERT INTO %s (%s) VALUES (%s)" % (table, ", ".join(cols), ", ".join("?" * len(cols)))
        n = 0
        self.db.execute("BEGIN")
        batch = []
        for r in rows:
            batch.append(r)
            if len(batch) >= 20000:
                self.db.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.db.executemany(sql, batch)
            n += len(batch)
        self.db.execute("COMMIT")
        return n

    def finish(self):
        # no ANALYZE: sigap never runs it, so a real database has no sqlite_stat1
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.close()


def pg_text(v):
    if v is None:
        return "\\N"
    s = str(v)
    if "\\" in s or "\t" in s or "\n" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return s


class Pg:
    def __init__(self, url):
        self.url = url

    def psql(self, args, input=None):
        p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-At", "-F", "\t", self.url] + args,
                           input=input, capture_output=True, text=True)
        if p.returncode:
            sys.exit("psql: " + p.stderr)
        return p.stdout

    def query(self, sql):
        out = self.psql(["-c", sql])
        return [tuple(None if f == "" else f for f in line.split("\t")) for line in out.splitlines()]

    def script(self, sql):
        self.psql(["-f", "-"], input=sql)  # on stdin: too long for an argument

    def copy(self, table, cols, rows):
        p = subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-c",
                              "COPY %s (%s) FROM STDIN" % (table, ", ".join(cols))],
                             stdin=subprocess.PIPE, text=True)
        n = 0
        buf = []
        for r in rows:
            buf.append("\t".join(pg_text(v) for v in r))
            n += 1
            if len(buf) >= 20000:
                p.stdin.write("\n".join(buf) + "\n")
                buf = []
        if buf:
            p.stdin.write("\n".join(buf) + "\n")
        p.stdin.close()
        if p.wait():
            sys.exit("psql COPY %s failed" % table)
        return n

    def finish(self):
        for t in ("users", "complaints", "complaints_events", "services_apps", "services_events", "notifications",
                  "governance_proposals"):
            self.psql(["-c", "SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT MAX(id) FROM %s))" % (t, t)])
        self.psql(["-c", "VACUUM ANALYZE"])


def tz_for(code):
    p = int(code[:2])
    if p >= 81:
        return 32400, "WIT"
    if p in (51, 52, 53, 63, 64, 65) or 71 <= p <= 76:
        return 28800, "WITA"
    return 25200, "WIB"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--complaints", type=int, default=1200000)
    ap.add_argument("--tenants", type=int, default=200)
    ap.add_argument("--big", default="52.71")
    ap.add_argument("--big-share", type=float, default=0.17)
    a = ap.parse_args()
    rng = random.Random(20261201)
    st = Pg(a.db) if a.db.startswith(("postgres://", "postgresql://")) else Sqlite(a.db)
    now = int(time.time())
    t0 = time.time()
    counts = {}

    def copy(table, cols, rows):
        t = time.time()
        n = st.copy(table, cols, rows)
        counts[table] = counts.get(table, 0) + n
        print("  %-22s %9d rows  %5.1f s" % (table, n, time.time() - t), file=sys.stderr, flush=True)

    big = a.big
    have = [r[0] for r in st.query("SELECT code FROM tenants ORDER BY code")]
    if big not in have:
        sys.exit("scale_gen: tenant %s missing: run `sigap init --db DB --demo` first" % big)
    if len(have) > 3:
        sys.exit("scale_gen: the database already has %d tenants: start from a fresh demo database" % len(have))
    cand = [r for r in st.query("SELECT code, name FROM regions WHERE level = 2 ORDER BY code") if r[0] not in have]
    rng.shuffle(cand)
    new = sorted(cand[:max(0, a.tenants - len(have))])
    # tenants, and Kota Mataram's OPDs, categories and services copied to each
    copy("tenants", ["code", "name", "level", "head_title", "tz_offset", "tz_name", "created_at"],
         ((c, n, 2, "Wali Kota" if n.startswith("Kota ") else "Bupati", tz_for(c)[0], tz_for(c)[1], now - 3 * 365 * DAY)
          for c, n in new))
    for c, _ in new:
        st.script(
            "INSERT INTO units (tenant, code, name, kind, created_at) SELECT '{t}', code, name, kind, created_at "
            "FROM units WHERE tenant = '{b}';"
            "INSERT INTO complaints_categories (tenant, code, name, unit, sla_class, active, version) "
            "SELECT '{t}', code, name, unit, sla_class, active, version FROM complaints_categories WHERE tenant = '{b}';"
            "INSERT INTO services (tenant, code, unit, current_ver, active, created_at, updated_at, version) "
            "SELECT '{t}', code, unit, current_ver, active, created_at, updated_at, version FROM services "
            "WHERE tenant = '{b}';"
            "INSERT INTO services_versions (tenant, service_id, ver, unit, name, category, summary, requirements, "
            "procedure, sla_days, fee, product, complaints, legal_basis, form_json, steps_json, created_at, created_by) "
            "SELECT '{t}', n.id, v.ver, v.unit, v.name, v.category, v.summary, v.requirements, v.procedure, v.sla_days, "
            "v.fee, v.product, v.complaints, v.legal_basis, v.form_json, v.steps_json, v.created_at, v.created_by "
            "FROM services_versions v JOIN services o ON o.tenant = v.tenant AND o.id = v.service_id "
            "JOIN services n ON n.tenant = '{t}' AND n.code = o.code WHERE v.tenant = '{b}';".format(t=c, b=big))
    tenants = have + [c for c, _ in new]
    tenants = [t for t in tenants if t != "52"] + (["52"] if "52" in tenants else [])
    catsof, unitsof = {}, {}
    for t, code, unit, sla in st.query("SELECT tenant, code, unit, sla_class FROM complaints_categories ORDER BY tenant, code"):
        catsof.setdefault(t, []).append((code, unit, sla))
    for t, code in st.query("SELECT tenant, code FROM units ORDER BY tenant, code"):
        unitsof.setdefault(t, []).append(code)
    svc = {}
    for t, sid, code, unit, ver in st.query("SELECT tenant, id, code, unit, current_ver FROM services ORDER BY tenant, id"):
        svc.setdefault(t, []).append((int(sid), unit, int(ver)))
    kel = [r[0] for r in st.query("SELECT code FROM regions WHERE code LIKE '%s.__.____' ORDER BY code" % big)] or [""]
    pwhash = st.query("SELECT password_hash FROM users WHERE tenant = '%s' AND username = 'warga'" % big)[0][0]
    demo_ids = {(r[0], r[1]): int(r[2]) for r in st.query("SELECT tenant, username, id FROM users")}
    maxid = lambda t: int(st.query("SELECT COALESCE(MAX(id), 0) FROM %s" % t)[0][0])
    heads = {r[0]: (int(r[1]), r[2]) for r in st.query("SELECT tenant, seq, hash FROM audit_heads")}
    seqs = {}

    # ------------------------------------------------------------------ sizes per tenant
    others = [t for t in tenants if t != big]
    nbig = int(a.complaints * a.big_share)
    per = (a.complaints - nbig) // max(1, len(others))
    ncpl = {t: (nbig if t == big else per) for t in tenants}
    nwarga = {t: max(200, ncpl[t] // 7) for t in tenants}

    # ------------------------------------------------------------------ users, sessions
    uid = maxid("users")
    warga = {}
    officials = ("petugas", "admin_opd", "kepala_opd")

    def users():
        nonlocal uid
        for t in tenants:
            ids = []
            if (t, "warga") in demo_ids:
                ids.append(demo_ids[(t, "warga")])
            for i in range(nwarga[t]):
                uid += 1
                ids.append(uid)
                yield (uid, t, "w%06d" % i, "Warga %d" % i, "warga", None, "w%d@example.id" % i, None, None, pwhash,
                       now - rng.randrange(3 * 365 * DAY), now)
            for u in unitsof.get(t, []):
                for role in officials:
                    uid += 1
                    yield (uid, t, "%s.%s" % (role, u.lower()), "%s %s" % (role, u), role, u, None, None, None, pwhash,
                           now - 3 * 365 * DAY, now)
            warga[t] = ids

    copy("users", ["id", "tenant", "username", "full_name", "role", "unit", "email", "phone", "nik", "password_hash",
                   "created_at", "updated_at"], users())

    def sessions():
        for t in tenants:
            for u in warga[t][1:]:
                if rng.random() < 0.5:
                    for k in range(rng.randrange(1, 4)):
                        exp = now - rng.randrange(365 * DAY) if k else now + rng.randrange(-2 * DAY, 8 * 3600)
                        yield (os.urandom(16).hex(), t, u, "c", exp - 8 * 3600, exp)

    copy("sessions", ["token_hash", "tenant", "user_id", "csrf", "created_at", "expires_at"], sessions())

    # ------------------------------------------------------------------ complaints and what hangs off them
    cid = maxid("complaints")
    eid = maxid("complaints_events")
    span = 3 * 365 * DAY
    cpl_rows, ev_rows, ph_rows, dup_rows, notif_c, audit_c = [], [], [], [], [], []
    # generated per tenant, written per table (each a generator over the lists)
    plan = []
    for t in tenants:
        n = ncpl[t]
        ids = []
        for i in range(n):
            cid += 1
            ts = now - span + (span * i) // max(1, n) + rng.randrange(60)
            ids.append((cid, ts))
        plan.append((t, ids))

    def complaints():
        for t, ids in plan:
            yr_seq = {}
            first_of_t = ids[0][0] if ids else 0
            for cid_, ts in ids:
                cats = catsof.get(t) or catsof[big]
                cat, unit, sla = cats[rng.randrange(len(cats))]
                age = now - ts
                status = pick(rng, STATUS_NEW if age < 14 * DAY else STATUS_OLD)
                year = time.gmtime(ts).tm_year
                yr_seq[year] = yr_seq.get(year, 0) + 1
                number = "%s/ADU/%d/%06d" % (t, year, yr_seq[year])
                w = warga[t]
                rep = w[0] if (t == big and rng.random() < 0.002) else (w[rng.randrange(len(w))] if rng.random() < 0.4 else 0)
                ident = "terbuka" if rep and rng.random() < 0.8 else pick(rng, [("terbuka", 6), ("anonim", 3), ("rahasia", 1)])
                title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
                desc = " ".join(rng.choice(WORDS) for _ in range(30))
                loc = rng.random() < 0.7
                lat, lon = -8583000 + rng.randrange(-40000, 40000), 116116000 + rng.randrange(-40000, 40000)
                k = kel[rng.randrange(len(kel))] if t == big else ""
                routed = status not in ("baru", "tunda")
                answered = status in ("dijawab", "selesai")
                merged = 0
                if status == "digabung" and cid_ > first_of_t:
                    merged = first_of_t + rng.randrange(cid_ - first_of_t)
                elif status == "digabung":
                    status = "arsip"
                kind = pick(rng, [("pengaduan", 8), ("aspirasi", 1), ("informasi", 1)])
                upd = min(now, ts + rng.randrange(1, 20 * DAY)) if status not in ("baru",) else ts
                yield (cid_, t, number, kind, title, desc, cat if routed or rng.random() < 0.5 else "",
                       unit if routed else "", sla, status, ident, rep, "Pelapor %d" % rep if rep else "Pelapor",
                       "", "08123456789" if ident != "anonim" else "", 1 if loc else 0, lat if loc else 0,
                       lon if loc else 0, k, "Jl. Contoh No. %d" % rng.randrange(200), rng.choice(("web", "web", "open311")),
                       cat, rng.randrange(400, 1000), "", "", "Sudah ditangani." if answered else "",
                       "petugas" if answered else "", upd if answered else 0,
                       rng.randrange(1, 6) if status == "selesai" else 0, 0, 0, merged,
                       ts + 3 * DAY, ts + 17 * DAY if routed else 0, ts + 19 * DAY, ts, upd, 1)
                # events: filing, then one per step to the status
                steps = {"baru": 0, "tunda": 1, "disposisi": 1, "bukan_wewenang": 1, "arsip": 1, "digabung": 1,
                         "dijawab": 2, "selesai": 3}[status]
                acts = [("ajukan", "baru", "")] + [("verifikasi", "disposisi", ""), ("jawab", "dijawab", "Sudah."),
                                                   ("nilai", "selesai", "")][:steps]
                if status in ("tunda", "bukan_wewenang", "arsip", "digabung"):
                    acts[-1] = ({"tunda": "tunda", "bukan_wewenang": "bukan_wewenang", "arsip": "arsipkan",
                                 "digabung": "gabung"}[status], status, "")
                for j, (act, stt, note) in enumerate(acts):
                    ev_rows.append((t, cid_, ts + j * 3 * DAY // 2, "petugas" if j else "", "petugas" if j else "",
                                    act, stt, note, 1))
                if rng.random() < 0.3:
                    for j in range(rng.randrange(1, 4)):
                        ph_rows.append((t, cid_, j, hashlib.sha256(b"%d-%d" % (cid_, j)).hexdigest(), "image/jpeg"))
                if rng.random() < 0.1 and cid_ > first_of_t:
                    for c2 in sorted(set(max(first_of_t, cid_ - 1 - rng.randrange(min(500, cid_ - first_of_t)))
                                         for _ in range(rng.randrange(1, 4)))):
                        dup_rows.append((t, cid_, c2, rng.randrange(500, 1000), rng.randrange(0, 300)))
                notif_c.append((t, 0, "petugas", unit or None, "pengaduan", "complaint:%d" % cid_,
                                "Pengaduan baru %s" % number, ts))
                if rep and answered:
                    notif_c.append((t, rep, None, None, "pengaduan", "complaint:%d" % cid_,
                                    "Pengaduan %s dijawab" % number, ts + 4 * DAY))
                audit_c.append((t, ts, "warga" if rep else "anonim", "complaint.create", "complaint:%d" % cid_, number))
            for y, v in yr_seq.items():
                seqs[(t, "ADU", y)] = v

    cols_c = ["id", "tenant", "number", "kind", "title", "description", "category", "unit", "sla_class", "status",
              "identity", "reporter_user_id", "reporter_name", "reporter_email", "reporter_phone",
              "has_location", "lat_e6", "lon_e6",
              "kelurahan", "address", "source", "route_category", "route_confidence_milli", "route_explanation",
              "forwarded_to", "answer", "answered_by", "answered_at", "rating", "reopened", "escalation", "merged_into",
              "verify_due", "answer_due", "expected_at", "created_at", "updated_at", "version"]
    # the demo's own complaints keep their numbers: start the demo tenant's sequence after them
    existing = {(r[0], int(r[2])): int(r[3]) for r in st.query("SELECT tenant, kind, year, value FROM sequences WHERE kind = 'ADU'")}

    def renumber(rows):
        for r in rows:
            t, num = r[1], r[2]
            y = int(num.split("/")[2])
            off = existing.get((t, y), 0)
            if off:
                r = r[:2] + ("%s/ADU/%d/%06d" % (t, y, int(num.split("/")[3]) + off),) + r[3:]
            yield r

    copy("complaints", cols_c, renumber(complaints()))
    for (t, k, y), v in list(seqs.items()):
        seqs[(t, k, y)] = v + existing.get((t, y), 0)
    ev_cols = ["tenant", "complaint_id", "ts", "actor", "actor_role", "action", "status", "note", "public"]
    ev_rows.sort(key=lambda r: r[2])
    copy("complaints_events", ev_cols, iter(ev_rows))
    ev_rows.clear()
    copy("complaints_photos", ["tenant", "complaint_id", "idx", "hash", "mime"], iter(ph_rows))
    copy("complaints_duplicates", ["tenant", "complaint_id", "candidate_id", "score_milli", "distance_m"], iter(dup_rows))
    ph_rows.clear()
    dup_rows.clear()

    # ------------------------------------------------------------------ service applications
    aid = maxid("services_apps")
    app_rows, sev_rows, notif_a, audit_a = [], [], [], []
    for t in tenants:
        if t not in svc:
            continue
        n = ncpl[t] // 4
        yr_seq = {}
        for i in range(n):
            aid += 1
            ts = now - span + (span * i) // max(1, n) + rng.randrange(60)
            sid, unit, ver = svc[t][rng.randrange(len(svc[t]))]
            w = warga[t]
            appl = w[0] if (t == big and rng.random() < 0.002) else w[rng.randrange(len(w))]
            age = now - ts
            state = pick(rng, [(0, 50), (1, 15), (3, 30), (2, 5)] if age < 30 * DAY else [(3, 85), (2, 8), (4, 5), (0, 2)])
            year = time.gmtime(ts).tm_year
            yr_seq[year] = yr_seq.get(year, 0) + 1
            number = "%s/PMH/%d/%06d" % (t, year, yr_seq[year])
            closed = ts + rng.randrange(DAY, 20 * DAY) if state in (2, 3, 4) else None
            app_rows.append((aid, t, number, sid, ver, unit, appl, "Pemohon %d" % appl, "5271010101900001",
                             '{"alamat":"Jl. Contoh"}', state, 0, ts, ts // DAY + 10, "V%014x" % aid,
                             min(now, closed) if closed else None, min(now, closed or ts)))
            sev_rows.append((t, aid, ts, "warga", "ajukan", 0, "Verifikasi", "", 0))
            if state:
                sev_rows.append((t, aid, min(now, closed or ts + DAY), "petugas", "proses", state, "Verifikasi", "", 0))
            notif_a.append((t, 0, "petugas", unit, "permohonan", "application:%d" % aid, "Permohonan baru %s" % number, ts))
            audit_a.append((t, ts, "warga", "application.create", "application:%d" % aid, number))
        for y, v in yr_seq.items():
            seqs[(t, "PMH", y)] = v
    copy("services_apps", ["id", "tenant", "number", "service_id", "service_ver", "unit", "applicant_id",
                           "applicant_name", "nik", "data_json", "state", "step", "filed_at", "due_day", "verify_code",
                           "closed_at", "updated_at"], iter(app_rows))
    app_rows.clear()
    sev_rows.sort(key=lambda r: r[2])
    copy("services_events", ["tenant", "app_id", "ts", "actor", "action", "state", "step_name", "note", "internal"],
         iter(sev_rows))
    sev_rows.clear()

    # ------------------------------------------------------------------ proposals
    pid = maxid("governance_proposals")
    props, vers, decs, audit_p = [], [], [], []
    for t in tenants:
        n = max(30, ncpl[t] // 100)
        for i in range(n):
            pid += 1
            ts = now - span + (span * i) // n
            state = pick(rng, [("disetujui", 50), ("ditolak", 10), ("draf", 8), ("diajukan", 10), ("pertimbangan", 8),
                               ("keputusan", 8), ("dikembalikan", 6)])
            units = unitsof.get(t) or unitsof[big]
            unit = units[rng.randrange(len(units))]
            title = "Usulan %s nomor %d" % (rng.choice(WORDS), i)
            props.append((pid, t, unit, "usulan", title, "biasa", 0, 1 if state == "disetujui" else 0, state,
                          "admin_opd", ts, ts + 5 * DAY, ts + 5 * DAY, ts + 12 * DAY if state not in ("disetujui", "ditolak", "draf") else 0))
            vers.append((t, pid, 1, "usulan", unit, title, "Latar", "Analisis", "Opsi", "Usulan", "biasa", 0,
                         hashlib.sha256(b"%d" % pid).hexdigest(), "admin_opd", ts))
            if state in ("disetujui", "ditolak"):
                y = time.gmtime(ts).tm_year
                seq = seqs.get((t, "KEP", y), 0) + (1 if state == "disetujui" else 0)
                if state == "disetujui":
                    seqs[(t, "KEP", y)] = seq
                decs.append((t, pid, os.urandom(16).hex(), "setuju" if state == "disetujui" else "tolak",
                             "%d/KEP/%d" % (seq, y) if state == "disetujui" else "",
                             "%s/KEP/%d/%06d" % (t, y, seq) if state == "disetujui" else "", seq, y, title, "",
                             1 if state == "disetujui" else 0, 3, "kepala_daerah", ts + 20 * DAY))
            audit_p.append((t, ts, "admin_opd", "proposal.create", "proposal:%d" % pid, title))
    # existing KEP numbers of the demo stay below the generated ones
    kep = {(r[0], int(r[2])): int(r[3]) for r in st.query("SELECT tenant, kind, year, value FROM sequences WHERE kind = 'KEP'")}
    decs = [d if not kep.get((d[0], d[7])) or not d[5] else
            d[:4] + ("%d/KEP/%d" % (d[6] + kep[(d[0], d[7])], d[7]), "%s/KEP/%d/%06d" % (d[0], d[7], d[6] + kep[(d[0], d[7])]),
                     d[6] + kep[(d[0], d[7])]) + d[7:] for d in decs]
    for (t, y), v in kep.items():
        if (t, "KEP", y) in seqs:
            seqs[(t, "KEP", y)] += v
    copy("governance_proposals", ["id", "tenant", "unit", "kind", "title", "urgency", "needs_dprd", "is_public", "state",
                                  "created_by", "created_at", "updated_at", "step_since", "due_at"], iter(props))
    copy("governance_versions", ["tenant", "proposal_id", "version", "kind", "unit", "title", "background", "analysis",
                                 "options", "proposed", "urgency", "needs_dprd", "content_hash", "created_by",
                                 "created_at"], iter(vers))
    copy("governance_decisions", ["tenant", "proposal_id", "token", "verdict", "number", "regno", "seq", "year", "title",
                                  "note", "is_public", "step_idx", "decided_by", "decided_at"], iter(decs))

    # ------------------------------------------------------------------ notifications, in time order
    notifs = notif_c + notif_a
    notif_c.clear()
    notif_a.clear()
    notifs.sort(key=lambda r: r[7])
    copy("notifications", ["tenant", "user_id", "role", "unit", "kind", "object", "message", "created_at"], iter(notifs))
    notifs.clear()

    # ------------------------------------------------------------------ audit chains, continuing each head
    entries = audit_c + audit_a + audit_p
    audit_c.clear()
    audit_a.clear()
    entries.sort(key=lambda r: (r[0], r[1]))
    newheads = {}

    def audit():
        cur_t, seq, prev = None, 0, GENESIS
        for t, ts, actor, action, obj, summary in entries:
            if t != cur_t:
                if cur_t is not None:
                    newheads[cur_t] = (seq, prev)
                cur_t = t
                seq, prev = heads.get(t, (0, GENESIS))
            seq += 1
            # entries come after what the demo wrote: never older than the head's time
            h = audit_hash(prev, t, seq, ts, actor, action, obj, summary)
            yield (t, seq, ts, actor, action, obj, summary, prev, h)
            prev = h
        if cur_t is not None:
            newheads[cur_t] = (seq, prev)

    copy("audit_log", ["tenant", "seq", "ts", "actor", "action", "object", "summary", "prev_hash", "hash"], audit())
    entries.clear()
    sql = []
    for t, (seq, h) in newheads.items():
        if t in heads:
            sql.append("UPDATE audit_heads SET seq = %d, hash = '%s' WHERE tenant = '%s';" % (seq, h, t))
        else:
            sql.append("INSERT INTO audit_heads (tenant, seq, hash) VALUES ('%s', %d, '%s');" % (t, seq, h))
    for (t, k, y), v in seqs.items():
        sql.append("INSERT INTO sequences (tenant, kind, year, value) VALUES ('%s', '%s', %d, %d) ON CONFLICT "
                   "(tenant, kind, year) DO UPDATE SET value = excluded.value;" % (t, k, y, v))
    st.script("BEGIN;" + "".join(sql) + "COMMIT;")
    print("  finishing (analyze)", file=sys.stderr, flush=True)
    st.finish()
    print("scale_gen: %d tenants, %.0f s" % (len(tenants), time.time() - t0))
    for k in sorted(counts):
        print("%-24s %10d" % (k, counts[k]))


if __name__ == "__main__":
    main()
