"""
test_first_month.py: a new Pemda's first month on sigap, as found by walking
through it on a database made without the demo: the operator adds Kabupaten
Lombok Timur (52.03) and its administrator with the CLI; the administrator
sets up OPDs, the catalogue, complaint categories, a local holiday and the
officials on the web; a citizen applies, the OPD finishes the application,
the citizen fills the SKM survey, and the Sekda reads the dashboard, the IKM
report and the exports.

What the walk found, each checked here: the service and category forms of a
Pemda without OPDs offered an empty list and only said "OPD tidak dikenal"
(now they say to add the OPDs first, with a link); an empty catalogue said
"no service matches" to a citizen who searched nothing; adding an official
and saving a complaint category or the complaint deadlines answered the
POST with the page (a reload sent the form, with the password, again into
a 409); the trend left out the months without items, so a
Pemda's first month was one point that drew nothing (and a quiet month
joined its neighbours); the IKM report of a period without answers showed
"Mutu pelayanan: - (-)"; the holiday page of a year whose national holidays
are not loaded said nothing, although deadlines then count them as working
days.
"""
import datetime
import re
import zlib

from harness import HOLIDAYS_TSV, check_sigap, on_one_day

T = "52.03"                       # Kabupaten Lombok Timur, not in the demo
ADMIN_PW = "sandi-admin-lotim-1"
WITA = datetime.timezone(datetime.timedelta(hours=8))


def new_pemda(env):
    """A database without the demo, with tenant 52.03 and its administrator
    added by the operator's CLI, and a server on it. Returns (db, server,
    the administrator's signed-in client)."""
    db = env.new_db(init=False)
    check_sigap(["init", "--regions", env.small_regions_csv()], db=db)
    check_sigap(["tenant", "add", T], db=db)
    check_sigap(["user", "add", "--tenant", T, "--username", "admin.lotim", "--name", "Admin Lombok Timur",
                 "--role", "admin"], db=db, input=ADMIN_PW + "\n")
    srv = env.start_server(db)
    c = srv.client()
    c.login(T, "admin.lotim", ADMIN_PW)
    return db, srv, c


def post(c, page_path, action, fields):
    """Posts fields to action with the CSRF token of the page at page_path."""
    tok = c.get(page_path).expect(200).csrf()
    return c.post_form(action, dict(fields, _csrf=tok))


def notices(r):
    return re.findall(r'<p class="(?:alert|notice)"[^>]*>(.*?)</p>', r.text, re.S)


def today_wita():
    return datetime.datetime.now(WITA).date()


def working_day(d, holidays):
    return d.weekday() < 5 and d not in holidays


def add_working_days(start, n, holidays):
    """The n-th working day strictly after start (docs/calendar.md)."""
    d = start
    while n > 0:
        d += datetime.timedelta(days=1)
        if working_day(d, holidays):
            n -= 1
    return d


def national_holidays():
    days = set()
    with open(HOLIDAYS_TSV, encoding="utf-8") as f:
        next(f)
        for line in f:
            days.add(datetime.date.fromisoformat(line.split("\t", 1)[0]))
    return days


def pdf_text(body):
    """The text shown by a PDF made by src/docs (its streams inflated)."""
    out = []
    for m in re.finditer(rb"stream\r?\n(.*?)endstream", body, re.S):
        s = m.group(1)
        try:
            s = zlib.decompress(s)
        except zlib.error:
            pass
        out += [x.decode("latin-1") for x in re.findall(rb"\((.*?)\)\s*Tj", s)]
    return " ".join(out)


