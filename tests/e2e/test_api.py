"""
test_api.py: the public JSON API of sigap: region search and lookup, NIK
validation (every failure class and its message), and the working-day
calendar of a tenant, checked against a small reference model built here
from data/holidays.
"""
import datetime

from harness import HOLIDAYS_TSV, TENANT, TENANT2, check_sigap, local_today, on_one_day

NIK_OK = "5271015508900001"    # Kota Mataram, Ampenan; a woman born 15 August 1990, serial 0001


def regions(c, query):
    r = c.get("/api/v1/regions?" + query).expect(200, ctype="application/json")
    j = r.json()
    assert list(j) == ["regions"] and isinstance(j["regions"], list), j
    for x in j["regions"]:
        assert set(x) == {"code", "name", "level"}, x
    return j["regions"]


def test_regions_search_by_name_and_code(env):
    c = env.client()
    found = regions(c, "q=mataram")
    assert {"code": "52.71", "name": "Kota Mataram", "level": 2} in found, found
    assert found[0]["code"] == "52.71", found[:3]          # the best match first
    assert all("mataram" in x["name"].lower() for x in found), found
    # case does not matter
    assert regions(c, "q=MATARAM&limit=5") == found[:5]
    # by code: the region and what lies under it
    found = regions(c, "q=52.71&limit=3")
    assert found[0] == {"code": "52.71", "name": "Kota Mataram", "level": 2}, found
    assert all(x["code"].startswith("52.71") for x in found) and len(found) == 3, found
    assert regions(c, "q=zzzzqqqq") == []
    # LIKE wildcards are plain characters
    assert regions(c, "q=%25") == [] and regions(c, "q=_") == []


def test_regions_level_parent_and_limit(env):
    c = env.client()
    provinces = regions(c, "level=1&limit=100")
    assert len(provinces) == 38, len(provinces)
    assert {"code": "52", "name": "Nusa Tenggara Barat", "level": 1} in provinces or \
        any(p["code"] == "52" and "Nusa Tenggara Barat" in p["name"] for p in provinces), provinces
    assert all(p["level"] == 1 for p in provinces)
    assert regions(c, "q=mataram&level=2") == [{"code": "52.71", "name": "Kota Mataram", "level": 2}]
    ntb = regions(c, "parent=52&level=2&limit=100")
    codes = sorted(x["code"] for x in ntb)
    assert codes == ["52.01", "52.02", "52.03", "52.04", "52.05", "52.06", "52.07", "52.08", "52.71", "52.72"], codes
    assert len(regions(c, "q=a&limit=7")) == 7
    assert len(regions(c, "q=a")) == 50             # the default limit


def test_regions_bad_parameters_are_400(env):
    c = env.client()
    for q in ("level=0", "level=5", "level=x", "level=", "level=1.5", "level=-1"):
        c.get("/api/v1/regions?" + q).expect_json_error(
            400, code="invalid",
            message="level harus 1 (provinsi), 2 (kabupaten/kota), 3 (kecamatan) atau 4 (desa/kelurahan)")
    for q in ("limit=0", "limit=1001", "limit=abc", "limit=99999999999999999999"):
        c.get("/api/v1/regions?" + q).expect_json_error(400, code="invalid", message="limit harus antara 1 dan 1000")
    c.get("/api/v1/regions?q=" + "a" * 101).expect_json_error(400, code="invalid", message="kata kunci terlalu panjang")


def test_region_by_code(env):
    c = env.client()
    assert c.get("/api/v1/regions/52.71").expect(200).json() == {"code": "52.71", "name": "Kota Mataram", "level": 2}
    assert c.get("/api/v1/regions/52.71.01").expect(200).json() == {"code": "52.71.01", "name": "Ampenan", "level": 3}
    assert c.get("/api/v1/regions/52").expect(200).json()["level"] == 1
    assert c.get("/api/v1/regions/52.71.01.1004").expect(200).json()["level"] == 4
    for code in ("99.99", "52.99", "52.71.99", "99"):
        c.get("/api/v1/regions/" + code).expect_json_error(404, code="not_found", message="kode wilayah tidak dikenal")
    for code in ("xx", "52.7", "52.71.", "5271", "52..71", "52.71.01.1004.1", "%20"):
        c.get("/api/v1/regions/" + code).expect_json_error(400, code="invalid", message="kode wilayah tidak valid")


