"""
test_complaints.py: the complaints module seen from outside.

The Open311 GeoReport v2 conformance suite: discovery, services, service
definitions, POST and GET of requests and the FixMyStreet
servicerequestupdates extension, each in JSON and XML, and every error case
of the specification (missing or unknown jurisdiction, missing or wrong
api_key, missing or unknown service_code, missing or invalid location, too
long description, unknown ids, bad dates and ranges, photos that are not
images) with its status code and error list - and nothing stored half-way.
Then the web flow: a citizen files a complaint with a photo (its EXIF gone),
the coordinator verifies and dispositions it, the OPD answers, the citizen
rates it, and the public list and page show it without personal data.
"""
import os
import re
import uuid
import xml.etree.ElementTree as ET

from harness import REPO, TENANT, check_sigap

FIX = os.path.join(REPO, "tests", "fixtures", "complaints")
J = "jurisdiction_id=" + TENANT


def fixture(name):
    with open(os.path.join(FIX, name), "rb") as f:
        return f.read()


def multipart(fields, files=()):
    boundary = "----sigap" + uuid.uuid4().hex
    out = b""
    for k, v in fields:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (boundary, k)).encode()
        out += (v if isinstance(v, bytes) else str(v).encode("utf-8")) + b"\r\n"
    for k, name, ctype, data in files:
        out += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                % (boundary, k, name, ctype)).encode() + data + b"\r\n"
    out += ("--%s--\r\n" % boundary).encode()
    return out, "multipart/form-data; boundary=" + boundary


_keys = {}


def api_key(env, tenant=TENANT):
    if tenant not in _keys or _keys[tenant][0] is not env:
        p = check_sigap(["apikey", "create", "--tenant", tenant, "--name", "open311-" + tenant], db=env.shared_db)
        _keys[tenant] = (env, p.stdout.strip())
    return _keys[tenant][1]


def count(env, sql="SELECT COUNT(*) FROM complaints"):
    return int(env.shared_db.sql(sql)[0][0])


def xml(r):
    assert (r.header("content-type") or "").startswith("text/xml"), r.header("content-type")
    return ET.fromstring(r.body)


def expect_error(r, status, fmt="json", contains=None):
    """The specification's error answer, in the requested format."""
    assert r.status == status, "%s, expected %d: %s" % (r.describe(), status, r.text[:400])
    if fmt == "json":
        assert (r.header("content-type") or "").startswith("application/json"), r.header("content-type")
        j = r.json()
        assert isinstance(j, list) and len(j) == 1 and j[0]["code"] == status and j[0]["description"], j
        desc = j[0]["description"]
    else:
        root = xml(r)
        assert root.tag == "errors", root.tag
        e = root.findall("error")
        assert len(e) == 1 and e[0].findtext("code") == str(status) and e[0].findtext("description"), r.text
        desc = e[0].findtext("description")
    if contains:
        assert contains in desc, (desc, contains)
    return desc


def post(env, fields, fmt="json", files=()):
    c = env.client()
    if files:
        body, ctype = multipart(list(fields.items()), files)
        return c.request("POST", "/open311/v2/requests." + fmt, body=body, headers={"Content-Type": ctype})
    return c.post_form("/open311/v2/requests." + fmt, fields)


def good(env, **kw):
    f = {"jurisdiction_id": TENANT, "api_key": api_key(env), "service_code": "sampah", "lat": "-8.5921",
         "long": "116.0893", "description": "Sampah menumpuk di TPS pasar Kekalik tidak diangkut tiga hari",
         "first_name": "Rahasia", "last_name": "Pribadi", "email": "rahasia.pribadi@example.id"}
    f.update(kw)
    return {k: v for k, v in f.items() if v is not None}


# ------------------------------------------------------------------ discovery and services

