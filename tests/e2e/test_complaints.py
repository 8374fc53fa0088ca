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
import json
import os
import re
import time
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

from harness import REPO, TENANT, check_sigap, unique, without_form_tokens

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
    # the zone's '+' left unencoded arrives as a space: read as the '+' (it was a 400 echoing "... 08:00"),
    # the same answer as when encoded; a '-' zone and a stray space elsewhere are still what they were
    q = "/open311/v2/requests.json?%s&start_date=2026-01-01T00:00:00%s08:00&end_date=2026-03-01T00:00:00%s08:00"
    assert c.get(q % (J, "+", "+")).expect(200).json() == c.get(q % (J, "%2B", "%2B")).expect(200).json()
    c.get(q % (J, "-", "-")).expect(200)
    expect_error(c.get("/open311/v2/requests.json?%s&start_date=2026-01-01+T00:00:00Z" % J), 400, "json", "start_date")


def test_open311_list_filters_by_unknown_codes_are_empty_not_404(env):
    """In GET requests, service_code and service_request_id are filters: the specification's only
    404 there is an unknown jurisdiction_id, so a code no request has, or that no category has,
    gives 200 with an empty list, in both formats, and a list mixing known and unknown codes gives
    the known ones' requests. (docs/complaints.md listed "unknown service_code" among the 404s
    without saying that is POST's and services/{code}'s.) An unknown service_code is 404 there."""
    post(env, good(env, service_code="jalan", description="Jalan berlubang di depan pasar")).expect(200)
    c = env.client()
    for fmt in ("json", "xml"):
        for q in ("service_code=TIDAKADA", "service_code=tidak-ada,juga-tidak", "service_request_id=999999999"):
            r = c.get("/open311/v2/requests.%s?%s&%s" % (fmt, J, q)).expect(200)
            if fmt == "json":
                assert r.json() == [], (q, r.text)
            else:
                root = xml(r)
                assert root.tag == "service_requests" and root.findall("request") == [], (q, r.text)
        expect_error(c.get("/open311/v2/services/TIDAKADA.%s?%s" % (fmt, J)), 404, fmt, "service_code")
        expect_error(c.get("/open311/v2/requests.%s?jurisdiction_id=99.99&service_code=jalan" % fmt), 404, fmt,
                     "jurisdiction_id")
    known = c.get("/open311/v2/requests.json?%s&service_code=jalan" % J).expect(200).json()
    assert known and all(x["service_code"] == "jalan" for x in known), known
    mixed = c.get("/open311/v2/requests.json?%s&service_code=TIDAKADA,jalan" % J).expect(200).json()
    assert mixed == known, (mixed, known)
    expect_error(post(env, good(env, service_code="TIDAKADA")), 404, "json", "service_code")


def test_open311_reads_are_open_to_other_origins(env):
    """What a GET gives is public (no key reads it), so a city dashboard's script on another site
    may read it: Access-Control-Allow-Origin: * on every GET answer, errors too, as open data's.
    Not on a POST: a page in a browser would have to show the world its API key. (The header was
    missing: a browser refused the dashboard every answer.)"""
    c = env.client()
    rid = post(env, good(env)).expect(200).json()[0]["service_request_id"]
    origin = {"Origin": "https://dasbor.example.id"}
    for fmt in ("json", "xml"):
        for path, status in (("/open311/discovery.%s" % fmt, 200), ("/open311/v2/services.%s?%s" % (fmt, J), 200),
                             ("/open311/v2/services/jalan.%s?%s" % (fmt, J), 200),
                             ("/open311/v2/requests.%s?%s" % (fmt, J), 200),
                             ("/open311/v2/requests/%s.%s?%s" % (rid, fmt, J), 200),
                             ("/open311/v2/requests/%s.%s?%s" % (rid, fmt, J), 200),  # the cached answer
                             ("/open311/v2/tokens/%s.%s?%s" % (rid, fmt, J), 200),
                             ("/open311/v2/servicerequestupdates.%s?%s" % (fmt, J), 200),
                             ("/open311/v2/requests.%s?%s&status=pending" % (fmt, J), 400),
                             ("/open311/v2/requests/999999.%s?%s" % (fmt, J), 404),
                             ("/open311/v2/services.%s" % fmt, 400)):
            r = c.get(path, headers=origin)
            assert r.status == status, (path, r.describe())
            assert r.header("access-control-allow-origin") == "*", (path, r.describe())
    r = env.client().post_form("/open311/v2/requests.json", good(env), headers=origin).expect(200)
    assert r.header("access-control-allow-origin") is None, r.describe()
    r = env.client().post_form("/open311/v2/requests.json", good(env, api_key="salah"), headers=origin)
    assert r.status == 403 and r.header("access-control-allow-origin") is None, r.describe()


def test_open311_media_is_stripped_of_exif(env):
    r = post(env, good(env, service_code="jalan", description="Jalan berlubang, foto terlampir"),
             files=[("media", "p.jpg", "image/jpeg", fixture("photo_exif.jpg"))]).expect(200)
    rid = r.json()[0]["service_request_id"]
    c = env.client()
    # no media_url until the coordinator has looked at the photo (tests/e2e/test_complaint_photos.py)
    g = c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()[0]
    assert g["media_url"] is None, g
    k = env.client()
    k.login(TENANT, "koordinator")
    if status_of(env, rid) == "baru":
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, rid)).expect(200)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, rid),
                    {"_csrf": page.csrf(), "aksi": "verifikasi", "version": version_of(page), "category": "jalan",
                     "foto_pilihan": "1", "foto_publik": "1"}).expect(303)
    else:  # auto-routed: shown from the page
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, rid)).expect(200, contains="Tampilkan foto ke publik")
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, rid),
                    {"_csrf": page.csrf(), "aksi": "tampilkan_foto", "version": version_of(page)}).expect(303)
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


def test_open311_refuses_noncharacters_and_blank_address(env):
    """U+FFFE, U+FFFF (and the other noncharacters) cannot be written in XML: refused like control
    characters in every text field, in both formats; an address_string of spaces is no location."""
    before = count(env)
    for fmt in ("json", "xml"):
        for field in ("description", "address_string", "first_name", "email"):
            for ch in ("\uffff", "\ufffe", "\ufdd0", "\U0001ffff"):
                r = post(env, good(env, **{field: "teks %s akhir" % ch}), fmt=fmt)
                expect_error(r, 400, fmt, contains="tidak sah")
        for blank in ("   ", " \t "):
            r = post(env, good(env, lat=None, long=None, address_string=blank), fmt=fmt)
            expect_error(r, 400, fmt, contains="lokasi")
    assert count(env) == before
    # the requests.xml list stays well-formed for everyone
    xml(env.client().get("/open311/v2/requests.xml?" + J).expect(200))