def test_a_pemda_without_opds_is_told_to_add_them_first(env):
    """The first pages an administrator opens: every form that needs an OPD says to add one first
    and links there, and the empty catalogue and category list say what to do."""
    _db, _srv, c = new_pemda(env)
    opd_link = 'href="/t/%s/admin/opd"' % T
    r = c.get("/t/%s/admin/layanan/baru" % T).expect(200)
    assert "<title>Tambah layanan" in r.text, r.text[:400]
    assert "Belum ada OPD di Pemda ini. Setiap layanan dimiliki satu OPD" in r.text and opd_link in r.text, r.text
    # what was typed comes back with the message and the way out
    fields = {"row_version": "0", "code": "ktp-el", "name": "KTP Elektronik", "unit": "", "category": "Kependudukan",
              "summary": "s", "requirements": "KK", "procedure": "Ajukan", "sla_days": "3", "fee": "0",
              "product": "KTP-el", "complaints": "c", "legal_basis": "UU 24/2013",
              "form_text": "nama | text | Nama | wajib |", "steps_text": "Verifikasi | petugas"}
    r = post(c, "/t/%s/admin/layanan/baru" % T, "/t/%s/admin/layanan/baru" % T, fields).expect(400)
    assert 'value="KTP Elektronik"' in r.text and opd_link in r.text, r.text
    r = c.get("/t/%s/pengaduan/pengaturan" % T).expect(200)
    assert "Belum ada OPD di Pemda ini. Setiap kategori dimiliki satu OPD" in r.text and opd_link in r.text
    assert "Belum ada kategori." in r.text
    r = c.get("/t/%s/admin/layanan" % T).expect(200, contains="Belum ada layanan di katalog.")
    # the citizen's catalogue: nothing yet is not "nothing matches"
    pub = _srv.client()
    r = pub.get("/t/%s/layanan" % T).expect(200)
    assert "Belum ada layanan daring di katalog Pemda ini." in r.text and "Tidak ada layanan yang cocok" not in r.text
    r = pub.get("/t/%s/layanan?q=akta" % T).expect(200, contains="Tidak ada layanan yang cocok.")
    # once there is an OPD, the notices are gone
    post(c, "/t/%s/admin/opd" % T, "/t/%s/admin/opd" % T,
         {"code": "disdukcapil", "name": "Dinas Kependudukan dan Pencatatan Sipil", "kind": "dinas"}).expect(303)
    r = c.get("/t/%s/admin/layanan/baru" % T).expect(200)
    assert "Belum ada OPD" not in r.text and '<option value="DISDUKCAPIL"' in r.text
    assert "Belum ada OPD" not in c.get("/t/%s/pengaduan/pengaturan" % T).expect(200).text


def test_adding_an_official_answers_with_a_redirect(env):
    """Adding a user goes back to the list by a GET: a reload does not send the form and its
    password again."""
    db, _srv, c = new_pemda(env)
    post(c, "/t/%s/admin/opd" % T, "/t/%s/admin/opd" % T,
         {"code": "DISDUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil", "kind": "dinas"}).expect(303)
    path = "/t/%s/admin/pengguna" % T
    r = post(c, path, path, {"username": "petugas.capil", "full_name": "Baiq Petugas", "role": "petugas",
                             "unit": "DISDUKCAPIL", "password": "sandi-petugas-123"})
    r.expect(303)
    assert r.header("location") == path + "?ok=tambah", r.header("location")
    page = c.get(r.header("location")).expect(200)
    assert "pengguna ditambahkan" in notices(page) and "Baiq Petugas" in page.text
    assert "sandi-petugas-123" not in page.text
    # a refusal still answers with the page and what was typed (never the password)
    r = post(c, path, path, {"username": "petugas.capil", "full_name": "Lain", "role": "warga", "unit": "",
                             "password": "sandi-petugas-123"}).expect(409)
    assert 'value="Lain"' in r.text and "sandi-petugas-123" not in r.text
    rows = db.sql("SELECT COUNT(*) FROM users WHERE tenant = '%s' AND username = 'petugas.capil'" % T)
    assert int(rows[0][0]) == 1, rows


def test_complaint_categories_and_settings_answer_with_a_redirect(env):
    """The administrator adds the complaint categories one after another: each save goes back
    to the page by a GET, so a reload does not send it again into a 409 ("kode kategori ini
    sudah dipakai", or "pengaturan telah diubah orang lain" for the deadlines)."""
    db, _srv, c = new_pemda(env)
    post(c, "/t/%s/admin/opd" % T, "/t/%s/admin/opd" % T,
         {"code": "DLH", "name": "Dinas Lingkungan Hidup", "kind": "dinas"}).expect(303)
    path = "/t/%s/pengaduan/pengaturan" % T
    for code, name in (("sampah", "Sampah"), ("air_bersih", "Air bersih")):
        r = post(c, path, path, {"version": "0", "code": code, "name": name, "unit": "DLH",
                                 "sla_class": "koordinasi"}).expect(303)
        assert r.header("location") == path + "?ok=kategori#cpl-category", r.header("location")
        page = c.get(path + "?ok=kategori").expect(200)
        assert "kategori disimpan" in notices(page) and "<td>%s</td>" % name in page.text
    page = c.get(path).expect(200)
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    r = c.post_form(path, {"_csrf": page.csrf(), "version": version, "verify_days": "2", "sla_simple": "4",
                           "sla_coord": "10", "sla_field": "30", "escalate_days": "2", "threshold": "80",
                           "dup_radius_m": "300", "dup_window_days": "30"}).expect(303)
    assert r.header("location") == path + "?ok=pengaturan", r.header("location")
    page = c.get(r.header("location")).expect(200)
    assert "pengaturan disimpan" in notices(page) and 'id="verify_days" name="verify_days" type="number" ' \
        'min="1" max="30" value="2"' in page.text, page.text
    rows = db.sql("SELECT COUNT(*) FROM complaints_categories WHERE tenant = '%s'" % T)
    assert int(rows[0][0]) == 2, rows