def test_bad_path_under_api_is_a_json_error(env):
    c = env.client()
    for path in ("/api/v1/regions/%2e", "/api/v1/regions/..", "/api/v1/regions/%2e%2e"):
        c.get(path).expect_json_error(400)


def nik(c, value, lang=None):
    h = {"Accept-Language": lang} if lang else None
    return c.post_json("/api/v1/nik/validate", {"nik": value}, headers=h)


def test_nik_valid_female(env):
    c = env.client()
    r = nik(c, NIK_OK).expect(200, ctype="application/json")
    assert r.json() == {"valid": True, "province": "52", "kabkota": "52.71", "kecamatan": "52.71.01",
                        "kecamatan_known": True, "sex": "P", "birth_date": "1990-08-15"}, r.json()
    assert NIK_OK not in r.text         # personal data is not echoed
    assert r.header("cache-control") == "no-store"
    # a man born 5 January 2001 in Jakarta Pusat (31.71.01)
    j = nik(c, "3171010501010002").expect(200).json()
    assert j["sex"] == "L" and j["birth_date"] == "2001-01-05" and j["kabkota"] == "31.71", j
    # spaces around the number are trimmed
    nik(c, "  " + NIK_OK + " ").expect(200)


def test_nik_failures_each_with_its_message(env):
    # a birth date of today is not past yet: today as the server reads it (WIB), the same day
    # as the test's if midnight did not pass in between (then once more)
    on_one_day(lambda: nik_failures(env), offset_hours=7)


def nik_failures(env):
    c = env.client()
    today = local_today(7)
    future = "527101%02d%02d%02d0001" % (today.day + 40, today.month, today.year % 100)
    cases = [
        ("52710155089000", 1, "NIK harus 16 digit"),
        ("52710155089000011", 1, "NIK harus 16 digit"),
        ("", 1, "NIK harus 16 digit"),
        ("52710155089000x1", 2, "NIK hanya boleh berisi angka; karakter ke-15 bukan angka"),
        ("a271015508900001", 2, "NIK hanya boleh berisi angka; karakter ke-1 bukan angka"),
        ("9971015508900001", 3, "kode provinsi '99' pada NIK tidak dikenal"),
        ("5299015508900001", 4, "kode kabupaten/kota '52.99' pada NIK tidak dikenal"),
        ("5271013213900001", 5, "tanggal lahir '321390' pada NIK bukan tanggal yang valid"),
        ("5271017102900001", 5, "tanggal lahir '710290' pada NIK bukan tanggal yang valid"),  # 31 Feb (woman)
        ("5271010000900001", 5, "tanggal lahir '000090' pada NIK bukan tanggal yang valid"),
        (future, 6, "tanggal lahir '%s' pada NIK belum lewat" % today.isoformat()),
        ("5271015508900000", 7, "nomor urut pada NIK tidak boleh 0000"),
    ]
    for value, reason, message in cases:
        r = nik(c, value).expect(400, ctype="application/json")
        assert r.json() == {"error": {"code": "invalid_nik", "message": message, "reason": reason}}, (value, r.json())
    # the English messages
    e = nik(c, "5271015508900000", lang="en").expect(400).json()["error"]
    assert e["reason"] == 7 and "0000" in e["message"] and "tidak" not in e["message"], e


def test_nik_unknown_kecamatan_is_a_note(env):
    c = env.client()
    j = nik(c, "5271995508900001").expect(200).json()
    assert j["valid"] is True and j["kecamatan"] == "52.71.99" and j["kecamatan_known"] is False, j
    assert j["note"] == ("kode kecamatan '52.71.99' pada NIK tidak ada dalam daftar wilayah terbaru; "
                         "NIK tetap diterima"), j
    assert "note" not in nik(c, NIK_OK).json()