def test_open311_discovery_json_and_xml(env):
    c = env.client()
    d = c.get("/open311/discovery.json").expect(200, ctype="application/json").json()
    ep = d["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2", d
    assert ep["url"].endswith("/open311/v2") and set(ep["formats"]) == {"text/xml", "application/json"}, d
    assert d["changeset"] and d["contact"] and ep["type"] == "production", d
    root = xml(c.get("/open311/discovery.xml").expect(200))
    assert root.tag == "discovery"
    assert [f.text for f in root.find("endpoints/endpoint/formats")] == ["text/xml", "application/json"]
    expect_error(c.get("/open311/discovery.yaml"), 404)


def test_open311_services_json_and_xml(env):
    c = env.client()
    s = c.get("/open311/v2/services.json?" + J).expect(200).json()
    codes = {x["service_code"] for x in s}
    assert {"jalan", "drainase", "sampah", "lingkungan", "pju", "parkir", "lalulintas", "adminduk", "perizinan",
            "kesehatan", "pendidikan", "sosial", "ketertiban", "pajak", "bencana", "air"} <= codes, codes
    one = [x for x in s if x["service_code"] == "jalan"][0]
    assert one["group"] == "DPUPR" and one["type"] == "realtime" and one["metadata"] is True, one
    root = xml(c.get("/open311/v2/services.xml?" + J).expect(200))
    assert root.tag == "services" and len(root.findall("service")) == len(s)
    assert root.find("service/metadata").text in ("true", "false")
    d = c.get("/open311/v2/services/jalan.json?" + J).expect(200).json()
    assert d["service_code"] == "jalan" and d["attributes"][0]["code"] == "kind", d
    root = xml(c.get("/open311/v2/services/jalan.xml?" + J).expect(200))
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key").text == "pengaduan"
    expect_error(c.get("/open311/v2/services/banjir.json?" + J), 404, contains="service_code")
    expect_error(c.get("/open311/v2/services/banjir.xml?" + J), 404, "xml")


def test_open311_jurisdiction_errors(env):
    c = env.client()
    for fmt in ("json", "xml"):
        # two tenants are served: jurisdiction_id is required
        expect_error(c.get("/open311/v2/services.%s" % fmt), 400, fmt, contains="jurisdiction_id")
        expect_error(c.get("/open311/v2/requests.%s" % fmt), 400, fmt)
        expect_error(c.get("/open311/v2/services.%s?jurisdiction_id=99.99" % fmt), 404, fmt)
        expect_error(c.get("/open311/v2/requests/1.%s?jurisdiction_id=x%%27y" % fmt), 404, fmt)
    # the other tenant is its own jurisdiction, with its own (empty) categories
    assert c.get("/open311/v2/services.json?jurisdiction_id=52").expect(200).json() == []
    expect_error(c.get("/open311/v2/nothing.json?" + J), 404)
    expect_error(c.get("/open311/v2/requests.csv?" + J), 404)


# ------------------------------------------------------------------ POST and GET

def test_open311_post_then_get_both_formats(env):
    before = count(env)
    r = post(env, good(env)).expect(200, ctype="application/json")
    j = r.json()
    assert isinstance(j, list) and len(j) == 1, j
    rid = j[0]["service_request_id"]
    assert re.fullmatch(r"[0-9]+", rid) and j[0]["account_id"] is None, j
    assert re.search(r"52\.71/ADU/20[0-9]{2}/[0-9]{6}", j[0]["service_notice"]), j
    # the reporter code, for the app to hand to the citizen: it works on the web, no GET shows it
    code = re.search(r"kode pelapor untuk membalas dan menilai ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){4}) "
                     r"\(/t/52\.71/pengaduan/%s\)" % rid, j[0]["service_notice"]).group(1)
    c = env.client()
    page = c.get("/t/%s/pengaduan/%s" % (TENANT, rid)).expect(200, contains="Anda pelapor laporan ini?")
    c.post_form("/t/%s/pengaduan/%s/kunci" % (TENANT, rid), {"_csrf": page.csrf(), "kunci": code}).expect(303)
    c.get("/t/%s/pengaduan/%s" % (TENANT, rid)).expect(200, contains="Kirim balasan")
    assert code not in env.client().get("/open311/v2/requests/%s.json?%s" % (rid, J)).text
    assert count(env) == before + 1
    # the audit entry went in with it
    assert count(env, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.create' AND object = 'complaint:%s'"
                 % rid) == 1
    r = post(env, good(env, service_code="jalan"), fmt="xml").expect(200)
    root = xml(r)
    assert root.tag == "service_requests" and root.find("request/service_request_id").text.isdigit()

    c = env.client()
    one = c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()
    assert len(one) == 1
    g = one[0]
    assert g["service_request_id"] == rid and g["status"] == "open" and g["service_code"] == "sampah", g
    assert g["lat"] == -8.5921 and g["long"] == 116.0893, g
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", g["requested_datetime"]), g
    assert g["expected_datetime"] > g["requested_datetime"], g
    for k in ("status_notes", "service_name", "description", "agency_responsible", "service_notice",
              "updated_datetime", "address", "address_id", "zipcode", "media_url"):
        assert k in g, (k, g)
    # personal data never leaves through Open311
    assert "Rahasia" not in c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).text
    assert "rahasia.pribadi" not in c.get("/open311/v2/requests.json?" + J).text
    root = xml(c.get("/open311/v2/requests/%s.xml?%s" % (rid, J)).expect(200))
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    assert root.find("request/lat").text.startswith("-8.5921")

    # the list, its filters, and the default window
    lst = c.get("/open311/v2/requests.json?" + J).expect(200).json()
    assert any(x["service_request_id"] == rid for x in lst)
    lst = c.get("/open311/v2/requests.json?%s&service_code=jalan,pju" % J).expect(200).json()
    assert lst and all(x["service_code"] in ("jalan", "pju") for x in lst), lst
    lst = c.get("/open311/v2/requests.json?%s&status=closed" % J).expect(200).json()
    assert all(x["status"] == "closed" for x in lst) and lst, lst
    lst = c.get("/open311/v2/requests.json?%s&status=open,closed" % J).expect(200).json()
    assert any(x["status"] == "open" for x in lst) and any(x["status"] == "closed" for x in lst)
    lst = c.get("/open311/v2/requests.json?%s&service_request_id=%s,1" % (J, rid)).expect(200).json()
    assert sorted(x["service_request_id"] for x in lst) == sorted([rid, "1"]), lst
    lst = xml(c.get("/open311/v2/requests.xml?%s&service_code=sampah" % J).expect(200))
    assert lst.tag == "service_requests" and lst.findall("request")


