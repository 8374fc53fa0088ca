"""
test_performance.py: the performance module through the real server, on a
fresh database with a known fixture for Provinsi NTB (tenant 52) written
straight into the module's aggregate tables (the same rows the recording
API produces: perf_daily, perf_monthly, perf_hist, perf_kec, perf_items): the Sekda's dashboard (figures, SVG charts with title/desc,
data tables), OPD scoping for the kepala OPD and refusals for other roles,
bad periods, the CSV export parsed with the csv module, the xlsx export
opened with openpyxl (Debian's python3-openpyxl) or, failing that, read as
OOXML with zipfile, the SKM survey form by token (missing answers, answer,
second answer refused) and the IKM report, and the public open-data
catalogue, CSV/JSON datasets and field descriptions.
"""
import csv
import datetime
import hashlib
import io
import os
import re
import subprocess
import zipfile
import xml.etree.ElementTree as ET

from harness import local_today, on_one_day, pdf_text

T = "52"                       # Provinsi NTB: its OPD users sit in DIKBUD
TOKEN = "ab" * 32              # survey token of the fixture
EPOCH = datetime.date(1970, 1, 1)


def day(d):
    return (d - EPOCH).days


def months():
    """(first day of this month, first day of last month, today) in WITA."""
    today = local_today(8)
    m = today.replace(day=1)
    p = (m - datetime.timedelta(days=1)).replace(day=1)
    return m, p, today


def fixture(db):
    m, p, today = months()
    pm = p.year * 100 + p.month
    mm = m.year * 100 + m.month
    rows = [
        # tenant, day, kind, unit, service, received, finished, in_sla, wd_sum, routed, routed_ok
        "INSERT INTO perf_daily VALUES ('52', %d, 1, 'DIKBUD', 'PPDB', 10, 8, 6, 30, 0, 0)" % day(p),
        "INSERT INTO perf_daily VALUES ('52', %d, 1, 'DINKES', 'IZIN', 5, 5, 5, 10, 0, 0)" % day(p),
        "INSERT INTO perf_daily VALUES ('52', %d, 2, 'DINKES', 'rujukan', 4, 2, 1, 9, 4, 3)" % day(m),
        "INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum, routed, routed_ok) VALUES ('52', %d, 1, 'DIKBUD', 'PPDB', 10, 8, 6, 30, 0, 0)" % pm,
        "INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum, routed, routed_ok) VALUES ('52', %d, 1, 'DINKES', 'IZIN', 5, 5, 5, 10, 0, 0)" % pm,
        "INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum, routed, routed_ok) VALUES ('52', %d, 2, 'DINKES', 'rujukan', 4, 2, 1, 9, 4, 3)" % mm,
        "INSERT INTO perf_hist VALUES ('52', %d, 1, 'DIKBUD', 'PPDB', 2, 4)" % pm,
        "INSERT INTO perf_hist VALUES ('52', %d, 1, 'DIKBUD', 'PPDB', 5, 4)" % pm,
        "INSERT INTO perf_kec VALUES ('52', %d, 1, 'DIKBUD', '52.71.01', 10, 8, 6)" % pm,
        "INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day, open)"
        " VALUES ('52', 2, 'K1', 'DINKES', 'rujukan', '-', %d, %d, 1)" % (day(today) - 20, day(today) - 10),
        "INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day, open)"
        " VALUES ('52', 2, 'K2', 'DINKES', 'rujukan', '-', %d, %d, 1)" % (day(today) - 20, day(today) - 10),
        "INSERT INTO perf_survey_invites (tenant, token_hash, kind, item_id, unit, service, created, used)"
        " VALUES ('52', '%s', 1, 'P-1', 'DIKBUD', 'PPDB', 1, 0)" % hashlib.sha256(TOKEN.encode()).hexdigest(),
    ]
    for q in rows:
        db.sql(q)


def setup(env):
    db = env.new_db()
    fixture(db)
    return env.start_server(db=db)


def client(srv, user=None):
    c = srv.client()
    if user:
        c.login(T, user)
    return c