# ---------------------------------------------------------------- calendar

def _national_holidays():
    days = set()
    with open(HOLIDAYS_TSV, encoding="utf-8") as f:
        next(f)
        for line in f:
            if line.strip():
                days.add(datetime.date.fromisoformat(line.split("\t")[0]))
    return days


class Cal:
    """Reference model of docs/calendar.md: Monday to Friday, not a holiday."""

    def __init__(self, extra=()):
        self.hol = _national_holidays() | set(extra)

    def working(self, d):
        return d.weekday() < 5 and d not in self.hol

    def add(self, start, n):
        d = start
        if n == 0:
            while not self.working(d):
                d += datetime.timedelta(days=1)
            return d
        while n > 0:
            d += datetime.timedelta(days=1)
            n -= self.working(d)
        return d

    def between(self, a, b):
        if b < a:
            return -self.between(b, a)
        n, d = 0, a
        while d < b:
            d += datetime.timedelta(days=1)
            n += self.working(d)
        return n


def cal_add(c, tenant, start, days):
    r = c.get("/api/v1/t/%s/calendar/add?from=%s&days=%s" % (tenant, start, days)).expect(200)
    j = r.json()
    assert j["tenant"] == tenant and j["from"] == str(start) and j["working_days"] == int(days), j
    assert j["tz"] == "WITA", j
    return j["due"]


def cal_between(c, tenant, a, b):
    j = c.get("/api/v1/t/%s/calendar/between?from=%s&to=%s" % (tenant, a, b)).expect(200).json()
    assert j == {"tenant": tenant, "from": str(a), "to": str(b), "working_days": j["working_days"]}, j
    return j["working_days"]


def test_calendar_across_lebaran_2026(env):
    c, ref = env.client(), Cal()
    D = datetime.date
    # Nyepi 19 March, cuti bersama 18/20/23/24, Idul Fitri 21-22 March 2026
    assert cal_add(c, TENANT, D(2026, 3, 17), 1) == "2026-03-25"
    assert cal_add(c, TENANT, D(2026, 3, 17), 0) == "2026-03-17"
    assert cal_add(c, TENANT, D(2026, 3, 18), 0) == "2026-03-25"
    assert cal_add(c, TENANT, D(2026, 3, 16), 5) == "2026-03-30"
    assert cal_between(c, TENANT, D(2026, 3, 17), D(2026, 3, 31)) == 5
    assert cal_between(c, TENANT, D(2026, 3, 31), D(2026, 3, 17)) == -5
    assert cal_between(c, TENANT, D(2026, 3, 20), D(2026, 3, 20)) == 0
    start = D(2026, 3, 1)
    for k in range(0, 40, 3):
        assert cal_add(c, TENANT, start, k) == str(ref.add(start, k)), k
    for a, b in ((D(2026, 3, 1), D(2026, 4, 30)), (D(2026, 3, 19), D(2026, 3, 24)), (D(2026, 2, 27), D(2026, 4, 6))):
        assert cal_between(c, TENANT, a, b) == ref.between(a, b), (a, b)