def test_open311_default_90_days(env):
    rid = post(env, good(env, description="Laporan lama tentang sampah menumpuk")).expect(200).json()[0][
        "service_request_id"]
    # make it 100 days old
    env.shared_db.sql("UPDATE complaints SET created_at = created_at - 100 * 86400 WHERE id = %s" % rid)
    c = env.client()
    ids = [x["service_request_id"] for x in c.get("/open311/v2/requests.json?" + J).expect(200).json()]
    assert rid not in ids
    r = c.get("/open311/v2/requests.json?%s&start_date=%s" % (J, "2000-01-01T00:00:00Z"))
    assert r.status == 200 and rid not in [x["service_request_id"] for x in r.json()]
    # asked for by id, it is found
    assert c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()[0]["service_request_id"] == rid


def test_open311_post_errors_both_formats(env):
    key = api_key(env)
    other = api_key(env, "52")
    before = count(env)
    cases = [
        (dict(api_key=None), 403, "api_key"),
        (dict(api_key="sgp_000000000000_" + "0" * 64), 403, "api_key"),
        (dict(api_key="wrong"), 403, "api_key"),
        (dict(api_key=other), 403, "jurisdiction_id"),
        (dict(service_code=None), 400, "service_code"),
        (dict(service_code=""), 400, "service_code"),
        (dict(service_code="banjir"), 404, "service_code"),
        (dict(lat=None, long=None), 400, "lokasi"),
        (dict(lat="-8.59", long=None), 400, "lat"),
        (dict(lat="abc"), 400, "lat"),
        (dict(lat="1e999"), 400, "lat"),
        (dict(lat="95", long="116"), 400, "lokasi"),
        (dict(lat="48.85", long="2.35"), 400, "Indonesia"),
        (dict(address_id="52.01.01.2001", lat=None, long=None), 400, "kelurahan"),
        (dict(description=None), 400, "description"),
        (dict(description="x" * 4001), 400, "4000"),
        (dict(jurisdiction_id="99.99"), 404, "jurisdiction_id"),
        (dict(**{"attribute[kind]": "keluhan"}), 400, "jenis"),
    ]
    for fmt in ("json", "xml"):
        for over, status, word in cases:
            r = post(env, good(env, **over), fmt=fmt)
            expect_error(r, status, fmt, contains=word)
    # photos that are not images, and broken ones
    for name, data in (("a.txt", fixture("not_image.txt")), ("b.jpg", fixture("photo_exif.jpg")[:300])):
        r = post(env, good(env), files=[("media", name, "image/jpeg", data)])
        expect_error(r, 400, contains="foto")
    r = post(env, good(env), fmt="xml", files=[("media", "a.txt", "image/jpeg", fixture("not_image.txt"))])
    expect_error(r, 400, "xml")
    # nothing was stored by any of them
    assert count(env) == before
    # exactly 4000 characters and an address_id only are fine
    post(env, good(env, description="é" * 4000)).expect(200)
    post(env, good(env, lat=None, long=None, address_id="52.71.02.1011")).expect(200)
    post(env, good(env, lat=None, long=None, address_string="Jl. Udayana")).expect(200)
    # the key may come as a header instead
    f = good(env, api_key=None)
    env.client().post_form("/open311/v2/requests.json", f, headers={"X-API-Key": key}).expect(200)