def test_holiday_page_says_when_national_holidays_are_not_loaded(env):
    """data/holidays covers 2023-2027: the page of a later year says its national holidays are
    not loaded (deadlines would count them as working days) and how the operator loads them."""
    _db, _srv, c = new_pemda(env)
    r = c.get("/t/%s/admin/hari-libur?tahun=2028" % T).expect(200)
    assert "belum dimuat di sigap" in r.text and "sigap import holidays" in r.text, r.text
    r = c.get("/t/%s/admin/hari-libur?tahun=2026" % T).expect(200)
    assert "belum dimuat di sigap" not in r.text and "Hari libur nasional dan cuti bersama 2026" in r.text


def first_month(env):
    """The first month, walked on the web: set-up by the administrator, an application through a
    local holiday (its deadline checked), finished by the OPD, and the citizen's survey with NRR
    4,3,3,4,3,3,4,3,3. Returns (server, the Sekda's client, today in WITA, the survey's scores)."""
    db, srv, c = new_pemda(env)
    admin = lambda p: "/t/%s/admin/%s" % (T, p)  # noqa: E731
    post(c, admin("opd"), admin("opd"), {"code": "DISDUKCAPIL", "name": "Dinas Kependudukan dan Pencatatan Sipil",
                                         "kind": "dinas"}).expect(303)
    # a local holiday on the next working day, so the SLA has to skip it
    nat = national_holidays()
    today = today_wita()
    holiday = add_working_days(today, 1, nat)
    post(c, admin("hari-libur?tahun=%d" % holiday.year), admin("hari-libur?tahun=%d" % holiday.year),
         {"date": holiday.isoformat(), "name": "Hari Jadi Kabupaten Lombok Timur"}).expect(303)
    # the catalogue: one service with its standar pelayanan and a two-step workflow
    svc = {"row_version": "0", "code": "akta-lahir", "name": "Akta Kelahiran", "unit": "DISDUKCAPIL",
           "category": "Kependudukan", "summary": "Penerbitan akta kelahiran", "requirements": "Surat lahir\nKK",
           "procedure": "Ajukan\nVerifikasi\nTerbit", "sla_days": "3", "fee": "0", "product": "Akta kelahiran",
           "complaints": "Layanan pengaduan DISDUKCAPIL", "legal_basis": "UU 24/2013",
           "form_text": "nama_bayi | text | Nama bayi | wajib |\nnik_pemohon | nik | NIK pemohon | wajib |",
           "steps_text": "Verifikasi berkas | petugas\nPersetujuan | kepala_opd"}
    post(c, admin("layanan/baru"), admin("layanan/baru"), svc).expect(303)
    # a complaint category owned by the OPD
    r = post(c, "/t/%s/pengaduan/pengaturan" % T, "/t/%s/pengaduan/pengaturan" % T,
             {"version": "0", "code": "adminduk", "name": "Administrasi kependudukan", "unit": "DISDUKCAPIL",
              "sla_class": "sederhana"})
    assert r.status in (200, 303), r.describe()
    assert "Belum ada kategori." not in c.get("/t/%s/pengaduan/pengaturan" % T).text
    # officials: one by one (test_adding_an_official_answers_with_a_redirect checks the answer)
    # and from a spreadsheet, the officer choosing a password through the invitation link
    for username, role, unit in (("kadis.capil", "kepala_opd", "DISDUKCAPIL"), ("sekda.lotim", "sekda", "")):
        r = post(c, admin("pengguna"), admin("pengguna"), {"username": username, "full_name": username.title(),
                                                           "role": role, "unit": unit,
                                                           "password": "sandi-%s-1" % username})
        assert r.status in (200, 303), r.describe()
    csv = "username;nama;peran;opd\nPETUGAS.CAPIL;Lalu Petugas;petugas;disdukcapil\n"
    post(c, admin("impor-pengguna"), admin("impor-pengguna"), {"csv": csv}).expect(200, contains="Lalu Petugas")
    r = post(c, admin("impor-pengguna"), admin("impor-pengguna"), {"csv": csv, "yakin": "1"})
    assert r.status == 200, r.describe()
    link = re.search(r"/t/%s/lupa-sandi/[0-9a-f]+" % re.escape(T), r.text).group(0)
    officer = srv.client()
    tok = officer.get(link).expect(200).csrf()
    officer.post_form(link, {"_csrf": tok, "password": "sandi-petugas-123", "confirm": "sandi-petugas-123"})
    officer = srv.client()
    officer.login(T, "petugas.capil", "sandi-petugas-123")

    # a citizen makes an account and applies
    w = srv.client()
    page = w.get("/t/%s/daftar" % T).expect(200)
    w.post_form("/t/%s/daftar" % T, {"_csrf": page.csrf(), "username": "warga.lotim", "full_name": "Inaq Warga",
                                     "password": "sandi-warga-123", "confirm": "sandi-warga-123"}).expect(303)
    form = w.get("/t/%s/layanan/akta-lahir/ajukan" % T).expect(200)
    nonce = re.search(r'name="_nonce" value="([^"]+)"', form.text).group(1)
    r = w.post_form("/t/%s/layanan/akta-lahir/ajukan" % T, {"_csrf": form.csrf(), "_nonce": nonce,
                                                           "nama_bayi": "Baiq Bayi",
                                                           "nik_pemohon": "5203014501900001"}).expect(303)
    app_path = r.header("location").split("?")[0]
    page = w.get(app_path).expect(200)
    due = re.search(r"Target selesai</dt><dd>(\d{4}-\d{2}-\d{2})", page.text).group(1)
    assert due == add_working_days(today, 3, nat | {holiday}).isoformat(), (due, holiday)

    # the officer and the head of the OPD finish it
    def advance(client):
        p = client.get(app_path).expect(200)
        m = re.search(r'<form[^>]*action="([^"]*)"[^>]*>((?:(?!</form>).)*value="advance"(?:(?!</form>).)*)</form>',
                      p.text, re.S)
        assert m, p.text
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', m.group(2)))
        client.post_form(m.group(1), dict(fields, op="advance")).expect(303)
    advance(officer)
    kadis = srv.client()
    kadis.login(T, "kadis.capil", "sandi-kadis.capil-1")
    advance(kadis)

    # the survey
    page = w.get(app_path).expect(200)
    survey = re.search(r"/t/%s/survei/[0-9a-f]{64}" % re.escape(T), page.text).group(0)
    scores = [4, 3, 3, 4, 3, 3, 4, 3, 3]
    sform = w.get(survey).expect(200)
    fields = {"u%d" % (i + 1): str(v) for i, v in enumerate(scores)}
    w.post_form(survey, dict(fields, _csrf=sform.csrf())).expect(200, contains="Terima kasih")
    s = srv.client()
    s.login(T, "sekda.lotim", "sandi-sekda.lotim-1")
    return srv, s, today, scores