def test_dashboard_sekda_kepala_opd_and_refusals(env):
    srv = setup(env)
    m, p, _ = months()
    c = client(srv, "sekda")
    r = c.get("/t/%s/kinerja" % T).expect(200, ctype="text/html")
    html = r.text
    assert '<svg viewBox="0 0 360' in html and 'role="img"' in html, html[:500]
    assert '<title id="sla-t">' in html and '<desc id="sla-d">' in html
    assert "DIKBUD: 75,0%" in html, "SLA of DIKBUD (6/8) spelled out in the chart's desc, with a decimal comma"
    en = c.get("/t/%s/kinerja" % T, headers={"Accept-Language": "en"}).expect(200).text
    assert "DIKBUD: 75.0%" in en, "a decimal point in English"
    assert "Kinerja per OPD" in html and "DINKES" in html
    # the charts need no script: the only one is the site-wide forms.js (submit once)
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('src="/static/forms.js?' in s for s in scripts), scripts
    j = c.get("/api/v1/t/%s/kinerja" % T).expect(200, ctype="application/json").json()
    a = j["totals"]["all"]
    assert (a["received"], a["finished"], a["finished_in_sla"], a["open_end"], a["overdue"]) == (19, 15, 12, 4, 2), a
    assert a["sla_pct"] == 80.0, a
    assert j["totals"]["complaint"]["routing_pct"] == 75.0, j["totals"]
    assert j["totals"]["application"]["median_wd"] == 2 and j["totals"]["application"]["p90_wd"] == 5
    units = [row[0] for row in j["opd"]["rows"]]
    assert units == ["DIKBUD", "DINKES"], units
    # one OPD only
    j = c.get("/api/v1/t/%s/kinerja?opd=DIKBUD" % T).expect(200).json()
    assert j["totals"]["all"]["received"] == 10 and j["unit"] == "DIKBUD", j
    # a period with nothing in it
    j = c.get("/api/v1/t/%s/kinerja?dari=2024-01&sampai=2024-02" % T).expect(200).json()
    assert j["totals"]["all"]["received"] == 0 and j["totals"]["all"]["sla_pct"] is None
    # bad periods are 400 with a clear message
    c.get("/t/%s/kinerja?dari=2026-13" % T).expect(400, contains="periode harus berbentuk")
    c.get("/t/%s/kinerja?dari=9999-12&sampai=9999-12" % T).expect(400, contains="antara tahun 2000 dan 2100")
    c.get("/t/%s/kinerja?dari=2026-05&sampai=2026-01" % T).expect(400, contains="bulan awal periode")
    c.get("/t/%s/kinerja?dari=2000-01&sampai=2026-01" % T).expect(400, contains="paling panjang 10 tahun")
    c.get("/t/%s/kinerja?opd=NOPE" % T).expect(400, contains="OPD tidak dikenal")
    c.get("/t/%s/kinerja?jenis=x" % T).expect(400)
    # kepala OPD: own unit only
    k = client(srv, "kepala_opd")
    j = k.get("/api/v1/t/%s/kinerja" % T).expect(200).json()
    assert j["unit"] == "DIKBUD" and j["totals"]["all"]["received"] == 10, j
    k.get("/t/%s/kinerja" % T).expect(200, contains="DIKBUD")
    k.get("/t/%s/kinerja?opd=DINKES" % T).expect(403)
    k.get("/api/v1/t/%s/kinerja?opd=DINKES" % T).expect_json_error(403)
    # other roles and anonymous
    client(srv, "warga").get("/t/%s/kinerja" % T).expect(403)
    client(srv, "petugas").get("/api/v1/t/%s/kinerja" % T).expect_json_error(403)
    r = client(srv).get("/t/%s/kinerja" % T)
    assert r.status == 303 and "/masuk" in r.header("location"), r.describe()
    # another tenant's login does not carry over
    other = client(srv)
    other.login("52.71", "sekda")
    r = other.get("/t/%s/kinerja" % T)
    assert r.status == 303, r.describe()


def test_complaints_not_yet_at_an_opd_are_named(env):
    """Complaints still with the coordinator are counted under the unit "-": the dashboard and
    the exports name that row, and the CSV keeps its "-" code as it is (a lone sign is no
    formula, so it gets no protective quote)."""
    db = env.new_db()
    fixture(db)
    m, _p, _today = months()
    db.sql("INSERT INTO perf_daily VALUES ('52', %d, 2, '-', 'jalan', 3, 0, 0, 0, 0, 0)" % day(m))
    db.sql("INSERT INTO perf_monthly (tenant, month, kind, unit, service, received, finished, in_sla, wd_sum, routed, "
           "routed_ok) VALUES ('52', %d, 2, '-', 'jalan', 3, 0, 0, 0, 0, 0)" % (m.year * 100 + m.month))
    srv = env.start_server(db=db)
    c = client(srv, "sekda")
    r = c.get("/t/%s/kinerja/ekspor/opd.csv" % T).expect(200, ctype="text/csv")
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
    byunit = {row[0]: row for row in rows[1:]}
    assert "-" in byunit and byunit["-"][1] == "Belum didisposisikan ke OPD", rows
    assert byunit["-"][2] == "3", byunit["-"]
    assert b"'-" not in r.body, r.body[:400]
    page = c.get("/t/%s/kinerja" % T).expect(200, contains="Belum didisposisikan ke OPD").text
    # the charts too, not a bare "-" ("-: -%" in the SLA chart's description)
    charts = re.findall(r'<svg viewBox=.*?</svg>', page, re.S)
    assert charts and all("Belum didisposisikan ke OPD" in ch for ch in charts[:2]), charts[:2]
    assert not any(re.search(r"(^|[>;] *)-: ", ch) for ch in charts[:2]), charts[:2]
    # the report's heading of that row is its name alone (it read "- - Belum didisposisikan ke OPD")
    pdf = pdf_text(c.get("/t/%s/kinerja/laporan.pdf" % T).expect(200, ctype="application/pdf").body)
    assert "(Belum didisposisikan ke OPD) Tj" in pdf and "(- - " not in pdf, pdf[:2000]
    assert re.search(r"\(DINKES - [^)]+\) Tj", pdf), pdf[:2000]
    c.get("/bahasa/en?next=/").expect(303)
    c.get("/t/%s/kinerja" % T).expect(200, contains="Not yet sent to an OPD")
    pdf = pdf_text(c.get("/t/%s/kinerja/laporan.pdf" % T).expect(200, ctype="application/pdf").body)
    assert "(Not yet sent to an OPD) Tj" in pdf and "(- - " not in pdf, pdf[:2000]
    srv.stop()