def test_open311_get_errors_both_formats(env):
    c = env.client()
    for fmt in ("json", "xml"):
        expect_error(c.get("/open311/v2/requests/999999.%s?%s" % (fmt, J)), 404, fmt)
        expect_error(c.get("/open311/v2/requests/abc.%s?%s" % (fmt, J)), 404, fmt)
        expect_error(c.get("/open311/v2/requests.%s?%s&start_date=kemarin" % (fmt, J)), 400, fmt, "start_date")
        expect_error(c.get("/open311/v2/requests.%s?%s&end_date=2026-13-01" % (fmt, J)), 400, fmt, "end_date")
        expect_error(c.get("/open311/v2/requests.%s?%s&start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"
                           % (fmt, J)), 400, fmt, "90")
        expect_error(c.get("/open311/v2/requests.%s?%s&start_date=2026-06-01&end_date=2026-05-01" % (fmt, J)),
                     400, fmt)
        expect_error(c.get("/open311/v2/requests.%s?%s&status=pending" % (fmt, J)), 400, fmt, "status")
        expect_error(c.get("/open311/v2/requests.%s?%s&service_request_id=1,x" % (fmt, J)), 400, fmt)
        expect_error(c.get("/open311/v2/tokens/zz.%s?%s" % (fmt, J)), 404, fmt)
    # a range inside 90 days is fine
    c.get("/open311/v2/requests.json?%s&start_date=2026-01-01T00:00:00%%2B08:00&end_date=2026-03-01" % J).expect(200)


def test_open311_media_is_stripped_of_exif(env):
    r = post(env, good(env, service_code="jalan", description="Jalan berlubang, foto terlampir"),
             files=[("media", "p.jpg", "image/jpeg", fixture("photo_exif.jpg"))]).expect(200)
    rid = r.json()[0]["service_request_id"]
    c = env.client()
    g = c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()[0]
    assert g["media_url"] and g["media_url"].endswith("/t/52.71/pengaduan/%s/foto/0" % rid), g
    p = c.get(g["media_url"][g["media_url"].index("/t/"):]).expect(200, ctype="image/jpeg")
    assert b"GPS" not in p.body and b"Exif" not in p.body and b"Secret" not in p.body
    assert p.body == fixture("photo_clean.jpg")


def test_open311_service_request_updates(env):
    c = env.client()
    u = c.get("/open311/v2/servicerequestupdates.json?" + J).expect(200).json()
    assert u, "the demo data has updates"
    allowed = {"open", "closed", "fixed", "in_progress", "action_scheduled", "investigating", "duplicate",
               "not_councils_responsibility", "no_further_action", "internal_referral"}
    for x in u:
        assert set(x) >= {"update_id", "service_request_id", "status", "updated_datetime", "description"}, x
        assert x["status"] in allowed, x
    assert any(x["status"] == "fixed" for x in u), u
    root = xml(c.get("/open311/v2/servicerequestupdates.xml?" + J).expect(200))
    assert root.tag == "service_request_updates" and root.findall("request_update")
    expect_error(c.get("/open311/v2/servicerequestupdates.json?%s&start_date=x" % J), 400)


# ------------------------------------------------------------------ the web flow

def login(env, user):
    c = env.client()
    c.login(TENANT, user)
    return c