def test_open311_xml_survives_stored_noncharacters(env):
    """A text stored before intake refused noncharacters and control characters is written into
    the XML as U+FFFD, so that requests.xml stays readable."""
    rid = post(env, good(env, description="Laporan lama dengan karakter aneh")).expect(200).json()[0][
        "service_request_id"]
    ch = "chr" if env.shared_db.backend == "pg" else "char"
    env.shared_db.sql("UPDATE complaints SET description = 'lama ' || %s(65535) || ' ' || %s(65534) || ' akhir', "
                      "address = 'Gang ' || %s(1) || ' Mawar' WHERE id = %s" % (ch, ch, ch, rid))
    try:
        c = env.client()
        one = xml(c.get("/open311/v2/requests/%s.xml?%s" % (rid, J)).expect(200))
        assert one.find("request/description").text == "lama \ufffd \ufffd akhir", one.find("request/description").text
        assert one.find("request/address").text == "Gang \ufffd Mawar"
        lst = xml(c.get("/open311/v2/requests.xml?" + J).expect(200))
        assert rid in [e.text for e in lst.iter("service_request_id")]
        # JSON carries them as they are
        g = c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()[0]
        assert g["description"] == "lama \uffff \ufffe akhir", g
    finally:
        env.shared_db.sql("UPDATE complaints SET status = 'arsip' WHERE id = %s" % rid)


def test_open311_lat_long_plain_decimal(env):
    before = count(env)
    for fmt in ("json", "xml"):
        for lat in ("0x1p3", "1e1", "-8.5e0", "inf", "nan", "-8.", ".5", "--8.5", "-8.5x", "8,5"):
            expect_error(post(env, good(env, lat=lat), fmt=fmt), 400, fmt, contains="desimal")
        expect_error(post(env, good(env, long="1.16e2"), fmt=fmt), 400, fmt, contains="desimal")
    assert count(env) == before
    # spaces around the number are ignored at both ends alike
    for lat in (" -8.59", "-8.59 ", " -8.59 ", "-8.59"):
        rid = post(env, good(env, lat=lat, long=" 116.0893 ")).expect(200).json()[0]["service_request_id"]
        g = env.client().get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).json()[0]
        assert g["lat"] == -8.59 and g["long"] == 116.0893, g


def test_open311_key_and_content_type_errors(env):
    before = count(env)
    f = good(env, api_key=None)
    c = env.client()
    # a key sent in a header that does not check out is invalid, not missing
    for h in ({"X-API-Key": "sgp_bad"}, {"Authorization": "Bearer sgp_000000000000_" + "0" * 64},
              {"Authorization": "bearer nope"}):
        expect_error(c.post_form("/open311/v2/requests.json", f, headers=h), 403, contains="api_key tidak valid")
    expect_error(c.post_form("/open311/v2/requests.json", f), 403, contains="api_key wajib")
    # a revoked key, as a header and as the field
    key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", unique("o311rev"), "--role", "warga"],
                      db=env.shared_db).stdout.strip()
    c.post_form("/open311/v2/requests.json", f, headers={"Authorization": "Bearer " + key}).expect(200)
    check_sigap(["apikey", "revoke", "--tenant", TENANT, key[4:16]], db=env.shared_db)
    for fmt in ("json", "xml"):
        expect_error(c.post_form("/open311/v2/requests." + fmt, f, headers={"Authorization": "Bearer " + key}),
                     403, fmt, contains="api_key tidak valid")
        expect_error(c.post_form("/open311/v2/requests." + fmt, good(env, api_key=key)), 403, fmt,
                     contains="api_key tidak valid")
    # fields as text or JSON: said so, not "jurisdiction_id wajib diisi"
    body = urllib.parse.urlencode(good(env))
    for fmt in ("json", "xml"):
        for ct in ("text/plain", "application/json"):
            r = c.request("POST", "/open311/v2/requests." + fmt, body=body, headers={"Content-Type": ct})
            expect_error(r, 415, fmt, contains="application/x-www-form-urlencoded")
        r = c.request("POST", "/open311/v2/requests." + fmt, body=body)
        expect_error(r, 415, fmt, contains="multipart/form-data")
    assert count(env) == before + 1


def test_open311_dates_of_1970_and_id_lists(env):
    c = env.client()
    for q in ("end_date=1970-01-01T00:00:00Z", "start_date=1969-12-01T00:00:00Z&end_date=1970-01-01T00:00:00Z",
              "start_date=1970-01-01T00:00:00Z", "end_date=1970-01-01T07:00:00%2B07:00"):
        assert c.get("/open311/v2/requests.json?%s&%s" % (J, q)).expect(200).json() == [], q
        assert xml(c.get("/open311/v2/requests.xml?%s&%s" % (J, q)).expect(200)).findall("request") == [], q
    assert c.get("/open311/v2/servicerequestupdates.json?%s&end_date=1970-01-01T00:00:00Z" % J).expect(200).json() == []
    # a start of 1970-01-01T00:00:00Z is a start like one second later (the updates have no window)
    a = c.get("/open311/v2/servicerequestupdates.json?%s&start_date=1970-01-01T00:00:00Z" % J).expect(200).json()
    b = c.get("/open311/v2/servicerequestupdates.json?%s&start_date=1970-01-01T00:00:01Z" % J).expect(200).json()
    assert a == b and a
    for ids in ("6,,7", "6,", ",6", ",", " , "):
        for fmt in ("json", "xml"):
            expect_error(c.get("/open311/v2/requests.%s?%s&service_request_id=%s"
                               % (fmt, J, urllib.parse.quote(ids, safe=","))), 400, fmt, contains="service_request_id")
    assert sorted(x["service_request_id"] for x in
                  c.get("/open311/v2/requests.json?%s&service_request_id=1,%%202" % J).expect(200).json()) == ["1", "2"]