def test_csv_and_xlsx_exports(env):
    srv = setup(env)
    c = client(srv, "sekda")
    r = c.get("/t/%s/kinerja/ekspor/opd.csv" % T).expect(200, ctype="text/csv")
    assert "attachment" in r.header("content-disposition") and ".csv" in r.header("content-disposition")
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
    assert r.body.startswith(b"\xef\xbb\xbf") and b"\r\n" in r.body
    assert rows[0][:3] == ["Kode OPD", "Nama OPD", "Diterima"], rows[0]
    byunit = {row[0]: row for row in rows[1:]}
    assert set(byunit) == {"DIKBUD", "DINKES"}, rows
    assert byunit["DIKBUD"][2:6] == ["10", "8", "2", "75.00"], byunit["DIKBUD"]
    assert all(len(row) == len(rows[0]) for row in rows)
    for name in ("layanan", "tren", "kecamatan", "ikm_opd", "ikm_layanan"):
        r = c.get("/t/%s/kinerja/ekspor/%s.csv" % (T, name)).expect(200, ctype="text/csv")
        assert len(list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))) >= 1
    c.get("/t/%s/kinerja/ekspor/nope.csv" % T).expect(404)
    c.get("/t/%s/kinerja/ekspor/opd.pdfx" % T).expect(404)
    client(srv, "warga").get("/t/%s/kinerja/ekspor/opd.csv" % T).expect(403)

    r = c.get("/t/%s/kinerja/laporan.pdf" % T).expect(200, ctype="application/pdf")
    assert r.body.startswith(b"%PDF-") and b"%%EOF" in r.body[-64:], r.body[:20]
    # the dashboard's note on Selesai and Diterima, in the reader's language (the CSV is data only)
    def lines(body):
        return " ".join(re.findall(r"^\((.*)\) Tj$", pdf_text(body), re.M))
    text = lines(r.body)
    assert "dimulai: Selesai bisa lebih besar dari Diterima. Ketepatan disposisi" in text, text[:1500]
    c.get("/bahasa/en?next=/").expect(303)
    text = lines(c.get("/t/%s/kinerja/laporan.pdf" % T).expect(200, ctype="application/pdf").body)
    assert "including items received before the period began: Resolved can exceed Received." in text, text[:1500]
    assert "Selesai bisa" not in text, text[:1500]
    c.get("/bahasa/id?next=/").expect(303)
    client(srv, "kepala_opd").get("/t/%s/kinerja/laporan.pdf?opd=DINKES" % T).expect(403)

    r = c.get("/t/%s/kinerja/ekspor/semua.xlsx" % T).expect(200)
    assert r.header("content-type").startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    path = os.path.join(env.tmp, "kinerja.xlsx")
    with open(path, "wb") as f:
        f.write(r.body)
    check_xlsx(path)


def check_xlsx(path):
    """Opens the workbook with openpyxl (in-process, or Debian's
    /usr/bin/python3 with python3-openpyxl); falls back to reading the
    OOXML parts with zipfile."""
    script = ("import openpyxl,sys\n"
              "wb=openpyxl.load_workbook(sys.argv[1])\n"
              "print('|'.join(wb.sheetnames))\n"
              "ws=wb['opd']\n"
              "rows=[[c.value for c in r] for r in ws.iter_rows()]\n"
              "print(rows[0][0]); print(rows[1][0], rows[1][2], rows[1][3])\n")
    for py in ("python3", "/usr/bin/python3"):
        p = subprocess.run([py, "-c", script, path], capture_output=True, text=True)
        if p.returncode == 0:
            out = p.stdout.splitlines()
            assert out[0] == "opd|layanan|tren|kecamatan|ikm_opd|ikm_layanan|Catatan", out
            assert out[1] == "Kode OPD", out
            assert out[2] == "DIKBUD 10 8", out
            return
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "xl/workbook.xml" in names and "xl/worksheets/sheet1.xml" in names, names
        wb = z.read("xl/workbook.xml").decode()
        assert 'name="opd"' in wb and 'name="ikm_layanan"' in wb and 'name="Catatan"' in wb, wb


def xlsx_sheets(body):
    """{sheet name: (its XML, the workbook's styles XML)} of an xlsx, in the workbook's order
    (libxlsxwriter writes sheetN.xml for the Nth sheet)."""
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.testzip() is None
    names = re.findall(r'<sheet name="([^"]*)"', z.read("xl/workbook.xml").decode("utf-8"))
    styles = z.read("xl/styles.xml").decode("utf-8")
    return {n: (z.read("xl/worksheets/sheet%d.xml" % (i + 1)).decode("utf-8"), styles) for i, n in enumerate(names)}


def xlsx_texts(xml):
    return [t.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            for t in re.findall(r"<t[^>]*>([^<]*)</t>", xml)]


def xlsx_formats(sheet):
    """{cell reference: number format code} of the numbers of a sheet."""
    xml, styles = sheet
    codes = {"0": "General", "2": "0.00"}
    codes.update(re.findall(r'<numFmt numFmtId="(\d+)" formatCode="([^"]*)"', styles))
    xfs = re.findall(r'<xf numFmtId="(\d+)"', styles.split("<cellXfs", 1)[1].split("</cellXfs>", 1)[0])
    return {ref: codes.get(xfs[int(st or 0)], xfs[int(st or 0)])
            for ref, st in re.findall(r'<c r="([A-Z]+\d+)"(?: s="(\d+)")?><v>', xml)}


def test_xlsx_has_a_notes_sheet(env):
    """The workbook carries what the dashboard says above its tables and the PDF under its period
    (Selesai counts items received before the period too, so it can exceed Diterima), with what it
    covers and when it was made (in the Pemda's time zone), on a sheet of its own: the data sheets
    stay tables, as the CSV files (a line of text in one would be read as a row). It had no note."""
    srv = setup(env)
    c = client(srv, "sekda")
    m, p, _ = months()
    q = "?dari=%04d-%02d&sampai=%04d-%02d&opd=DINKES" % (p.year, p.month, m.year, m.month)
    sheets = xlsx_sheets(c.get("/t/%s/kinerja/ekspor/semua.xlsx%s" % (T, q)).expect(200).body)
    assert list(sheets) == ["opd", "layanan", "tren", "kecamatan", "ikm_opd", "ikm_layanan", "Catatan"], list(sheets)
    notes = " | ".join(xlsx_texts(sheets["Catatan"][0]))
    assert notes.startswith("Laporan kinerja pelayanan dan IKM | Pemda | "), notes
    assert "(52) | Periode | %04d-%02d – %04d-%02d | Jenis | Semua | OPD | DINKES — " % (
        p.year, p.month, m.year, m.month) in notes, notes
    assert re.search(r"\| Dibuat \| \d{4}-\d\d-\d\d \d\d:\d\d WITA \| Catatan \| Selesai menghitung yang selesai "
                     r"dalam periode, juga yang diterima sebelum periode dimulai: Selesai bisa lebih besar dari "
                     r"Diterima\. \| Sel kosong berarti", notes), notes
    assert "IKM = 25 × (jumlah NRR × 1/9)" in notes, notes
    for name, (xml, _) in sheets.items():
        if name != "Catatan":
            assert not any("Selesai bisa" in t or "WITA" in t for t in xlsx_texts(xml)), (name, xlsx_texts(xml))
    # a single table's workbook too, and in the reader's language
    c.get("/bahasa/en?next=/").expect(303)
    sheets = xlsx_sheets(c.get("/t/%s/kinerja/ekspor/opd.xlsx" % T).expect(200).body)
    assert list(sheets) == ["opd", "Note"], list(sheets)
    notes = " | ".join(xlsx_texts(sheets["Note"][0]))
    assert "| All agencies |" in notes and "Resolved can exceed Received." in notes, notes
    assert re.search(r"\| Created \| \d{4}-\d\d-\d\d \d\d:\d\d WITA \|", notes), notes