def set_auto_route(env, on):
    """The coordinator turns auto-routing on or off (the other settings at their defaults), so
    that a journey through the coordinator does not depend on whether a routing model is loaded."""
    k = login(env, "koordinator")
    csrf = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200).csrf()
    f = {"_csrf": csrf, "verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60",
         "escalate_days": "3", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}
    if on:
        f["auto_route"] = "1"
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(200)


def test_web_flow_file_verify_answer_rate(env):
    set_auto_route(env, False)
    try:
        web_flow(env)
    finally:
        set_auto_route(env, True)


def web_flow(env):
    w = login(env, "warga")
    form = w.get("/t/%s/pengaduan/baru" % TENANT).expect(200, contains="Laporkan")
    body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "KTP-el belum dicetak"),
                             ("description", "Sudah tiga bulan KTP-el saya belum dicetak di Disdukcapil"),
                             ("category", "adminduk"), ("kelurahan", "52.71.02.1011"), ("identity", "terbuka"),
                             ("address", "Kantor Disdukcapil")],
                            [("photo", "ktp.jpg", "image/jpeg", fixture("photo_exif.jpg"))])
    r = w.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype})
    assert r.status == 303, (r.status, r.text[:500])
    loc = r.header("location")
    m = re.match(r"/t/52\.71/pengaduan/(\d+)\?baru=1$", loc)
    assert m, loc
    cid = m.group(1)
    page = w.get(loc).expect(200, contains="Laporan Anda telah diterima")
    assert re.search(r"52\.71/ADU/\d{4}/\d{6}", page.text)
    photo = w.get("/t/%s/pengaduan/%s/foto/0" % (TENANT, cid)).expect(200, ctype="image/jpeg")
    assert photo.body == fixture("photo_clean.jpg")

    # the OPD cannot act before the coordinator; the coordinator verifies
    k = login(env, "koordinator")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Verifikasi koordinator")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    csrf = page.csrf()
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": csrf, "aksi": "verifikasi", "version": version, "category": "adminduk"}).expect(303)
    # a stale form is a conflict with a clear message
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": csrf, "aksi": "tunda", "version": version}).expect(409)

    p = login(env, "petugas")  # petugas of DISDUKCAPIL
    page = p.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Jawaban OPD")
    # the OPD sees the reporter's name (not confidential) but not the contact
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "jawab", "version": version,
                 "text": "KTP-el Anda sudah dicetak dan dapat diambil di loket 3."}).expect(303)
    # the citizen was told and sees the answer; rates it
    assert count(env, "SELECT COUNT(*) FROM notifications WHERE kind = 'complaint.answered' AND object = "
                      "'complaint:%s'" % cid) == 1
    page = w.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="dapat diambil di loket 3")
    version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
    w.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "nilai", "version": version, "rating": "5",
                 "text": "Terima kasih"}).expect(303)
    # anyone sees the answer and the rating, without the reporter's name
    anon = env.client()
    page = anon.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="dapat diambil di loket 3")
    assert "5/5" in page.text and "Selesai" in page.text
    assert "Baiq Nurul Aini" not in page.text and "B*** N*** A***" in page.text
    g = anon.get("/open311/v2/requests/%s.json?%s" % (cid, J)).expect(200).json()[0]
    assert g["status"] == "closed" and "loket 3" in g["status_notes"], g
    # the public list per kelurahan and category shows it
    lst = anon.get("/t/%s/pengaduan?kelurahan=52.71.02.1011&kategori=adminduk" % TENANT).expect(200)
    assert "KTP-el belum dicetak" in lst.text