def test_open311_spam_token_not_found(env):
    rid = post(env, good(env, description="Iklan obat kuat murah hubungi nomor ini")).expect(200).json()[0][
        "service_request_id"]
    c = env.client()
    assert c.get("/open311/v2/tokens/%s.json?%s" % (rid, J)).expect(200).json()[0]["token"] == rid
    env.shared_db.sql("UPDATE complaints SET status = 'arsip' WHERE id = %s" % rid)
    for fmt in ("json", "xml"):
        expect_error(c.get("/open311/v2/requests/%s.%s?%s" % (rid, fmt, J)), 404, fmt)
        expect_error(c.get("/open311/v2/tokens/%s.%s?%s" % (rid, fmt, J)), 404, fmt, contains="token")


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
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(303)


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
    r = k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, fields).expect(303)
    # a GET back to the page (a reload does not send the form again), with the notice
    assert r.header("location") == "/t/%s/pengaduan/pengaturan?ok=pengaturan" % TENANT, r.header("location")
    k.get(r.header("location")).expect(200, contains="pengaturan disimpan")
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
                {"_csrf": csrf, "code": "pasar", "name": "Pasar", "unit": "DLH", "sla_class": "sederhana"}).expect(303)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": "Pasar!", "name": "Pasar", "unit": "DLH", "sla_class": "sederhana"}).expect(400)
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                {"_csrf": csrf, "code": "taman", "name": "Taman", "unit": "NOPE", "sla_class": "sederhana"}).expect(400)
    assert any(s["service_code"] == "pasar" for s in
               env.client().get("/open311/v2/services.json?" + J).expect(200).json())
    # back to the defaults for the other tests
    f = dict(fields, verify_days="3", sla_simple="5", sla_coord="14", sla_field="60", escalate_days="3",
             threshold="80", dup_radius_m="300", dup_window_days="30")
    k.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(303)
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
        # a reply from the page as it was before the rating (another tab): a reply changes no
        # state, so it goes in instead of a 409 that lost the text
        b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "balas", "version": version,
                     "text": "Terima kasih, sudah bersih sekarang"}).expect(303)
        assert count(env, "SELECT COUNT(*) FROM complaints_events WHERE complaint_id = %s AND action = 'balas' "
                          "AND note = 'Terima kasih, sudah bersih sekarang'" % cid) == 1
        # reopening (once) takes a reason: an empty one is refused with the form back and the
        # chance kept, then a reason reopens it for the OPD
        page = b.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Buka kembali")
        assert re.search(r'<input id="o-text" name="text" maxlength="4000" required', page.text), page.text[-3000:]
        r = b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        {"_csrf": page.csrf(), "aksi": "buka_kembali", "version": version_of(page), "text": "  "})
        r.expect(400, contains="alasan membuka kembali wajib diisi")
        assert "Buka kembali" in r.text, r.text[-3000:]
        row = env.shared_db.sql("SELECT status, reopened FROM complaints WHERE id = %s" % cid)[0]
        assert tuple(str(x) for x in row) == ("selesai", "0"), row
        b.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "buka_kembali", "version": version_of(page),
                     "text": "Got mampet lagi setelah hujan"}).expect(303)
        row = env.shared_db.sql("SELECT status, reopened FROM complaints WHERE id = %s" % cid)[0]
        assert tuple(str(x) for x in row) == ("disposisi", "1"), row
        # the reporter's actions are in the history as "Pelapor", with no name
        page = env.client().get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="makin parah")
        assert "Anonim" in page.text and "Got mampet lagi setelah hujan" in page.text
    finally:
        set_auto_route(env, True)


# ------------------------------------------------------------------ merging, settings, deadlines, typed text

def version_of(page):
    return re.search(r'name="version" value="(\d+)"', page.text).group(1)


def status_of(env, cid):
    return str(env.shared_db.sql("SELECT status FROM complaints WHERE id = %s" % cid)[0][0])


def file_o311(env, description, category="jalan", lat="-8.6012", lon="116.1234"):
    return post(env, good(env, service_code=category, description=description, lat=lat, long=lon)).expect(200).json()[
        0]["service_request_id"]


def to_disposisi(env, k, cid, category):
    """The coordinator verifies the complaint unless it was auto-routed already."""
    if status_of(env, cid) == "baru":
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Verifikasi koordinator")
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "verifikasi", "version": version_of(page),
                     "category": category}).expect(303)
    assert status_of(env, cid) == "disposisi"


def test_merge_from_disposisi_without_chains(env):
    """An auto-routed (or verified) duplicate: its page shows the coordinator the suggestion and
    the merge form. Merging a complaint that others were merged into moves them along, so that
    every merged report shows the final answer."""
    tag = unique("zeta")
    text = "Trotoar ambles dan berlubang di depan sekolah %s, membahayakan murid yang lewat" % tag
    first = file_o311(env, text)
    second = file_o311(env, text + " setiap pagi", lat="-8.6013")
    k = login(env, "koordinator")
    to_disposisi(env, k, second, "jalan")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, second)).expect(200, contains="Gabungkan laporan duplikat")
    assert "Kemungkinan duplikat" in page.text, page.text
    number_first = str(env.shared_db.sql("SELECT number FROM complaints WHERE id = %s" % first)[0][0])
    assert number_first in page.text
    # the form is filled in with the suggestion's tracking number
    assert re.search(r'name="merge_into" [^>]*value="%s"' % re.escape(number_first), page.text), page.text
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, second),
                {"_csrf": page.csrf(), "aksi": "gabung", "version": version_of(page), "merge_into": first,
                 "yakin": "1"}).expect(303)
    assert status_of(env, second) == "digabung"

    # now the main one goes into a third: the second follows it
    third = file_o311(env, "Trotoar di depan sekolah %s rusak parah" % tag, lat="-8.6100", lon="116.1300")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, first)).expect(200)
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, first),
                {"_csrf": page.csrf(), "aksi": "gabung", "version": version_of(page), "merge_into": third,
                 "yakin": "1"}).expect(303)
    rows = env.shared_db.sql("SELECT id, merged_into FROM complaints WHERE id IN (%s, %s) ORDER BY id" % (first, second))
    assert [str(r[1]) for r in rows] == [third, third], rows
    to_disposisi(env, k, third, "jalan")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, third)).expect(200, contains="Jawaban OPD")
    answer = "Trotoar sudah diperbaiki dinas PU %s" % tag
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, third),
                {"_csrf": page.csrf(), "aksi": "jawab", "version": version_of(page), "text": answer}).expect(303)
    # both merged reports show the answer, and both were told
    anon = env.client()
    for cid in (first, second):
        anon.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains=answer)
        assert count(env, "SELECT COUNT(*) FROM complaints_events WHERE complaint_id = %s AND action = 'jawab' "
                          "AND note = 'laporan induk telah dijawab'" % cid) == 1, cid


