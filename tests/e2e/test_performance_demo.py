"""
test_performance_demo.py: the performance dashboard of a fresh `sigap init --demo`, and its exports.

The demo's year of history used service codes of its own ("PBG", "KTP-EL") and complaint categories that
are not in the catalogue ("jalan-rusak", "bansos"), so the per-service table listed PBG twice (the demo's
"PBG" beside the catalogue's "pbg") and named some rows by a bare code. Every service in the performance
tables is now a service of the catalogue (applications) or a complaint category (complaints), under the
OPD that owns it.

The .xlsx export holds the dashboard's numbers (each read back as a float: libxlsxwriter writes 16
significant digits, docs/performance.md).
"""
import io
import re
import zipfile

from harness import TENANT

T = "/t/%s" % TENANT
TABLES = ("perf_items", "perf_daily", "perf_monthly", "perf_hist", "perf_survey_invites", "perf_survey_answers")


def test_demo_performance_uses_the_catalogues_codes(env):
    db = env.new_db()
    services = {(r[0], r[1]): r[2] for r in db.sql("SELECT tenant, code, unit FROM services")}
    categories = {(r[0], r[1]) for r in db.sql("SELECT tenant, code FROM complaints_categories")}
    seen = 0
    for table in TABLES:
        rows = db.sql("SELECT DISTINCT tenant, kind, unit, service FROM %s" % table)
        assert rows, table
        for tenant, kind, unit, service in rows:
            seen += 1
            if int(kind) == 1:
                assert (tenant, service) in services, (table, tenant, unit, service)
                assert services[(tenant, service)] == unit, (table, unit, service, services[(tenant, service)])
            else:
                assert (tenant, service) in categories, (table, tenant, unit, service)
    assert seen > 50, seen
    # the dashboard lists each service once, by its name
    srv = env.start_server(db)
    c = srv.client()
    c.login(TENANT, "sekda")
    j = c.get("/api/v1/t/%s/kinerja" % TENANT).expect(200).json()
    rows = j["services"]["rows"]
    keys = [(r[0], r[1].lower()) for r in rows]
    assert len(keys) == len(set(keys)), sorted(keys)
    pbg = [r for r in rows if r[1].lower() == "pbg"]
    assert len(pbg) == 1 and pbg[0][2] != "pbg", pbg
    assert not [r for r in rows if r[1] == r[2]], [r for r in rows if r[1] == r[2]]


def test_demo_routing_and_resolved_read_right(env):
    """The demo's complaints sent on by the coordinator: their routing verdicts are their OPDs',
    so the row of complaints not yet sent to an OPD shows no routing accuracy (it showed 100 % of
    no items), and no row is left with nothing in it. More resolved than received in a period is
    real (items received before it, finished in it) and the page says so."""
    db = env.new_db()
    assert db.sql("SELECT COUNT(*) FROM perf_monthly WHERE unit = '-' AND routed > 0")[0][0] in (0, "0")
    assert db.sql("SELECT COUNT(*) FROM perf_items WHERE routed IS NOT NULL AND routed_unit = '-'")[0][0] in (0, "0")
    srv = env.start_server(db)
    c = srv.client()
    c.login(TENANT, "sekda")
    j = c.get("/api/v1/t/%s/kinerja" % TENANT).expect(200).json()
    col = [x["name"] for x in j["opd"]["columns"]].index("ketepatan_disposisi_persen")
    unrouted = [r for r in j["opd"]["rows"] if r[0] == "-"]
    assert unrouted and unrouted[0][col] is None, unrouted
    scol = [x["name"] for x in j["services"]["columns"]]
    counts = [scol.index(n) for n in ("diterima", "selesai", "dalam_proses", "terlambat")]
    assert not [r for r in j["services"]["rows"] if not any(r[i] for i in counts) and r[scol.index(
        "ketepatan_disposisi_persen")] is None], j["services"]["rows"]
    # the OPDs' rows carry the verdicts the coordinator recorded
    assert any(r[col] is not None for r in j["opd"]["rows"] if r[0] != "-"), j["opd"]["rows"]
    page = c.get(T + "/kinerja", headers={"Accept-Language": "en"}).expect(200).text
    assert "including items received earlier" in page, page
    assert "Resolved can exceed Received" in page, page


def shortest(x):
    for prec in (15, 16, 17):
        t = "%.*g" % (prec, x)
        if float(t) == x:
            return t
    raise AssertionError(x)


def test_xlsx_numbers_are_the_dashboards(env):
    db = env.new_db()
    srv = env.start_server(db)
    c = srv.client()
    c.login(TENANT, "sekda")
    r = c.get(T + "/kinerja/ekspor/semua.xlsx").expect(200)
    z = zipfile.ZipFile(io.BytesIO(r.body))
    assert z.testzip() is None
    sheets = sorted(n for n in z.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
    assert len(sheets) == 7, z.namelist()      # the six tables, then the notes (text only)
    values, fractions = 0, []
    for name in sheets:
        xml = z.read(name).decode("utf-8")
        for v in re.findall(r"<v>([^<]*)</v>", xml):
            values += 1
            if "." in v:
                fractions.append(float(v))
    assert values > 100 and fractions, (values, fractions[:10])
    # at most the decimals the page shows (percentages 1 or 2, IKM scores per element 3)
    assert all(shortest(x).count(".") == 0 or len(shortest(x).split(".")[1]) <= 3 for x in fractions), fractions[:20]
    # the same numbers as the page's table: the OPDs' on-time share
    j = c.get("/api/v1/t/%s/kinerja" % TENANT).expect(200).json()
    cols = [col["name"] for col in j["opd"]["columns"]]
    k = next(i for i, n in enumerate(cols) if j["opd"]["columns"][i]["type"] == "number")
    want = [row[k] for row in j["opd"]["rows"]]
    sheet1 = z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    col = chr(ord("A") + k)
    got = re.findall(r'<c r="%s(\d+)"[^>]*><v>([^<]*)</v>' % col, sheet1)
    assert [float(v) for _, v in got] == [w for w in want if w is not None], (got, want)