def check_xlsx_package(body, sheets):
    """The workbook's package as a spreadsheet program reads it, parsed with zipfile and an XML
    parser: the sheets in order, each with a unique positive sheetId and a unique r:id that
    resolves in the workbook's relationships (themselves with unique Ids) to a worksheet part
    that is in the file and declared in [Content_Types].xml; docProps/app.xml names the same
    sheets."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
          "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
          "ep": "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties",
          "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    z = zipfile.ZipFile(io.BytesIO(body))
    assert z.testzip() is None
    parts = set(z.namelist())
    wb = ET.fromstring(z.read("xl/workbook.xml"))
    got = wb.findall("m:sheets/m:sheet", ns)
    assert [x.get("name") for x in got] == sheets, [x.get("name") for x in got]
    ids = [x.get("sheetId") for x in got]
    assert all(i and i.isdigit() and int(i) > 0 for i in ids) and len(set(ids)) == len(ids), ids
    rids = [x.get(rid) for x in got]
    assert all(rids) and len(set(rids)) == len(rids), rids
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("pr:Relationship", ns)
    rel_ids = [x.get("Id") for x in rels]
    assert len(set(rel_ids)) == len(rel_ids), rel_ids
    by_id = {x.get("Id"): x for x in rels}
    overrides = {x.get("PartName"): x.get("ContentType")
                 for x in ET.fromstring(z.read("[Content_Types].xml")).findall("ct:Override", ns)}
    targets = []
    for r in rids:
        rel = by_id[r]
        assert rel.get("Type").endswith("/relationships/worksheet"), (r, rel.attrib)
        part = "xl/" + rel.get("Target")
        assert part in parts, (part, sorted(parts))
        assert overrides.get("/" + part, "").endswith("spreadsheetml.worksheet+xml"), (part, overrides)
        ET.fromstring(z.read(part))   # well-formed
        targets.append(part)
    assert len(set(targets)) == len(targets), targets
    # every relationship's target is in the package
    for rel in rels:
        assert "xl/" + rel.get("Target") in parts, rel.attrib
    app = ET.fromstring(z.read("docProps/app.xml"))
    titles = [x.text for x in app.findall("ep:TitlesOfParts/vt:vector/vt:lpstr", ns)]
    assert titles == sheets, titles


def test_xlsx_sheet_and_relationship_ids_are_valid(env):
    """With several sheets (the whole report's seven, a single table's two), the workbook's sheet
    ids and relationship ids are unique and each sheet's relationship leads to its own part."""
    srv = setup(env)
    c = client(srv, "sekda")
    check_xlsx_package(c.get("/t/%s/kinerja/ekspor/semua.xlsx" % T).expect(200).body,
                       ["opd", "layanan", "tren", "kecamatan", "ikm_opd", "ikm_layanan", "Catatan"])
    check_xlsx_package(c.get("/t/%s/kinerja/ekspor/opd.xlsx" % T).expect(200).body, ["opd", "Catatan"])
    srv.stop()