def test_settings_conflict_and_clear_limits(env):
    """Two coordinators save the settings form at once: the second gets a 409, not a silent
    overwrite. Each limit is named rightly; category names have a server-side limit."""
    k1, k2 = login(env, "koordinator"), login(env, "koordinator")
    p1 = k1.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
    p2 = k2.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
    assert version_of(p1) == version_of(p2)
    base = {"verify_days": "3", "sla_simple": "5", "sla_coord": "14", "sla_field": "60", "escalate_days": "3",
            "auto_route": "1", "threshold": "80", "dup_radius_m": "300", "dup_window_days": "30"}
    try:
        k1.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(base, _csrf=p1.csrf(), version=version_of(p1), escalate_days="5")).expect(303)
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(base, _csrf=p2.csrf(), version=version_of(p2), escalate_days="7")).expect(
            409, contains="diubah orang lain")
        assert count(env, "SELECT escalate_days FROM complaints_settings WHERE tenant = '%s'" % TENANT) == 5
        # a fresh form saves
        p2 = k2.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
        assert 'name="escalate_days" type="number" min="1" max="60" value="5"' in p2.text
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(base, _csrf=p2.csrf(), version=version_of(p2), escalate_days="7")).expect(303)
        # each limit in its own words
        p2 = k2.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
        f = dict(base, _csrf=p2.csrf(), version=version_of(p2))
        r = k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT, dict(f, escalate_days="61")).expect(400)
        alert = re.search(r'<p class="alert" role="alert">(.*?)</p>', r.text).group(1)
        assert "60 hari kerja" in alert and "365" not in alert, alert
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT, dict(f, verify_days="31")).expect(400, contains="30 hari")
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT, dict(f, sla_coord="366")).expect(400, contains="365")
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT, dict(f, version="x")).expect(400, contains="versi")
        # category names: at most 120 characters, whatever the form says
        code = unique("kat")[:30]
        for name in ("a" * 121, "é" * 121, "b" * 500, "\U0001f600" * 121):
            k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                         {"_csrf": p2.csrf(), "code": code, "name": name, "unit": "DLH",
                          "sla_class": "sederhana"}).expect(400, contains="120")
        assert count(env, "SELECT COUNT(*) FROM complaints_categories WHERE code = '%s'" % code) == 0
        k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     {"_csrf": p2.csrf(), "code": code, "name": "é" * 120, "unit": "DLH",
                      "sla_class": "sederhana"}).expect(303)
        assert str(env.shared_db.sql("SELECT name FROM complaints_categories WHERE code = '%s'" % code)[0][0]) == \
            "é" * 120
        env.shared_db.sql("UPDATE complaints_categories SET active = 0 WHERE code = '%s'" % code)
    finally:
        set_auto_route(env, True)


def test_hold_needs_a_reason_and_forward_messages(env):
    set_auto_route(env, False)
    try:
        cid = file_o311(env, "Lampu taman kota %s mati sejak minggu lalu" % unique("q"), category="pju")
        assert status_of(env, cid) == "baru"
        k = login(env, "koordinator")
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
        assert re.search(r'<input id="h-text" name="text" maxlength="4000" required', page.text)
        f = {"_csrf": page.csrf(), "version": version_of(page)}
        for reason in ("", "   "):
            k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        dict(f, aksi="tunda", text=reason)).expect(400, contains="alasan penundaan wajib")
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    dict(f, aksi="bukan_wewenang", forward_to="")).expect(400, contains="sebutkan instansi")
        r = k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        dict(f, aksi="bukan_wewenang", forward_to="B" * 121)).expect(400, contains="terlalu panjang")
        assert "sebutkan instansi" not in r.text
        # what was typed is still in the form
        assert 'value="%s"' % ("B" * 121) in r.text
        assert status_of(env, cid) == "baru"
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    dict(f, aksi="tunda", text="Menunggu foto lampu dari pelapor")).expect(303)
        assert status_of(env, cid) == "tunda"
    finally:
        set_auto_route(env, True)


def test_queue_deadline_of_verification(env):
    """In the coordinator's queue an item waiting for verification shows the 3-working-day
    verification deadline, not the estimated answer date."""
    import datetime
    set_auto_route(env, False)
    try:
        cid = file_o311(env, "Parkir liar %s menutup jalan masuk gang" % unique("q"), category="parkir")
        assert status_of(env, cid) == "baru"
        verify_due, expected = [int(x) for x in env.shared_db.sql(
            "SELECT verify_due, expected_at FROM complaints WHERE id = %s" % cid)[0]]
        assert verify_due < expected

        def local(ts):
            return datetime.datetime.fromtimestamp(ts + 8 * 3600, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M WITA")
        q = login(env, "koordinator").get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        row = re.search(r'<tr[^>]*><td>[^<]*</td><td><a href="/t/52\.71/pengaduan/%s">.*?</tr>' % cid, q.text, re.S)
        assert row, q.text[:2000]
        assert local(verify_due) in row.group(0) and "(verifikasi)" in row.group(0), row.group(0)
        assert local(expected) not in row.group(0), row.group(0)
        # the page still states the expected answer date
        login(env, "koordinator").get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains=local(expected))
    finally:
        set_auto_route(env, True)


def test_answer_text_kept_on_error(env):
    """An officer's answer that fails (too long, stale form) comes back in the form; when the
    form is gone (someone else answered), the text is shown to copy."""
    cid = file_o311(env, "KTP-el %s belum jadi setelah dua bulan" % unique("q"), category="adminduk")
    k = login(env, "koordinator")
    to_disposisi(env, k, cid, "adminduk")
    p = login(env, "petugas")  # petugas of DISDUKCAPIL
    page = p.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Jawaban OPD")
    v = version_of(page)
    long_text = "Jawaban panjang " + "x" * 4000
    r = p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": v, "text": long_text}).expect(400, contains="4000")
    assert ">%s</textarea>" % long_text in r.text
    text = "KTP-el sudah dicetak & dapat diambil <di loket 2>."
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    r = p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": str(int(v) + 5), "text": text}).expect(409)
    assert ">%s</textarea>" % escaped in r.text, r.text
    assert 'name="version" value="%s"' % v in r.text  # the fresh version, to send again
    # someone else answers first: the form is gone, the text is offered to copy
    kp = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
    k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                {"_csrf": kp.csrf(), "aksi": "jawab", "version": version_of(kp), "text": "Sudah dijawab."}).expect(303)
    r = p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": v, "text": text}).expect(409)
    assert "Teks Anda belum terkirim" in r.text and escaped in r.text
    assert 'id="cpl-answer-form"' not in r.text


# ------------------------------------------------------------------ privacy, the public list, lookups, forms

def file_web(c, fields, files=(), tenant=TENANT):
    """Files a report through the web form (multipart, with the form's CSRF token)."""
    form = c.get("/t/%s/pengaduan/baru" % tenant).expect(200)
    body, ctype = multipart([("_csrf", form.csrf())] + list(fields), files)
    return c.request("POST", "/t/%s/pengaduan/baru" % tenant, body=body, headers={"Content-Type": ctype})


def filed_id(r):
    assert r.status == 303, (r.status, r.text[:600])
    return re.search(r"/pengaduan/(\d+)\?baru=1$", r.header("location")).group(1)


def w3c_ago(seconds):
    import datetime
    tz = datetime.timezone(datetime.timedelta(hours=8))
    t = datetime.datetime.now(tz) - datetime.timedelta(seconds=seconds)
    return urllib.parse.quote(t.strftime("%Y-%m-%dT%H:%M:%S+08:00"))