def test_calendar_across_a_year_boundary(env):
    c, ref = env.client(), Cal()
    D = datetime.date
    # Christmas 24-25 December 2026, New Year 1 January and Isra Mikraj (estimated) 5 January 2027
    assert cal_add(c, TENANT, D(2026, 12, 23), 3) == "2026-12-30"
    assert cal_add(c, TENANT, D(2026, 12, 30), 2) == "2027-01-04"
    assert cal_add(c, TENANT, D(2026, 12, 31), 2) == "2027-01-06"
    assert cal_between(c, TENANT, D(2026, 12, 20), D(2027, 1, 10)) == 11
    for k in (1, 5, 10, 20, 60, 250):
        assert cal_add(c, TENANT, D(2026, 12, 20), k) == str(ref.add(D(2026, 12, 20), k)), k
    assert cal_between(c, TENANT, D(2026, 1, 1), D(2027, 1, 1)) == ref.between(D(2026, 1, 1), D(2027, 1, 1))
    # the province tenant has the same national calendar
    j = c.get("/api/v1/t/%s/calendar/add?from=2026-12-23&days=3" % TENANT2).expect(200).json()
    assert j["due"] == "2026-12-30", j
    # without from: today in the tenant's time zone (read again if midnight passed meanwhile)
    def without_from():
        j = c.get("/api/v1/t/%s/calendar/add?days=0" % TENANT).expect(200).json()
        today = local_today(8)
        assert j["from"] == str(today) and j["due"] == str(ref.add(today, 0)), j
    on_one_day(without_from)


def test_calendar_local_holiday_of_one_tenant(env):
    c = env.client()
    D = datetime.date
    day = D(2027, 6, 15)     # a Tuesday without a national holiday
    assert cal_add(c, TENANT, D(2027, 6, 14), 1) == "2027-06-15"
    p = check_sigap(["holiday", "add", "--tenant", TENANT, "--date", str(day), "--name", "Hari Jadi Kota Uji"],
                    db=env.shared_db)
    assert "local holiday 2027-06-15 added for 52.71" in p.stdout, p.stdout
    assert cal_add(c, TENANT, D(2027, 6, 14), 1) == "2027-06-16"
    assert cal_between(c, TENANT, D(2027, 6, 14), D(2027, 6, 16)) == 1
    # the other tenant is not affected
    j = c.get("/api/v1/t/%s/calendar/add?from=2027-06-14&days=1" % TENANT2).expect(200).json()
    assert j["due"] == "2027-06-15", j
    p = env.sigap(["holiday", "add", "--tenant", TENANT, "--date", str(day), "--name", "Lagi"], db=env.shared_db)
    assert p.returncode == 1 and "already a local holiday" in p.stderr, (p.returncode, p.stderr)
    p = env.sigap(["holiday", "add", "--tenant", TENANT, "--date", "2027-02-30", "--name", "X"], db=env.shared_db)
    assert p.returncode == 2 and "invalid date '2027-02-30'" in p.stderr, (p.returncode, p.stderr)


def test_calendar_bad_dates_are_400(env):
    c = env.client()
    add = "/api/v1/t/%s/calendar/add?" % TENANT
    for q in ("from=2026-02-30&days=1", "from=2026-13-01&days=1", "from=x&days=1", "from=2026-3-1&days=1",
              "from=&days=1", "from=2026-03-01T00:00&days=1", "from=%zz&days=1"):
        r = c.get(add + q)
        if "%zz" in q:
            r.expect_json_error(400, code="invalid")
        else:
            r.expect_json_error(400, code="invalid", message="tanggal 'from' harus berformat YYYY-MM-DD")
    for q in ("from=2026-03-01", "from=2026-03-01&days=-1", "from=2026-03-01&days=3651", "from=2026-03-01&days=x",
              "from=2026-03-01&days=1.5", "from=2026-03-01&days="):
        c.get(add + q).expect_json_error(400, code="invalid", message="'days' harus bilangan bulat 0 sampai 3650")
    between = "/api/v1/t/%s/calendar/between?" % TENANT
    for q in ("from=2026-03-01", "from=2026-02-29&to=2026-03-01", "from=2026-03-01&to=2026-04-31", "to=x",
              "from=2026-03-01&to="):
        c.get(between + q).expect_json_error(
            400, code="invalid", message="tanggal 'from' dan 'to' harus berformat YYYY-MM-DD")
    # the English message
    e = c.get(add + "from=x&days=1", headers={"Accept-Language": "en"}).expect_json_error(400)
    assert e["message"] == "date 'from' must be YYYY-MM-DD", e