def test_numbers_have_the_pages_decimals(env):
    """A figure has the same decimals on the page, in the CSV, in the workbook and in the open
    data: percentages one (76.0, not 76 beside 76.2), IKM two, NRR three. The CSV files gave NRR
    two (3.33 where the page and the JSON said 3.333), the page's tables dropped a trailing zero
    and the workbook showed numbers as General. The pages write them as their reader does: a
    decimal comma in Indonesian ("3,333"; "3.333" is three thousand there), a point in English;
    the data formats always have the point."""
    db = env.new_db()
    fixture(db)
    m, p, _ = months()
    # three answers about DINKES last month: U1 4, 3, 3 (NRR 3.333), the rest 3 (NRR 3.000);
    # S = 82, IKM = 25 * 82 / 27 = 75.93
    for u1 in (4, 3, 3):
        db.sql("INSERT INTO perf_survey_answers (tenant, kind, unit, service, day, u1, u2, u3, u4, u5, u6, u7, u8, u9)"
               " VALUES ('52', 1, 'DINKES', 'IZIN', %d, %d, 3, 3, 3, 3, 3, 3, 3, 3)" % (day(p), u1))
    srv = env.start_server(db=db)
    c = client(srv, "sekda")
    q = "?dari=%04d-%02d&sampai=%04d-%02d" % (p.year, p.month, m.year, m.month)
    # the dashboard: SLA 12 of 15 = 80.0 %, DIKBUD 6 of 8 = 75.0 %
    page = c.get("/t/%s/kinerja%s" % (T, q)).expect(200).text
    assert 'class="perf-value">80,0</strong>' in page, page
    assert re.search(r"<td>DIKBUD</td><td>[^<]*</td><td>10</td><td>8</td><td>2</td><td>75,0</td>", page), page
    en = c.get("/t/%s/kinerja%s" % (T, q), headers={"Accept-Language": "en"}).expect(200).text
    assert 'class="perf-value">80.0</strong>' in en and "<td>75.0</td>" in en, en
    rows = list(csv.reader(io.StringIO(c.get("/t/%s/kinerja/ekspor/opd.csv%s" % (T, q)).expect(200)
                                       .body.decode("utf-8-sig"), newline="")))
    assert rows[1][:6] == ["DIKBUD", rows[1][1], "10", "8", "2", "75.00"], rows
    # the IKM report: NRR with three decimals, IKM with two
    page = c.get("/t/%s/kinerja/ikm%s" % (T, q)).expect(200).text
    assert "<td>U1</td><td>Persyaratan</td><td>3,333</td>" in page and "<td>U2</td>" in page, page
    assert "<td>Sistem, mekanisme, dan prosedur</td><td>3,000</td>" in page, page
    assert re.search(r"<td>DINKES</td><td>[^<]*</td><td>3</td><td>\d+</td><td>\d+</td><td>3,333</td>"
                     r"(<td>3,000</td>){8}<td>75,93</td><td>C</td>", page), page
    en = c.get("/t/%s/kinerja/ikm%s" % (T, q), headers={"Accept-Language": "en"}).expect(200).text
    assert "<td>3.333</td>" in en and "<td>75.93</td>" in en and "3,333" not in en, en
    rows = list(csv.reader(io.StringIO(c.get("/t/%s/kinerja/ekspor/ikm_opd.csv%s" % (T, q)).expect(200)
                                       .body.decode("utf-8-sig"), newline="")))
    dinkes = next(r for r in rows if r[0] == "DINKES")
    assert dinkes[5:] == ["3.333"] + ["3.000"] * 8 + ["75.93", "C", "Kurang Baik"], dinkes
    # the workbook: the numbers with the page's decimals
    sheets = xlsx_sheets(c.get("/t/%s/kinerja/ekspor/semua.xlsx%s" % (T, q)).expect(200).body)
    fmt = xlsx_formats(sheets["opd"])
    assert fmt["F2"] == "0.0" and fmt["C2"] == "General", fmt       # Tepat waktu (%); Diterima
    fmt = xlsx_formats(sheets["ikm_opd"])
    row = next(n for n in range(2, 9) if "F%d" % n in fmt)             # the row with answers
    assert [fmt["%s%d" % (col, row)] for col in "FGHIJKLMNO"] == ["0.000"] * 9 + ["0.00"], fmt
    # the open data: the CSV as the JSON (last month is complete: in the 12 months before yesterday)
    month = "%04d-%02d" % (p.year, p.month)

    def open_data_ikm():
        anon = client(srv)
        rows = list(csv.DictReader(io.StringIO(anon.get("/api/v1/t/%s/data-terbuka/ikm-opd-bulanan.csv" % T)
                                               .expect(200).text, newline="")))
        x = next(r for r in rows if r["bulan"] == month and r["kode_opd"] == "DINKES")
        assert (x["nrr_u1"], x["nrr_u2"], x["ikm"], x["mutu"]) == ("3.333", "3.000", "75.93", "C"), x
        js = anon.get("/api/v1/t/%s/data-terbuka/ikm-opd-bulanan.json" % T).expect(200).json()
        x = next(r for r in js["rows"] if r["bulan"] == month and r["kode_opd"] == "DINKES")
        assert (x["nrr_u1"], x["ikm"]) == (3.333, 75.93), x
    on_one_day(open_data_ikm)


def test_overdue_only_for_a_period_reaching_today(env):
    """Terlambat counts what is open and past its due day now: a figure of a period that reaches
    today. For an earlier period it is not known, and the dashboard, the exports and the PDF say
    "-" (an empty cell) with why, where they said 0, which read as "nothing was late"."""
    srv = setup(env)
    c = client(srv, "sekda")
    m, p, _ = months()
    now = "?dari=%04d-%02d&sampai=%04d-%02d" % (p.year, p.month, m.year, m.month)
    past = "?dari=%04d-%02d&sampai=%04d-%02d" % (p.year, p.month, p.year, p.month)
    # this month: K1 and K2 of DINKES are open and past their due day
    page = c.get("/t/%s/kinerja%s" % (T, now)).expect(200).text
    assert re.search(r'Terlambat</span><strong class="perf-value">2</strong>', page), page
    j = c.get("/api/v1/t/%s/kinerja%s" % (T, now)).expect(200).json()
    k = [col["name"] for col in j["opd"]["columns"]].index("terlambat")
    assert {row[0]: row[k] for row in j["opd"]["rows"]} == {"DIKBUD": 0, "DINKES": 2}, j["opd"]
    # last month alone
    page = c.get("/t/%s/kinerja%s" % (T, past)).expect(200).text
    assert re.search(r'Terlambat</span><strong class="perf-value">-</strong><small>hanya untuk periode yang '
                     r'mencakup hari ini</small>', page), page
    assert '<desc id="terlambat-d">Terlambat hanya dihitung untuk periode yang mencakup hari ini.</desc>' in page, page
    j = c.get("/api/v1/t/%s/kinerja%s" % (T, past)).expect(200).json()
    assert {row[0]: row[k] for row in j["opd"]["rows"]} == {"DIKBUD": None, "DINKES": None}, j["opd"]
    rows = list(csv.reader(io.StringIO(c.get("/t/%s/kinerja/ekspor/layanan.csv%s" % (T, past)).expect(200)
                                       .body.decode("utf-8-sig"), newline="")))
    k = rows[0].index("Terlambat")
    assert rows[1:] and all(r[k] == "" for r in rows[1:]), rows
    # the PDF: the value after each "Terlambat" (the Pemda, then each OPD)
    def overdue(q):
        pdf = pdf_text(c.get("/t/%s/kinerja/laporan.pdf%s" % (T, q)).expect(200, ctype="application/pdf").body)
        # when it was made, in the Pemda's time zone
        assert re.search(r"\(Dibuat \d{4}-\d\d-\d\d \d\d:\d\d WITA\) Tj", pdf), pdf[:3000]
        return re.findall(r"\(Terlambat\) Tj\n(?:[^(\n][^\n]*\n)*?\((.*)\) Tj\n", pdf)
    assert overdue(now) == ["2", "0", "2"], overdue(now)
    assert overdue(past) == ["-", "-", "-"], overdue(past)