def test_personal_data_masked_for_the_public(env):
    """A NIK, a phone number and an e-mail address typed into an anonymous report, into the
    coordinator's note and into the OPD's answer are masked on every public view: the page (for
    the reporter too), the public list, Open311 JSON and XML and its updates feed. The
    coordinator and the OPD handling it see them as typed. The public history names roles and
    OPDs, never usernames, and no routing internals."""
    set_auto_route(env, False)
    try:
        tag = unique("pii")
        a = env.client()
        cid = filed_id(file_web(a, [
            ("kind", "pengaduan"), ("identity", "anonim"), ("category", "adminduk"),
            ("title", "Data KK salah %s, hubungi 081234567890" % tag),
            ("description", "Nama di KK saya salah. NIK saya 5271014101900001, hubungi 081234567890 "
                            "atau budi.santoso@example.com"),
            ("address", "Jl. Majapahit %s" % tag)]))
        typed = ("5271014101900001", "081234567890", "budi.santoso@example.com")
        shown = ("5271********0001", "0812******90", "b***********@example.com")
        assert typed[0] in str(env.shared_db.sql("SELECT description FROM complaints WHERE id = %s" % cid)[0][0])
        # the coordinator verifies with a note, the OPD answers: both mention the reporter's phone
        k = login(env, "koordinator")
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains=typed[0])
        assert "Anda melihatnya utuh" in page.text
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "verifikasi", "version": version_of(page), "category": "adminduk",
                     "text": "pelapor dapat dihubungi di 081234567890"}).expect(303)
        p = login(env, "petugas")  # petugas of DISDUKCAPIL
        page = p.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains=typed[2])
        p.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": version_of(page),
                     "text": "KK sudah dibetulkan; kami kirim ke budi.santoso@example.com dan 081234567890"}).expect(303)
        # an automatic routing entry as intake writes one (this tenant's router may be off)
        env.shared_db.sql("INSERT INTO complaints_events (tenant, complaint_id, ts, actor, actor_role, action, status, "
                          "note, public) VALUES ('%s', %s, %d, 'sistem', '', 'verifikasi', 'disposisi', "
                          "'rute otomatis ke DISDUKCAPIL (keyakinan 0.97)', 1)" % (TENANT, cid, int(time.time())))

        views = {
            "page": env.client().get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200),
            "reporter": a.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200),
            "list": env.client().get("/t/%s/pengaduan?kategori=adminduk" % TENANT).expect(200, contains=tag),
            "json": env.client().get("/open311/v2/requests/%s.json?%s" % (cid, J)).expect(200),
            "xml": env.client().get("/open311/v2/requests/%s.xml?%s" % (cid, J)).expect(200),
            "list.json": env.client().get("/open311/v2/requests.json?service_request_id=%s&%s" % (cid, J)).expect(200),
            "updates.json": env.client().get("/open311/v2/servicerequestupdates.json?%s&start_date=%s"
                                             % (J, w3c_ago(300))).expect(200),
            "updates.xml": env.client().get("/open311/v2/servicerequestupdates.xml?%s&start_date=%s"
                                            % (J, w3c_ago(300))).expect(200),
        }
        for name, r in views.items():
            for t in typed:
                assert t not in r.text, (name, t)
            assert "keyakinan" not in r.text, name
        for name in ("page", "reporter", "json", "xml"):
            for m in shown:
                assert m in views[name].text, (name, m)
        assert "Data KK salah %s, hubungi 0812******90" % tag in views["list"].text
        assert "disamarkan di halaman publik" in views["page"].text
        j = views["json"].json()[0]
        assert "0812******90" in j["status_notes"] and "b***********@example.com" in j["description"], j
        notes = [u["description"] for u in views["updates.json"].json() if u["service_request_id"] == cid]
        assert "DISDUKCAPIL" in notes and any("0812******90" in n for n in notes), notes
        # the public history: roles and the OPD, no usernames
        hist = views["page"].text.split('class="cpl-history"', 1)[1]
        assert "· Sistem</small><br>DISDUKCAPIL" in hist, hist
        assert "· Admin Koordinator Pengaduan</small>" in hist, hist
        assert "· Dinas Kependudukan" in hist, hist
        assert not re.search(r"· (koordinator|petugas)</small>", hist), hist
        # the officials handling it keep the original, and the usernames
        for c in (k, p):
            page = c.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
            for t in typed:
                assert t in page.text, t
            assert "keyakinan 0.97" in page.text
            assert re.search(r"· koordinator</small>", page.text) and re.search(r"· petugas</small>", page.text)
    finally:
        set_auto_route(env, True)


def test_province_lists_every_village(env):
    """The provinsi's form offers every village (1,166 in NTB, not 500), grouped by kecamatan
    with the kabupaten/kota, so two villages of one name can be told apart; one in Kota Bima can
    be chosen. Its list filter offers every kecamatan first, then the
    chosen one's villages (test_scale_lists); the kecamatan come grouped by kabupaten/kota."""
    want = int(env.shared_db.sql("SELECT COUNT(*) FROM regions WHERE level = 4 AND code LIKE '52.%'")[0][0])
    assert want > 1000, want
    c = env.client()
    kecs = int(env.shared_db.sql("SELECT COUNT(*) FROM regions WHERE level = 3 AND code LIKE '52.%'")[0][0])
    sel = re.search(r'<select id="kecamatan".*?</select>', c.get("/t/52/pengaduan").expect(200).text, re.S).group(0)
    assert len(re.findall(r'<option value="52\.\d\d\.\d\d"', sel)) == kecs, sel[:500]
    # grouped by kabupaten/kota, each kecamatan by its own name
    bima = re.search(r'<optgroup label="Kota Bima">(.*?)</optgroup>', sel, re.S)
    assert bima and re.search(r'<option value="52\.72\.\d\d">[^<,]+</option>', bima.group(1)), sel[-500:]
    labels = re.findall(r'<optgroup label="([^"]+)">', sel)
    assert len(labels) == len(set(labels)) == int(env.shared_db.sql(
        "SELECT COUNT(*) FROM regions WHERE level = 2 AND code LIKE '52.%'")[0][0]), labels
    for path in ("/t/52/pengaduan/baru",):
        page = c.get(path).expect(200)
        sel = re.search(r'<select id="kelurahan".*?</select>', page.text, re.S).group(0)
        codes = re.findall(r'<option value="(52\.\d\d\.\d\d\.\d{4})"', sel)
        assert len(codes) == want == len(set(codes)), (path, len(codes), want)
        assert any(x.startswith("52.72.") for x in codes)      # Kota Bima, past the old cap
        # "Dasan Baru" is in two kecamatan: each in its own labelled group
        groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', sel, re.S)
        with_dasan = [label for label, opts in groups if ">Dasan Baru<" in opts]
        assert len(with_dasan) == 2 and len(set(with_dasan)) == 2, with_dasan
        assert all(l.startswith("Kecamatan ") and ", Kabupaten " in l or ", Kota " in l for l in with_dasan), with_dasan
    # a village of Kota Bima is accepted
    bima = str(env.shared_db.sql("SELECT code FROM regions WHERE level = 4 AND code LIKE '52.72.%' ORDER BY code")[0][0])
    cid = filed_id(file_web(env.client(), [("kind", "pengaduan"), ("identity", "anonim"), ("kelurahan", bima),
                                           ("description", "Jalan desa %s berlubang" % unique("b"))], tenant="52"))
    assert str(env.shared_db.sql("SELECT kelurahan FROM complaints WHERE id = %s" % cid)[0][0]) == bima
    # a kota's own form: its kecamatan, without the kabupaten/kota
    page = c.get("/t/%s/pengaduan/baru" % TENANT).expect(200)
    assert '<optgroup label="Kecamatan Mataram">' in page.text