def test_web_permissions_and_bad_input(env):
    c = env.client()
    form = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    csrf = form.csrf()
    fields = [("_csrf", csrf), ("kind", "pengaduan"), ("description", "Lampu jalan mati di gang kami"),
              ("identity", "anonim"), ("address", "Gang Mawar")]
    before = count(env)
    # without the CSRF token
    body, ctype = multipart(fields[1:])
    c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype}).expect(403)
    # a photo that is not an image
    body, ctype = multipart(fields, [("photo", "x.jpg", "image/jpeg", fixture("not_image.txt"))])
    c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
              headers={"Content-Type": ctype}).expect(400, contains="JPEG, PNG")
    # four photos
    body, ctype = multipart(fields, [("photo", "p%d.png" % i, "image/png", fixture("photo_text.png")) for i in range(4)])
    c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
              headers={"Content-Type": ctype}).expect(400, contains="3 foto")
    # too long, and no location
    body, ctype = multipart([(k, "x" * 4001 if k == "description" else v) for k, v in fields])
    c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
              headers={"Content-Type": ctype}).expect(400, contains="4000")
    body, ctype = multipart([kv for kv in fields if kv[0] != "address"])
    c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body,
              headers={"Content-Type": ctype}).expect(400, contains="lokasi wajib")
    assert count(env) == before
    # anonymous and fine, with a PNG whose text chunks go
    body, ctype = multipart(fields, [("photo", "p.png", "image/png", fixture("photo_text.png"))])
    r = c.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype}).expect(303)
    cid = re.search(r"/pengaduan/(\d+)", r.header("location")).group(1)
    assert c.get("/t/%s/pengaduan/%s/foto/0" % (TENANT, cid)).expect(200, ctype="image/png").body == \
        fixture("photo_clean.png")
    assert env.shared_db.sql("SELECT reporter_user_id, identity FROM complaints WHERE id = %s" % cid)[0] in \
        ((0, "anonim"), ("0", "anonim"))
    # an anonymous visitor cannot act; a citizen cannot verify
    c.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid), {"_csrf": csrf, "aksi": "verifikasi"}).expect(401)
    w = login(env, "warga")
    page = w.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
    w.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": page.csrf(), "aksi": "verifikasi"}).expect(403, contains="koordinator")
    # unknown ids
    w.get("/t/%s/pengaduan/999999" % TENANT).expect(404)
    w.get("/t/%s/pengaduan/abc" % TENANT).expect(404)
    w.get("/t/%s/pengaduan/%s/foto/2" % (TENANT, cid)).expect(404)


def test_queue_scoped_to_the_opd(env):
    p = login(env, "petugas")
    q = p.get("/t/%s/pengaduan/kelola?status=disposisi" % TENANT).expect(200, contains="Antrean pengaduan")
    # demo: the KTP-el complaint (DISDUKCAPIL) is there, the rubbish one (DLH) is not
    assert "KTP elektronik belum jadi" in q.text
    assert "Sampah menumpuk di TPS Kekalik" not in q.text
    k = login(env, "koordinator")
    q = k.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
    assert "Jalan berlubang di Jl. Pejanggik" in q.text


def test_settings_and_categories(env):
    k = login(env, "koordinator")
    page = k.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200, contains="Pengaturan pengaduan")
    csrf = page.csrf()
    fields = {"_csrf": csrf, "verify_days": "4", "sla_simple": "6", "sla_coord": "15", "sla_field": "45",
              "escalate_days": "2", "auto_route": "1", "threshold": "90", "dup_radius_m": "250",
              "dup_window_days": "20"}
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, fields).expect(200, contains="pengaturan disimpan")
    row = env.shared_db.sql("SELECT verify_days, sla_field, route_threshold_milli, auto_route FROM complaints_settings "
                            "WHERE tenant = '%s'" % TENANT)[0]
    assert [int(x) for x in row] == [4, 45, 900, 1], row
    for bad in (dict(verify_days="0"), dict(sla_field="366"), dict(threshold="101"), dict(dup_radius_m="-1"),
                dict(sla_simple="x")):
        f = dict(fields)
        f.update(bad)
        k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(400)
    # a category of its own, owned by an OPD that exists
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": "pasar", "name": "Pasar", "unit": "DLH", "sla_class": "sederhana"}).expect(200)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": "Pasar!", "name": "Pasar", "unit": "DLH", "sla_class": "sederhana"}).expect(400)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": "taman", "name": "Taman", "unit": "NOPE", "sla_class": "sederhana"}).expect(400)
    assert any(s["service_code"] == "pasar" for s in
               env.client().get("/open311/v2/services.json?" + J).expect(200).json())
    # back to the defaults for the other tests
    f = dict(fields, verify_days="3", sla_simple="5", sla_coord="14", sla_field="60", escalate_days="3",
             threshold="80", dup_radius_m="300", dup_window_days="30")
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(200)
    # citizens and OPD staff may not change them
    w = login(env, "warga")
    w.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(403)
    p = login(env, "petugas")
    p.post_form("/t/%s/pengaduan/pengaturan" % TENANT, dict(fields, _csrf=p.session_csrf(TENANT))).expect(403)