def test_survey_form_and_ikm(env):
    db = env.new_db()
    fixture(db)
    alog = os.path.join(env.tmp, "survey-access.log")
    srv = env.start_server(db=db, args=["--access-log", alog])
    c = client(srv)
    base = "/t/%s/survei/%s" % (T, TOKEN)
    page = c.get(base).expect(200, contains="Survei Kepuasan Masyarakat")
    assert page.text.count("<fieldset") == 9, page.text
    # each unsur asks the question of the regulation's questionnaire with its own four answers: the
    # best answer about the fee is "Gratis" and about complaints "Dikelola dengan baik" (one scale
    # "Tidak baik ... Sangat baik" for all nine left a citizen guessing what "baik" meant there)
    for label in ("Persyaratan", "Biaya/tarif", "Sarana dan prasarana", "kesesuaian persyaratan pelayanan",
                  "kewajaran biaya/tarif", "Tidak sesuai", "Sangat sesuai", "Sangat mahal", "Gratis",
                  "Ada tetapi tidak berfungsi", "Dikelola dengan baik", "Sangat sopan dan ramah", "Sangat baik"):
        assert label in page.text, label
    assert "Tidak baik" not in page.text, page.text
    assert re.search(r'name="u4" value="1" required> 1 — Sangat mahal', page.text), page.text
    assert re.search(r'name="u4" value="4" required> 4 — Gratis', page.text), page.text
    assert re.search(r'name="u8" value="4" required> 4 — Dikelola dengan baik', page.text), page.text
    csrf = page.csrf()
    # unknown token
    c.get("/t/%s/survei/%s" % (T, "cd" * 32)).expect(404, contains="tautan survei tidak dikenal")
    c.get("/t/%s/survei/x" % T).expect(404)
    # missing answers: 400, the form again with the error and the chosen values kept
    fields = {"_csrf": csrf, "u1": "4", "u2": "3", "komentar": "Cepat"}
    r = c.post_form(base, fields).expect(400, contains="setiap unsur harus dinilai 1 sampai 4")
    assert re.search(r'name="u1" value="4" required checked', r.text), r.text
    # without CSRF: refused
    bad = dict(fields)
    bad["_csrf"] = "0" * 64
    assert c.post_form(base, bad).status == 403
    # a full answer
    fields = {"_csrf": csrf, "komentar": "Pelayanan cepat"}
    for i, s in enumerate((4, 4, 4, 3, 4, 4, 4, 4, 4)):
        fields["u%d" % (i + 1)] = str(s)
    c.post_form(base, fields).expect(200, contains="penilaian Anda sudah kami terima")
    c.post_form(base, fields).expect(409, contains="sudah diisi")
    c.get(base).expect(200, contains="sudah diisi")
    # anonymous: nothing leads back to the application P-1 (and so its citizen): not the answer's
    # row, not the audit entry, not the access log (which shows the token's first 4 digits only)
    answers = db.sql("SELECT * FROM perf_survey_answers WHERE tenant = '52'")
    assert len(answers) == 1 and "P-1" not in repr(answers) and "Pelayanan cepat" in repr(answers), answers
    aud = db.sql("SELECT actor, object, summary FROM audit_log WHERE tenant = '52' AND action = 'performance.survey'")
    assert aud and aud[0][0] == "anonim" and "P-1" not in repr(aud), aud
    with open(alog) as f:
        log = f.read()
    assert "/survei/abab..." in log and TOKEN not in log, log[-600:]
    # the IKM report: one response, S = 35: IKM = 25 * 35 / 9 = 97.22 (A)
    s = client(srv, "sekda")
    ikm = s.get("/t/%s/kinerja/ikm" % T).expect(200, contains="97,22")
    assert "Sangat Baik" in ikm.text and "Krejcie" in ikm.text, "sample warning expected (1 response)"
    # the short samples are listed for the OPD and for its service (8 finished: a minimum of 8)
    low = re.search(r"<h2>Sampel kurang</h2>(.*?)</section>", ikm.text, re.S)
    assert low and "<li>DIKBUD: 1 / 8</li>" in low.group(1) and "<li>DIKBUD · PPDB: 1 / 8</li>" in low.group(1), \
        low and low.group(1)
    r = s.get("/t/%s/kinerja/ekspor/ikm_opd.csv" % T).expect(200)
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "DIKBUD" and rows[1][2] == "1" and rows[1][-3] == "97.22" and rows[1][-2] == "A", rows


def test_open_data(env):
    # last month's figures and today's date, as when the fixture was written: again if midnight
    # (WITA) passed meanwhile
    on_one_day(lambda: open_data(env))