def test_public_list_pages_kinds_and_lookup(env):
    """The public list goes page by page (50 a page, next and previous links that keep the
    filter), filters by kind, and finds a report by its number however it is typed."""
    db = env.new_db()
    srv = env.start_server(db)
    try:
        key = check_sigap(["apikey", "create", "--tenant", TENANT, "--name", "pages"], db=db).stdout.strip()
        c = srv.client()
        for i in range(53):
            c.post_form("/open311/v2/requests.json", {
                "jurisdiction_id": TENANT, "api_key": key, "service_code": "pju", "lat": "-8.58", "long": "116.11",
                "attribute[kind]": "informasi", "description": "Permintaan data lampu jalan nomor %d" % i}).expect(200)
        total = int(db.sql("SELECT COUNT(*) FROM complaints WHERE tenant = '%s' AND kind = 'informasi' AND status NOT IN "
                           "('arsip', 'digabung')" % TENANT)[0][0])
        assert 50 < total <= 100, total
        p1 = c.get("/t/%s/pengaduan?jenis=informasi" % TENANT).expect(200)
        assert p1.text.count('<li class="card">') == 50
        assert "Permintaan data lampu jalan nomor 52" in p1.text           # newest first
        assert "Halaman 1" in p1.text and 'rel="prev"' not in p1.text
        nxt = re.search(r'<a href="([^"]+)" rel="next">', p1.text).group(1).replace("&amp;", "&").replace("&#61;", "=")
        assert nxt == "/t/%s/pengaduan?jenis=informasi&hal=2" % TENANT, nxt
        p2 = c.get(nxt).expect(200, contains="Halaman 2")
        assert p2.text.count('<li class="card">') == total - 50
        assert "Permintaan data lampu jalan nomor 0<" in p2.text and 'rel="next"' not in p2.text
        prev = re.search(r'<a href="([^"]+)" rel="prev">', p2.text).group(1).replace("&#61;", "=")
        assert prev == "/t/%s/pengaduan?jenis=informasi" % TENANT, prev
        # the kind filter: no information request among the pengaduan
        pg = c.get("/t/%s/pengaduan?jenis=pengaduan" % TENANT).expect(200)
        assert "lampu jalan nomor" not in pg.text and '<option value="pengaduan" selected>' in pg.text
        # bad input: a clear 400
        c.get("/t/%s/pengaduan?jenis=keluhan" % TENANT).expect(400, contains="jenis laporan harus")
        for hal in ("0", "-1", "abc", "1x", "99999999999"):
            c.get("/t/%s/pengaduan?hal=%s" % (TENANT, hal)).expect(400, contains="nomor halaman tidak sah")
        c.get("/t/%s/pengaduan?jenis=informasi&hal=9" % TENANT).expect(200, contains="Belum ada laporan")

        # the lookup: spaces, lower case, a short serial
        cid, number = [str(x) for x in db.sql("SELECT id, number FROM complaints WHERE tenant = '%s' ORDER BY id DESC"
                                                % TENANT)[0]]
        year, serial = number.split("/")[2], int(number.split("/")[3])
        assert 'placeholder="%s/ADU/' % TENANT in p1.text and 'name="nomor"' in p1.text
        for typed in (number, "  %s " % number.lower(), "%s / adu / %s / %d" % (TENANT, year, serial)):
            r = c.get("/t/%s/pengaduan?nomor=%s" % (TENANT, urllib.parse.quote(typed))).expect(303)
            assert r.header("location") == "/t/%s/pengaduan/%s" % (TENANT, cid), r.header("location")
        r = c.get("/t/%s/pengaduan?nomor=%s" % (TENANT, urllib.parse.quote("%s/ADU/%s/999999" % (TENANT, year))))
        r.expect(404, contains="tidak ditemukan")
        assert 'value="%s/ADU/%s/999999"' % (TENANT, year) in r.text      # what was typed stays
        c.get("/t/%s/pengaduan?nomor=%s" % (TENANT, urllib.parse.quote("%s/PMH/%s/000001" % (TENANT, year)))).expect(
            400, contains="bukan nomor pengaduan")
        c.get("/t/%s/pengaduan?nomor=halo" % TENANT).expect(400, contains="nomor laporan tidak dikenali")
        # another tenant's number, and spam, are not found here
        c.get("/t/52/pengaduan?nomor=%s" % urllib.parse.quote(number)).expect(404)
        db.sql("UPDATE complaints SET status = 'arsip' WHERE id = %s" % cid)
        c.get("/t/%s/pengaduan?nomor=%s" % (TENANT, urllib.parse.quote(number))).expect(404)
    finally:
        srv.stop()


def contact_of(env, cid):
    return tuple(str(v) for v in env.shared_db.sql("SELECT reporter_email, reporter_phone FROM complaints WHERE id = %s"
                                                     % cid)[0])