def test_anonymous_reporter_key(env):
    """An anonymous reporter gets a reporter code: this browser keeps it in a cookie for the
    complaint's pages alone, the page shows it once, and on another device the code lets the
    reporter reply, rate and reopen without an account; a wrong code or no code does not."""
    set_auto_route(env, False)
    try:
        a = env.client()
        form = a.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
        body, ctype = multipart([("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Got mampet"),
                                 ("description", "Got di gang kami mampet dan berbau sejak seminggu"),
                                 ("category", "drainase"), ("kelurahan", "52.71.02.1011"),
                                 ("identity", "anonim")], [])
        r = a.request("POST", "/t/%s/pengaduan/baru" % TENANT, body=body, headers={"Content-Type": ctype})
        assert r.status == 303, (r.status, r.text[:300])
        cid = re.match(r"/t/52\.71/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1)
        line = [l for l in r.header_all("set-cookie") if l.startswith("sigap_pelapor=")]
        assert line, r.header_all("set-cookie")
        assert "Path=/t/52.71/pengaduan/%s;" % cid in line[0] and "HttpOnly" in line[0], line[0]
        page = a.get(r.header("location")).expect(200, contains="Kode pelapor Anda")
        code = re.search(r'class="cpl-key"><strong>([0-9A-Z-]+)</strong>', page.text).group(1)
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){4}", code), code
        # only its hash is stored
        stored = str(env.shared_db.sql("SELECT reporter_key_hash FROM complaints WHERE id = %s" % cid)[0][0])
        assert len(stored) == 64 and code.replace("-", "") not in stored
        # the code is shown once; the page later offers the reply form, not the code
        page = a.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Balas")
        assert "Kode pelapor Anda" not in page.text

        # another device: no code, no reporter actions; a staff action needs an account
        b = env.client()
        page = b.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Anda pelapor laporan ini?")
        version = re.search(r'name="version" value="(\d+)"', a.get("/t/%s/pengaduan/%s" % (TENANT, cid)).text).group(1)
        b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "balas", "version": version, "text": "halo"}).expect(403)
        r = b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        {"_csrf": page.csrf(), "aksi": "verifikasi", "version": version})
        assert r.status in (401, 303) and r.status != 200, r.status
        assert count(env, "SELECT COUNT(*) FROM complaints WHERE id = %s AND status = 'baru'" % cid) == 1
        # a wrong code is refused, the right one (any case, no dashes) accepted
        b.post_form("/t/%s/pengaduan/%s/kunci" % (TENANT, cid),
                    {"_csrf": page.csrf(), "kunci": "0000-0000-0000-0000-0000"}).expect(403, contains="tidak cocok")
        b.post_form("/t/%s/pengaduan/%s/kunci" % (TENANT, cid),
                    {"_csrf": page.csrf(), "kunci": code.replace("-", "").lower()}).expect(303)
        page = b.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Balas")
        b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "balas", "version": version,
                     "text": "Sudah dua kali hujan, makin parah"}).expect(303)
        # the code works for this complaint only
        other = env.shared_db.sql("SELECT MIN(id) FROM complaints WHERE tenant = '52.71' AND id <> %s" % cid)[0][0]
        b.post_form("/t/%s/pengaduan/%s/kunci" % (TENANT, other),
                    {"_csrf": page.csrf(), "kunci": code}).expect(403)

        # the coordinator verifies, the OPD answers; the reporter rates with the code, no account
        k = login(env, "koordinator")
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "verifikasi", "version": version, "category": "drainase"}).expect(303)
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Jawaban OPD")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": version,
                     "text": "Got sudah dibersihkan petugas."}).expect(303)
        page = b.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Nilai jawaban")
        version = re.search(r'name="version" value="(\d+)"', page.text).group(1)
        b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "nilai", "version": version, "rating": "4"}).expect(303)
        row = env.shared_db.sql("SELECT rating, status FROM complaints WHERE id = %s" % cid)[0]
        assert tuple(str(x) for x in row) == ("4", "selesai"), row
        # the reporter's actions are in the history as "Pelapor", with no name
        page = env.client().get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="makin parah")
        assert "Anonim" in page.text
    finally:
        set_auto_route(env, True)