def open_data(env):
    srv = setup(env)
    c = client(srv)
    m, p, today = months()
    cat = c.get("/api/v1/t/%s/data-terbuka" % T).expect(200, ctype="application/json").json()
    assert cat["conformsTo"] == "https://project-open-data.cio.gov/v1.1/schema"
    ids = [d["identifier"].rsplit("/", 1)[1] for d in cat["dataset"]]
    assert ids == ["kinerja-opd-bulanan", "kinerja-kecamatan-bulanan", "ikm-opd-bulanan"], ids
    for d in cat["dataset"]:
        assert d["accessLevel"] == "public" and d["accrualPeriodicity"] == "R/P1D"
        # the Pemda by name; sigap holds no contact e-mail for a Pemda, so no hasEmail (never a
        # made-up or empty "mailto:"): docs/performance.md, "Open data"
        assert d["contactPoint"] == {"@type": "vcard:Contact", "fn": d["publisher"]["name"]}, d["contactPoint"]
        assert d["publisher"]["name"], d
        assert {x["format"] for x in d["distribution"]} == {"CSV", "JSON"}
        assert d["describedBy"].endswith(".schema.json")
        # links on the host the catalogue was asked on (they said http://localhost)
        base = "http://127.0.0.1:%d/api/v1/t/%s/data-terbuka/" % (srv.port, T)
        for u in [d["identifier"], d["describedBy"]] + [x["downloadURL"] for x in d["distribution"]]:
            assert u.startswith(base), u
    r = c.get("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.csv" % T).expect(200, ctype="text/csv")
    assert r.header("access-control-allow-origin") == "*"
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    month = "%04d-%02d" % (p.year, p.month)
    got = {(x["bulan"], x["kode_opd"], x["jenis"]): x for x in rows}
    x = got[(month, "DIKBUD", "permohonan")]
    assert (x["diterima"], x["selesai"], x["selesai_tepat_waktu"], x["median_hari_kerja"]) == ("10", "8", "6", "2"), x
    schema = c.get("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.schema.json" % T).expect(200).json()
    assert [f["name"] for f in schema["fields"]] == list(rows[0].keys()) if rows else True
    js = c.get("/api/v1/t/%s/data-terbuka/kinerja-kecamatan-bulanan.json" % T).expect(200).json()
    assert {"bulan": month, "kode_kecamatan": "52.71.01", "jenis": "permohonan", "diterima": 10, "selesai": 8,
            "selesai_tepat_waktu": 6} in js["rows"], js
    # an earlier snapshot: the day before last month began has none of it
    before = (p - datetime.timedelta(days=1)).isoformat()
    js = c.get("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.json?tanggal=%s" % (T, before)).expect(200).json()
    assert js["as_of"] == before and js["rows"] == [], js
    c.get("/api/v1/t/%s/data-terbuka/kinerja-opd-bulanan.json?tanggal=%s" % (T, today.isoformat())) \
        .expect_json_error(400)
    # errors can be read by a portal's script on another origin too
    for path, status in (("/tidak-ada.csv", 404), ("?tanggal=kemarin", 400), ("/ikm-opd-bulanan.csv?tanggal=x", 400)):
        r = c.get("/api/v1/t/%s/data-terbuka%s" % (T, path))
        r.expect_json_error(status)
        assert r.header("access-control-allow-origin") == "*", r.describe()
    # Table Schema: missingValues is a list of strings (it was the string "")
    assert schema["missingValues"] == [""], schema
    # the completion times may be ">120", which a Table Schema integer cannot hold
    types = {f["name"]: f["type"] for f in schema["fields"]}
    assert types["median_hari_kerja"] == types["p90_hari_kerja"] == "string", types
    assert types["diterima"] == "integer" and types["persen_tepat_waktu"] == "number", types
    # no personal data: the survey comment never appears
    assert "Pelayanan" not in c.get("/api/v1/t/%s/data-terbuka/ikm-opd-bulanan.csv" % T).text


def test_open_data_answers_304_while_unchanged(env):
    on_one_day(lambda: open_data_revalidated(env))


def open_data_revalidated(env):
    """A portal harvesting every day sends the ETag it kept (If-None-Match) and gets a 304 without
    the body while the data is the same, CORS included; a changed month gives a new tag and the
    whole answer. (There was no validator: every harvest downloaded every dataset again.)"""
    db = env.new_db()
    fixture(db)
    srv = env.start_server(db=db)
    c = client(srv)
    base = "/api/v1/t/%s/data-terbuka" % T
    paths = [base] + ["%s/kinerja-opd-bulanan%s" % (base, ext) for ext in (".csv", ".json", ".schema.json")]
    tags = {}
    for path in paths:
        r = c.get(path).expect(200)
        tag = r.header("etag")
        assert tag and re.fullmatch(r'W/"[0-9a-f]{32}"', tag), (path, r.describe())
        again = c.get(path, headers={"If-None-Match": tag})
        assert again.status == 304 and again.body == b"", (path, again.describe())
        assert again.header("etag") == tag and again.header("access-control-allow-origin") == "*", again.describe()
        assert again.header("cache-control") == r.header("cache-control"), again.describe()
        # the strong form of the same tag, and a list holding it, match too; another tag does not
        assert c.get(path, headers={"If-None-Match": '"x", ' + tag[2:]}).status == 304
        assert c.get(path, headers={"If-None-Match": 'W/"0123"'}).expect(200).body == r.body
        tags[path] = tag
    assert len(set(tags.values())) == len(paths), tags
    # an earlier snapshot is other data: its own tag
    m, p, today = months()
    before = (p - datetime.timedelta(days=1)).isoformat()
    r = c.get("%s/kinerja-opd-bulanan.csv?tanggal=%s" % (base, before),
              headers={"If-None-Match": tags[paths[1]]}).expect(200)
    assert r.header("etag") != tags[paths[1]]
    # last month corrected (a late routing fix): the datasets' tags change, the catalogue's and the schema's stay
    db.sql("UPDATE perf_monthly SET received = 11 WHERE tenant = '52' AND unit = 'DIKBUD'")
    for path in paths:
        r = c.get(path, headers={"If-None-Match": tags[path]})
        if path.endswith((".csv", ".json")) and not path.endswith(".schema.json"):
            assert r.status == 200 and r.header("etag") != tags[path], (path, r.describe())
        else:
            assert r.status == 304, (path, r.describe())
    rows = list(csv.DictReader(io.StringIO(c.get(paths[1]).text, newline="")))
    month = "%04d-%02d" % (p.year, p.month)
    assert [x["diterima"] for x in rows if x["bulan"] == month and x["kode_opd"] == "DIKBUD"] == ["11"], rows