def test_contact_two_fields_each_checked(env):
    """The reporter's e-mail address and phone number are two optional fields, each checked on its
    own: a bad one gets its own message next to its field and the form back with what was typed;
    nothing is stored. Good ones land in their own columns, the number without its separators; an
    anonymous report keeps neither. Open311's email and phone alike, both kept."""
    before = count(env)
    fields = [("kind", "aspirasi"), ("identity", "terbuka"), ("name", "Budi"),
              ("description", "Usul taman bermain di kelurahan kami")]
    for field, bad, msg in (("email", "abc", "alamat e-mail tidak sah"), ("email", "budi@", "alamat e-mail tidak sah"),
                            ("email", "budi@contoh", "alamat e-mail tidak sah"),
                            ("email", "081234567890", "alamat e-mail tidak sah"),
                            ("phone", "12345", "nomor HP tidak sah"), ("phone", "abc", "nomor HP hanya berisi angka"),
                            ("phone", "budi@contoh.id", "nomor HP hanya berisi angka")):
        other = ("phone", "081234567890") if field == "email" else ("email", "budi@contoh.id")
        r = file_web(env.client(), fields + [(field, bad), other]).expect(400, contains=msg)
        assert 'id="%s-error"' % field in r.text and 'id="%s-error"' % other[0] not in r.text, (field, bad)
        assert 'value="%s"' % bad in r.text and 'value="%s"' % other[1] in r.text, (field, bad)
    assert count(env) == before
    # the form: a keyboard for each
    form = env.client().get("/t/%s/pengaduan/baru" % TENANT).expect(200).text
    assert re.search(r'<input id="email" name="email" type="email"[^>]* autocomplete="email"', form), form
    assert re.search(r'<input id="phone" name="phone" type="tel" inputmode="tel"[^>]* autocomplete="tel"', form)
    assert 'name="contact"' not in form
    for email, phone, stored in (("budi@contoh.id", " 0812-3456-7890 ", ("budi@contoh.id", "081234567890")),
                                 ("", "+62 812 3456 7890", ("", "+6281234567890")),
                                 (" siti@contoh.id ", "", ("siti@contoh.id", ""))):
        cid = filed_id(file_web(env.client(), fields + [("email", email), ("phone", phone)]))
        assert contact_of(env, cid) == stored, (email, phone)
    cid = filed_id(file_web(env.client(), [("kind", "aspirasi"), ("identity", "anonim"),
                                           ("description", "Usul taman bermain di kelurahan kami"),
                                           ("email", "budi@contoh.id"), ("phone", "081234567890")]))
    assert contact_of(env, cid) == ("", "")
    # Open311 too, in the specification's error format, each parameter to its column
    expect_error(post(env, good(env, email="abc")), 400, contains="e-mail")
    expect_error(post(env, good(env, email="081234567890")), 400, contains="e-mail")
    expect_error(post(env, good(env, email=None, phone="123"), fmt="xml"), 400, "xml", contains="nomor HP")
    rid = post(env, good(env, email=None, phone="0812-3456-7890")).expect(200).json()[0]["service_request_id"]
    assert contact_of(env, rid) == ("", "081234567890")
    rid = post(env, good(env, phone="+62 812 1111 2222")).expect(200).json()[0]["service_request_id"]
    assert contact_of(env, rid) == ("rahasia.pribadi@example.id", "+6281211112222")
    # and no GET shows either: not the complaint in JSON or XML, not its entry in the list (the
    # others' texts hold other tests' unique tags, whose process id may have a "1111"), not its
    # page (whose form token, 128 random hex digits, holds "1111" or "2222" once in 290 pages)
    c = env.client()
    listed = [x for x in c.get("/open311/v2/requests.json?" + J).expect(200).json() if x["service_request_id"] == rid]
    assert len(listed) == 1, listed
    for path, text in (("json", c.get("/open311/v2/requests/%s.json?%s" % (rid, J)).expect(200).text),
                       ("xml", c.get("/open311/v2/requests/%s.xml?%s" % (rid, J)).expect(200).text),
                       ("list", json.dumps(listed[0], ensure_ascii=False)),
                       ("page", without_form_tokens(c.get("/t/%s/pengaduan/%s" % (TENANT, rid)).expect(200).text))):
        assert "rahasia.pribadi" not in text and "1111" not in text and "2222" not in text, (path, text)


def test_contact_backfill_by_migration_27(env):
    """A database from before migration 27, whose complaints kept one "contact" (an e-mail address
    or a phone number), is migrated: each value lands in its column, a number without its
    separators, a value the intake would refuse today as typed in the phone column; the old column
    is gone. (A new database is migrated to 26 with `sigap migrate --to 26`, the complaints go in
    as that schema held them, then `sigap migrate` applies the rest.)"""
    db = env.new_db(init=False)
    check_sigap(["migrate", "--to", "26"], db=db)
    old = ["warga.lama@contoh.id", " 0812-3456 (7890) ", "+62 812.3456.7890", "WA 0812 abc", ""]
    for i, v in enumerate(old):
        db.sql("INSERT INTO complaints (tenant, number, kind, title, description, status, identity, reporter_name, "
               "reporter_contact, created_at, updated_at) VALUES ('%s', '%s/ADU/2019/%06d', 'pengaduan', "
               "'Jalan berlubang', 'Lubang di Jl. Pejanggik makin lebar', 'baru', 'terbuka', 'Warga Lama', '%s', "
               "1546300800, 1546300800)" % (TENANT, TENANT, i + 1, v))
    ids = [str(r[0]) for r in db.sql("SELECT id FROM complaints ORDER BY number")]
    assert len(ids) == len(old), ids
    p = check_sigap(["migrate"], db=db)
    assert "schema version 26 -> " in p.stdout and "now applied   27  complaints: " in p.stdout, p.stdout
    want = [("warga.lama@contoh.id", ""), ("", "081234567890"), ("", "+6281234567890"), ("", "WA 0812 abc"), ("", "")]
    for cid, w in zip(ids, want):
        got = tuple(str(v) for v in db.sql("SELECT reporter_email, reporter_phone FROM complaints WHERE id = %s"
                                           % cid)[0])
        assert got == w, (cid, got, w)
    assert int(db.sql("SELECT MAX(version) FROM schema_version")[0][0]) >= 27
    if db.backend == "sqlite":
        cols = [r[1] for r in db.sql("PRAGMA table_info(complaints)")]
    else:
        cols = [r[0] for r in db.sql("SELECT column_name FROM information_schema.columns WHERE table_name = "
                                     "'complaints' AND table_schema = current_schema()")]
    assert "reporter_contact" not in cols and "reporter_email" in cols and "reporter_phone" in cols, cols


def test_contact_masked_for_officials_who_do_not_need_it(env):
    """The coordinator sees the reporter's e-mail address and phone number in full while the report
    waits for them (baru, tunda: the verification may need to ask the reporter), the number as a
    tel: link; masked once it went on. The OPD, the leaders and the public never see them."""
    db = env.shared_db
    fields = [("kind", "pengaduan"), ("identity", "terbuka"), ("name", "Budi Santoso"),
              ("description", "Lampu jalan mati di gang kami sejak seminggu"), ("address", "Gg. Melati 3"),
              ("email", "budi.santoso@contoh.id"), ("phone", "0812-7777-3456")]
    cid = filed_id(file_web(env.client(), fields))
    db.sql("UPDATE complaints SET status = 'baru', unit = 'DISDUKCAPIL' WHERE id = %s" % cid)
    k = login(env, "koordinator")
    page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text
    assert "budi.santoso@contoh.id" in page and '<a href="tel:081277773456">081277773456</a>' in page, page
    assert "disamarkan: hanya terlihat lengkap" not in page
    db.sql("UPDATE complaints SET status = 'tunda' WHERE id = %s" % cid)
    assert "tel:081277773456" in k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text
    db.sql("UPDATE complaints SET status = 'disposisi' WHERE id = %s" % cid)
    page = without_form_tokens(k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text)
    assert "b***********@contoh.id" in page and "0812******56" in page, page
    assert "budi.santoso@" not in page and "77773456" not in page and "tel:" not in page
    assert "kontak disamarkan" in page
    # the OPD handling it (it sees the open reporter's name), a leader and the public: neither (the
    # page's form token is left out: 128 random hex digits, it holds "3456" once in 520 pages)
    for who in ("petugas", "sekda", None):
        c = login(env, who) if who else env.client()
        page = without_form_tokens(c.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200).text)
        assert "contoh.id" not in page and "3456" not in page and "0812*" not in page, who