def month_before(day):
    return (day.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")


def test_first_month_ikm_is_the_regulations(env):
    """The whole first month on the web; at its end the Sekda reads IKM = 25 x 30 / 9 = 83.33,
    mutu B (Baik), the nine NRR, in the report, the PDF and the CSV (PermenPANRB 14/2017). Its
    dates are all today's (WITA): walked again if midnight passed meanwhile."""
    on_one_day(lambda: first_month_ikm(env))


def first_month_ikm(env):
    _srv, s, today, scores = first_month(env)
    month = today.strftime("%Y-%m")
    q = "?dari=%s&sampai=%s" % (month, month)
    ikm = s.get("/t/%s/kinerja/ikm%s" % (T, q)).expect(200)
    assert '<strong class="perf-value">83,33</strong>' in ikm.text, ikm.text
    assert "Mutu pelayanan: <strong>B</strong> (Baik)" in ikm.text
    nrr = re.findall(r"<tr><td>U(\d)</td><td>[^<]*</td><td>([^<]*)</td></tr>", ikm.text)
    assert [float(v.replace(",", ".")) for _, v in nrr] == scores, nrr   # the page's decimal comma
    assert "83,33 \\050B, Baik\\051" in pdf_text(s.get("/t/%s/kinerja/laporan.pdf%s" % (T, q)).expect(200).body)
    ikm_csv = s.get("/t/%s/kinerja/ekspor/ikm_opd.csv%s" % (T, q)).expect(200).text
    assert "DISDUKCAPIL" in ikm_csv and "83.33,B" in ikm_csv, ikm_csv
    # the tables by service name their services (they gave only the code "akta-lahir")
    for table in ("layanan", "ikm_layanan"):
        rows = [line.split(",") for line in
                s.get("/t/%s/kinerja/ekspor/%s.csv%s" % (T, table, q)).expect(200).text.lstrip("\ufeff").split("\r\n") if line]
        assert rows[0][1:3] == ["Layanan / kategori", "Nama layanan / kategori"], rows[0]
        assert ["DISDUKCAPIL", "akta-lahir", "Akta Kelahiran"] in [r[:3] for r in rows[1:]], rows
    assert "<td>Akta Kelahiran</td>" in s.get("/t/%s/kinerja%s" % (T, q)).expect(200).text
    s.get("/t/%s/kinerja/ekspor/semua.xlsx%s" % (T, q)).expect(200)


def test_first_month_trend_has_every_month_and_draws_the_first(env):
    """The trend of the first month: the months before it are there with 0 (they were left out,
    and a quiet month joined its neighbours into one line), and a period of the first month
    alone draws its one point (a polyline of one point drew nothing). Walked again if midnight
    (WITA) passed meanwhile."""
    on_one_day(lambda: first_month_trend(env))


def first_month_trend(env):
    _srv, s, today, _scores = first_month(env)
    month = today.strftime("%Y-%m")
    before = (today.replace(day=1) - datetime.timedelta(days=40)).replace(day=1).strftime("%Y-%m")
    csv = s.get("/t/%s/kinerja/ekspor/tren.csv?dari=%s&sampai=%s" % (T, before, month)).expect(200).text
    rows = [line.split(",") for line in csv.lstrip("\ufeff").split("\r\n")[1:] if line]
    months = [r[0] for r in rows]
    assert months[0] == before and months[-1] == month and len(months) == len(set(months)) >= 3, csv
    assert all(r[1:3] == ["0", "0"] for r in rows[:-1]) and rows[-1][1:3] == ["1", "1"], csv
    dash = s.get("/t/%s/kinerja?dari=%s&sampai=%s" % (T, month, month)).expect(200)
    trend = re.search(r'<figure class="chart"><svg[^>]*aria-labelledby="tren-t tren-d".*?</figure>', dash.text, re.S)
    assert trend and "<circle" in trend.group(0), dash.text


def test_an_empty_period_says_so_on_the_dashboard_and_the_ikm_report(env):
    """Before the first item, the dashboard's charts say there is no data (they drew empty axes,
    and told a screen reader "Diterima: . Selesai: -"), and the IKM report and its PDF say no
    survey was answered (they showed "Mutu pelayanan: - (-)")."""
    _db, _srv, c = new_pemda(env)
    today = today_wita()
    prev = month_before(today)
    for q in ("", "?dari=%s&sampai=%s" % (prev, prev)):
        dash = c.get("/t/%s/kinerja%s" % (T, q)).expect(200)
        descs = re.findall(r'<desc id="([a-z]+)-d">([^<]*)</desc>', dash.text)
        assert len(descs) == 4, descs
        # overdue now is a figure of a period that reaches today only, and says so for another
        assert all(d.startswith("Belum ada") or (q and c_id == "terlambat" and d.startswith("Terlambat hanya"))
                   for c_id, d in descs), descs
        assert "<polyline" not in dash.text
        ikm = c.get("/t/%s/kinerja/ikm%s" % (T, q)).expect(200)
        assert "Belum ada jawaban survei pada periode ini" in ikm.text and "(-)" not in ikm.text, ikm.text
        pdf = c.get("/t/%s/kinerja/laporan.pdf%s" % (T, q)).expect(200, ctype="application/pdf")
        assert "belum ada jawaban survei" in pdf_text(pdf.body)