def test_migration_38_moves_old_verdicts_to_the_first_opd(env):
    """Routing verdicts counted in "-" before perf_record_routing counted them in the OPD a
    complaint was first sent to (migration 38): each moves, in perf_items and in the counters of
    its day and month, to the OPD the verification of its day named (a complaint handed back and
    sent elsewhere: the first OPD, not the one it is in), else, for a complaint never handed back,
    to the OPD it is in; what the history cannot tell stays in "-", and nothing else moves. (A new
    database is migrated to 37, the rows go in as the old code left them, then `sigap migrate`.)"""
    from harness import check_sigap
    db = env.new_db(init=False)
    check_sigap(["migrate", "--to", "37"], db=db)
    tz = 8 * 3600                                  # WITA
    d1 = (datetime.date(2026, 1, 5) - datetime.date(1970, 1, 1)).days
    d2 = d1 + 30                                   # 2026-02-04

    def at(d, hour):
        return d * 86400 - tz + hour * 3600

    db.sql("INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) VALUES "
           "('%s', 'Provinsi NTB', 1, 'Gubernur', %d, 'WITA', 1)" % (T, tz))
    for u in ("DLH", "PUPR", "DINKES"):
        db.sql("INSERT INTO units (tenant, code, name, created_at) VALUES ('%s', '%s', 'OPD %s', 1)" % (T, u, u))
    # number: (unit now, events as (day, hour, action, note), verdict ok, verdict day)
    cases = {
        "A": ("PUPR", [(d1, 9, "verifikasi", "DLH: mohon ditangani"), (d1, 15, "kembalikan", "DLH: bukan urusan kami"),
                       (d1 + 1, 9, "verifikasi", "PUPR")], 0, d1),
        "B": ("DINKES", [(d1, 23, "verifikasi", "DINKES")], 1, d1),    # 23:00 WITA: still d1 there
        "C": ("PUPR", [(d1 - 1, 9, "verifikasi", "PUPR")], 1, d2),      # its day unknown: never handed back
        "D": ("DLH", [(d2 - 3, 9, "verifikasi", "PUPR"), (d2 - 2, 9, "kembalikan", "PUPR: salah"),
                      (d2 - 1, 9, "verifikasi", "DLH")], 0, d2),          # handed back, no verification on d2
    }
    for num, (unit, events, ok, vday) in sorted(cases.items()):
        cid = db.sql("INSERT INTO complaints (tenant, number, kind, title, description, unit, status, identity, "
                     "created_at, updated_at) VALUES ('%s', '%s', 'pengaduan', 'Jalan berlubang', 'Lubang', '%s', "
                     "'disposisi', 'anonim', %d, %d) RETURNING id" % (T, num, unit, at(d1 - 2, 8), at(d1 - 2, 8)))[0][0]
        for d, h, action, note in events:
            db.sql("INSERT INTO complaints_events (tenant, complaint_id, ts, actor, action, status, note) VALUES "
                   "('%s', %s, %d, 'koordinator', '%s', 'disposisi', '%s')" % (T, cid, at(d, h), action, note))
    items = [(2, num, unit, ok, vday) for num, (unit, _, ok, vday) in cases.items()]
    items += [(2, "E", "DLH", 1, d1),          # no complaint behind it
              (1, "APP", "-", 1, d1)]          # an application: not a complaint's verdict
    for kind, num, unit, ok, vday in items:
        db.sql("INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day, "
               "routed, routed_day, routed_unit) VALUES ('%s', %d, '%s', '%s', 'jalan', '-', %d, %d, %d, %d, '-')"
               % (T, kind, num, unit, d1 - 2, d2 + 10, ok, vday))
    # an OPD's own verdict, already where it belongs
    db.sql("INSERT INTO perf_items (tenant, kind, item_id, unit, service, kecamatan, received_day, due_day, routed, "
           "routed_day, routed_unit) VALUES ('%s', 2, 'F', 'DLH', 'jalan', '-', %d, %d, 1, %d, 'DLH')"
           % (T, d1 - 2, d2 + 10, d1))
    # the counters as the old code left them: received in the OPDs, verdicts in "-"
    for table, key in (("perf_daily", "day"), ("perf_monthly", "month")):
        k1, k2 = (d1, d2) if key == "day" else (202601, 202602)
        for unit, kk, kind, rec, routed, rok in (("-", k1, 2, 0, 3, 2), ("-", k2, 2, 0, 2, 1), ("DLH", k1, 2, 2, 1, 1),
                                                ("-", k1, 1, 1, 1, 1)):
            db.sql("INSERT INTO %s (tenant, %s, kind, unit, service, received, routed, routed_ok) VALUES "
                   "('%s', %d, %d, '%s', 'jalan', %d, %d, %d)" % (table, key, T, kk, kind, unit, rec, routed, rok))
    p = check_sigap(["migrate"], db=db)
    assert "now applied   38  performance: routing verdicts" in p.stdout, p.stdout
    got = {str(r[0]): str(r[1]) for r in db.sql("SELECT item_id, routed_unit FROM perf_items")}
    assert got == {"A": "DLH", "B": "DINKES", "C": "PUPR", "D": "-", "E": "-", "APP": "-", "F": "DLH"}, got
    for table, key, k1, k2 in (("perf_daily", "day", d1, d2), ("perf_monthly", "month", 202601, 202602)):
        rows = {(str(r[0]), int(r[1]), int(r[2])): (int(r[3]), int(r[4]), int(r[5])) for r in db.sql(
            "SELECT unit, %s, kind, received, routed, routed_ok FROM %s WHERE routed <> 0 OR received <> 0"
            % (key, table))}
        assert rows == {
            ("-", k1, 2): (0, 1, 1),               # E's
            ("DLH", k1, 2): (2, 2, 1),             # F's, and A's (handed back: not right first time)
            ("DINKES", k1, 2): (0, 1, 1),          # B's
            ("-", k2, 2): (0, 1, 0),               # D's
            ("PUPR", k2, 2): (0, 1, 1),            # C's
            ("-", k1, 1): (1, 1, 1),               # the application's
        }, (table, rows)