def test_rating_is_chosen_and_decimal_comma(env):
    """The rating is not preset: the reporter picks one (an empty choice is refused). Latitude
    and longitude take a decimal comma on the web form; a title of spaces is no title."""
    set_auto_route(env, False)
    try:
        a = env.client()
        cid = filed_id(file_web(a, [("kind", "pengaduan"), ("identity", "anonim"), ("category", "sampah"),
                                    ("title", "    "), ("lat", "-8,5837"), ("long", " 116,1165"),
                                    ("description", "Sampah %s menumpuk di depan pasar" % unique("k"))]))
        lat, lon, title = env.shared_db.sql("SELECT lat_e6, lon_e6, title FROM complaints WHERE id = %s" % cid)[0]
        assert (int(lat), int(lon)) == (-8583700, 116116500), (lat, lon)
        assert str(title).startswith("Sampah ") and str(title).strip() == str(title), title
        for lat_bad in ("-8,58,37", "-8,", "8.5,3"):
            file_web(env.client(), [("kind", "pengaduan"), ("identity", "anonim"), ("lat", lat_bad),
                                    ("long", "116,1"), ("description", "x")]).expect(400, contains="desimal")
        k = login(env, "koordinator")
        to_disposisi(env, k, cid, "sampah")
        page = k.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200)
        k.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "jawab", "version": version_of(page),
                     "text": "Sudah diangkut."}).expect(303)
        page = a.get("/t/%s/pengaduan/%s" % (TENANT, cid)).expect(200, contains="Nilai jawaban")
        sel = re.search(r'<select id="r-rating" name="rating" required>(.*?)</select>', page.text, re.S).group(1)
        assert sel.startswith('<option value="">') and " selected" not in sel, sel
        r = a.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        {"_csrf": page.csrf(), "aksi": "nilai", "version": version_of(page), "rating": "",
                         "text": "cepat"}).expect(400, contains="nilai harus 1 sampai 5")
        # the rating picked stays when the form comes back (here: a stale form)
        r = a.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                        {"_csrf": page.csrf(), "aksi": "nilai", "version": str(int(version_of(page)) + 9),
                         "rating": "3", "text": "cepat"}).expect(409)
        assert '<option value="3" selected>3</option>' in r.text and r.text.count(" selected>") == 1
        assert status_of(env, cid) == "dijawab"
        a.post_form("/t/%s/pengaduan/%s/aksi" % (TENANT, cid),
                    {"_csrf": page.csrf(), "aksi": "nilai", "version": version_of(page), "rating": "2"}).expect(303)
        assert str(env.shared_db.sql("SELECT rating FROM complaints WHERE id = %s" % cid)[0][0]) == "2"
    finally:
        set_auto_route(env, True)


def test_settings_form_keeps_typed_values_and_category_lock(env):
    """A refused settings form comes back with what was typed, not the stored values. Category
    edits carry their version: a second coordinator's stale edit is a 409, and a new category
    may not overwrite one of the same code."""
    k1, k2 = login(env, "koordinator"), login(env, "koordinator")
    page = k1.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200)
    base_f = {"_csrf": page.csrf(), "version": version_of(page), "verify_days": "3", "sla_simple": "5",
              "sla_coord": "14", "sla_field": "60", "escalate_days": "3", "auto_route": "1", "threshold": "80",
              "dup_radius_m": "300", "dup_window_days": "30"}
    r = k1.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(base_f, sla_simple="7", sla_field="400", dup_radius_m="450")).expect(400, contains="365")
    assert 'id="sla_simple" name="sla_simple" type="number" min="1" max="365" value="7"' in r.text
    assert 'id="sla_field" name="sla_field" type="number" min="1" max="365" value="400"' in r.text
    assert 'id="dup_radius_m" name="dup_radius_m" type="number" min="0" max="50000" value="450"' in r.text
    r = k1.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     {k: v for k, v in dict(base_f, threshold="120").items() if k != "auto_route"}).expect(400)
    assert 'value="120"' in r.text and 'name="auto_route" value="1" checked' not in r.text

    code = unique("kt")[:30]
    f = {"_csrf": page.csrf(), "code": code, "name": "Taman kota", "unit": "DLH", "sla_class": "sederhana",
         "version": "0"}
    r = k1.post_form("/t/%s/pengaduan/pengaturan" % TENANT, f).expect(303)
    assert r.header("location") == "/t/%s/pengaduan/pengaturan?ok=kategori#cpl-category" % TENANT, r.header("location")
    k1.get(r.header("location").split("#")[0]).expect(200, contains="kategori disimpan")
    # a second "new" category of that code is refused, with the form kept
    r = k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(f, _csrf=k2.get("/t/%s/pengaduan/pengaturan" % TENANT).expect(200).csrf(), name="Taman",
                          unit="DPUPR", sla_class="lapangan")).expect(409, contains="sudah dipakai")
    assert 'id="c-name" name="name" required maxlength="120" value="Taman"' in r.text
    assert '<option value="DPUPR" selected>' in r.text and '<option value="lapangan" selected>' in r.text
    # both open the edit form; the first saves, the second is stale
    e1 = k1.get("/t/%s/pengaduan/pengaturan?kategori=%s" % (TENANT, code)).expect(200, contains="Ubah kategori")
    e2 = k2.get("/t/%s/pengaduan/pengaturan?kategori=%s" % (TENANT, code)).expect(200)
    v = re.search(r'<form [^>]*id="cpl-category">.*?name="version" value="(\d+)"', e1.text, re.S).group(1)
    assert int(v) >= 1 and 'value="Taman kota"' in e1.text
    k1.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                 dict(f, _csrf=e1.csrf(), name="Taman dan hutan kota", version=v)).expect(303)
    r = k2.post_form("/t/%s/pengaduan/pengaturan" % TENANT,
                     dict(f, _csrf=e2.csrf(), name="Ruang terbuka", version=v)).expect(409, contains="diubah orang lain")
    assert 'value="Ruang terbuka"' in r.text
    assert str(env.shared_db.sql("SELECT name FROM complaints_categories WHERE code = '%s'" % code)[0][0]) == \
        "Taman dan hutan kota"
    # the page offers the fresh version to send again
    v2 = re.search(r'<form [^>]*id="cpl-category">.*?name="version" value="(\d+)"', r.text, re.S).group(1)
    assert int(v2) == int(v) + 1
    env.shared_db.sql("UPDATE complaints_categories SET active = 0 WHERE code = '%s'" % code)