def test_public_reads_are_open_to_other_origins(env):
    """What anyone may read without a credential (the service catalogue, tracking by number, a
    receipt's and a decision's verification, the register of decisions, regions, the calendar, the
    OpenAPI document, open data, Open311) carries Access-Control-Allow-Origin: * on every answer,
    errors too, so that a Pemda's portal or a dashboard on another site may read it from a
    script. Only open data and Open311 had it: a portal's script could not read the catalogue
    or check a decision, and open data of an unknown Pemda (answered by the router, before the
    handler) was a 404 it could not read. What needs a session or a key, and every write, is not
    opened up."""
    c = env.client()
    origin = {"Origin": "https://portal.example.id"}
    token = c.get("/api/v1/t/%s/keputusan" % TENANT).expect(200).json()["decisions"][0]["token"]
    t = "/api/v1/t/%s" % TENANT
    for path, status in (("%s/services" % t, 200), ("%s/services?q=ktp" % t, 200),
                         ("%s/services?q=%s" % (t, "x" * 101), 400),
                         ("%s/services/ktp-el" % t, 200), ("%s/services/tidak-ada" % t, 404),
                         ("%s/services/ktp-el?version=x" % t, 400),
                         ("%s/track?number=52.71/PLY/2026/999999" % t, 404), ("%s/track" % t, 400),
                         ("/api/v1/verify/" + "0" * 32, 404),
                         ("%s/keputusan" % t, 200), ("%s/keputusan?per_page=0" % t, 400),
                         ("%s/verifikasi/%s" % (t, token), 200), ("%s/verifikasi/%s" % (t, "0" * 32), 404),
                         ("/api/v1/openapi.json", 200), ("/api/v1/tenants", 200),
                         ("/api/v1/regions?q=mataram", 200), ("/api/v1/regions?level=9", 400),
                         ("/api/v1/regions/52.71", 200), ("/api/v1/regions/99.99", 404),
                         ("%s/calendar/add?from=2026-03-01&days=3" % t, 200), ("%s/calendar/add?from=x" % t, 400),
                         ("%s/calendar/between?from=2026-03-01&to=2026-03-31" % t, 200),
                         ("%s/data-terbuka" % t, 200),
                         # answered by the router before any handler: an unknown Pemda
                         ("/api/v1/t/99.99/data-terbuka", 404), ("/api/v1/t/99.99/services", 404),
                         ("/api/v1/t/99.99/keputusan", 404),
                         ("/open311/v2/services.json?jurisdiction_id=%s" % TENANT, 200),
                         ("/open311/v2/requests.xml?jurisdiction_id=99.99", 404)):
        r = c.get(path, headers=origin)
        assert r.status == status, (path, r.describe())
        assert r.header("access-control-allow-origin") == "*", (path, r.describe())
        assert len(r.header_all("access-control-allow-origin")) == 1, (path, r.describe())
    # a signed-in user's own reads and what needs a role are not opened up, nor is any write
    anon = env.client()
    for path, status in (("%s/me" % t, 401), ("%s/applications" % t, 401), ("%s/queue" % t, 401),
                         ("%s/usulan" % t, 401), ("%s/kinerja" % t, 401)):
        r = anon.get(path, headers=origin)
        assert r.status == status and r.header("access-control-allow-origin") is None, (path, r.describe())
    w = env.client()
    w.login(TENANT, "warga")
    for path in ("%s/me" % t, "%s/applications" % t, "/t/%s/akun/data.json" % TENANT):
        r = w.get(path, headers=origin).expect(200)
        assert r.header("access-control-allow-origin") is None, (path, r.describe())
    r = anon.post_json("/api/v1/nik/validate", {"nik": NIK_OK}, headers=origin).expect(200)
    assert r.header("access-control-allow-origin") is None, r.describe()
    r = anon.post_json("%s/services" % t, {"code": "x"}, headers=origin)
    assert r.status == 401 and r.header("access-control-allow-origin") is None, r.describe()
