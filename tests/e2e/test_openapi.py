"""
test_openapi.py: validates docs/openapi.json, the OpenAPI 3 description of
sigap's JSON API, without third-party packages: the document's structure
(openapi 3.x, info, paths, every operation with responses, path parameters
declared), every $ref resolving inside the document, static/openapi.json
(what the server embeds and serves) being the same file, and every /api/v1
route in src/*/routes.c and src/web/routes.c being documented with its
method. The last tests ask the running server for /api/v1/openapi.json and
check the server's answers against the document's schemas: every JSON GET
operation the demo data can exercise (and a few POSTs and error answers) is
called, and its body validated by validate() below, a small validator of the
part of OpenAPI 3.0's schema language the document uses (type with
nullable, required, properties, additionalProperties, items, enum, allOf,
oneOf, anyOf, minItems/maxItems, minLength/maxLength, minimum/maximum,
pattern, format date and date-time). An object whose schema lists its
properties may carry no other member unless additionalProperties allows it:
a field the server sends but the document does not describe fails too.

Runs under tests/e2e/run.py (each test takes the env) and standalone:
    python3 tests/e2e/test_openapi.py
"""
import glob
import json
import os
import re
import sys
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DOC = os.path.join(REPO, "docs", "openapi.json")
SERVED = os.path.join(REPO, "static", "openapi.json")
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
ROUTE_RE = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"(/api/v1[^"]*)"')


def load():
    with open(DOC, encoding="utf-8") as f:
        return json.load(f)


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def resolve(doc, ref):
    assert ref.startswith("#/"), "only local $refs are allowed: %r" % ref
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, "$ref %r does not resolve" % ref
        node = node[part]
    return node


def test_openapi_structure(env=None):
    doc = load()
    assert re.match(r"^3\.\d+\.\d+$", str(doc.get("openapi", ""))), "openapi must be 3.x.y: %r" % doc.get("openapi")
    info = doc.get("info")
    assert isinstance(info, dict) and info.get("title") and info.get("version"), "info.title and info.version needed"
    paths = doc.get("paths")
    assert isinstance(paths, dict) and paths, "paths must be a non-empty object"
    for path, item in paths.items():
        assert path.startswith("/"), "path %r must start with /" % path
        ops = {m: op for m, op in item.items() if m in METHODS}
        assert ops, "path %r has no operations" % path
        params_in_path = set(re.findall(r"\{([^}]+)\}", path))
        for m, op in ops.items():
            where = "%s %s" % (m.upper(), path)
            assert isinstance(op.get("responses"), dict) and op["responses"], where + ": no responses"
            for code, resp in op["responses"].items():
                assert code == "default" or re.match(r"^[1-5](\d\d|XX)$", code), where + ": bad status %r" % code
                if "$ref" not in resp:
                    assert resp.get("description"), where + ": response %s without description" % code
            declared = set()
            for p in op.get("parameters", []) + item.get("parameters", []):
                if "$ref" in p:
                    p = resolve(doc, p["$ref"])
                assert p.get("name") and p.get("in") in ("path", "query", "header", "cookie"), where + ": bad parameter %r" % p
                if p["in"] == "path":
                    assert p.get("required") is True, where + ": path parameter %s must be required" % p["name"]
                    declared.add(p["name"])
            assert declared == params_in_path, where + ": path parameters %s declared as %s" % (
                sorted(params_in_path), sorted(declared))


def test_openapi_refs_resolve(env=None):
    doc = load()
    found = refs(doc, [])
    assert found, "expected some $refs"
    for r in found:
        resolve(doc, r)


def test_openapi_served_copy_is_identical(env=None):
    with open(DOC, "rb") as a, open(SERVED, "rb") as b:
        assert a.read() == b.read(), "static/openapi.json differs from docs/openapi.json: copy it over"


def routes_in_source():
    files = sorted(set(glob.glob(os.path.join(REPO, "src", "*", "routes.c")) +
                       [os.path.join(REPO, "src", "web", "routes.c")]))
    found = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            src = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
        for method, route in ROUTE_RE.findall(src):
            found.add((method.lower(), route))
    return found


def test_openapi_documents_every_api_route(env=None):
    doc = load()
    routes = routes_in_source()
    assert routes, "no /api/v1 routes found in src/*/routes.c"
    missing = sorted("%s %s" % (m.upper(), p) for m, p in routes if m not in doc["paths"].get(p, {}))
    assert not missing, "routes missing from docs/openapi.json:\n  " + "\n  ".join(missing)


def test_openapi_is_served(env):
    c = env.client()
    r = c.get("/api/v1/openapi.json").expect(200, ctype="application/json")
    assert r.json() == load()


# -- the schemas against real answers

DATE_RE = re.compile(r"^\d{4}-\d\d-\d\d$")
DATETIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def validate(doc, schema, value, where="$", closed=True):
    """The ways value breaks schema (an OpenAPI 3.0 schema of doc): a list
    of messages, each with the JSON path of the member, empty when none.
    closed=False (a part of an allOf): members the part does not list are
    left to the whole schema."""
    while "$ref" in schema:
        schema = resolve(doc, schema["$ref"])
    errs = []
    for sub in schema.get("allOf", []):
        errs += validate(doc, sub, value, where, closed=False)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            fits = [sub for sub in schema[key] if not validate(doc, sub, value, where)]
            if not fits or (key == "oneOf" and len(fits) > 1):
                errs.append("%s: %d of the %s alternatives fit %r" % (where, len(fits), key, value))
    if value is None:
        if "type" in schema and not schema.get("nullable"):
            errs.append("%s: null, expected %s" % (where, schema["type"]))
        return errs
    t = schema.get("type")
    if t and not TYPES[t](value):
        return errs + ["%s: %s %r, expected %s" % (where, type(value).__name__, value, t)]
    if "enum" in schema and value not in schema["enum"]:
        errs.append("%s: %r not one of %r" % (where, value, schema["enum"]))
    if isinstance(value, str):
        fmt = schema.get("format")
        if (fmt == "date" and not DATE_RE.match(value)) or (fmt == "date-time" and not DATETIME_RE.match(value)):
            errs.append("%s: %r is not a %s" % (where, value, fmt))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errs.append("%s: %r does not match %s" % (where, value, schema["pattern"]))
        if len(value) > schema.get("maxLength", len(value)) or len(value) < schema.get("minLength", 0):
            errs.append("%s: length %d out of bounds" % (where, len(value)))
    if TYPES["number"](value):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errs.append("%s: %r out of bounds" % (where, value))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0) or len(value) > schema.get("maxItems", len(value)):
            errs.append("%s: %d items, out of bounds" % (where, len(value)))
        for i, v in enumerate(value):
            errs += validate(doc, schema.get("items", {}), v, "%s[%d]" % (where, i))
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            if name not in value:
                errs.append("%s: required member %r missing" % (where, name))
        extra = schema.get("additionalProperties", not props and not has_properties(doc, schema))
        for name, v in value.items():
            if name in props:
                errs += validate(doc, props[name], v, "%s.%s" % (where, name))
            elif isinstance(extra, dict):
                errs += validate(doc, extra, v, "%s.%s" % (where, name))
            elif not extra and closed and not in_all_of(doc, schema, name):
                errs.append("%s: member %r is not in the document" % (where, name))
    return errs


def has_properties(doc, schema):
    """Whether schema or one of its allOf parts lists properties."""
    while "$ref" in schema:
        schema = resolve(doc, schema["$ref"])
    return bool(schema.get("properties")) or any(has_properties(doc, s) for s in schema.get("allOf", []))


def in_all_of(doc, schema, name):
    """Whether name is a property of one of schema's allOf parts (each part
    validates its own members; a member of a sibling part is not extra)."""
    for sub in schema.get("allOf", []):
        while "$ref" in sub:
            sub = resolve(doc, sub["$ref"])
        if name in sub.get("properties", {}) or in_all_of(doc, sub, name):
            return True
    return False


class Checker:
    """Calls the server and validates each answer against the response the
    document gives for its operation and status; records what it checked."""

    def __init__(self, doc):
        self.doc, self.seen = doc, set()

    def __call__(self, c, method, template, path, status=200, body=None, headers=None):
        if body is None:
            r = c.request(method.upper(), path, headers=headers)
        elif isinstance(body, dict):
            r = c.post_json(path, body, headers=headers)
        else:    # a list of (name, value): a form
            r = c.post_form(path, body, headers=headers)
        assert r.status == status, "%s: %s, expected %d: %s" % (path, r.describe(), status, r.text[:300])
        op = self.doc["paths"][template][method]
        resp = op["responses"].get(str(status))
        assert resp, "%s %s answers %d, not documented" % (method.upper(), template, status)
        if "$ref" in resp:
            resp = resolve(self.doc, resp["$ref"])
        ctype = (r.header("content-type") or "").split(";")[0].strip()
        assert ctype in resp.get("content", {}), "%s %s %d: %s is not documented (%s)" % (
            method.upper(), template, status, ctype, sorted(resp.get("content", {})))
        body = r.json()
        errs = validate(self.doc, resp["content"][ctype]["schema"], body)
        assert not errs, "%s %s (%s) %d does not match docs/openapi.json:\n  %s" % (
            method.upper(), template, path, status, "\n  ".join(errs[:20]))
        self.seen.add((method, template))
        return body


def json_gets(doc):
    """The GET operations whose 200 answer is JSON."""
    return {("get", p) for p, item in doc["paths"].items()
            if "get" in item and "application/json" in item["get"]["responses"].get("200", {}).get("content", {})}


def test_validator_finds_wrong_types_and_missing_members(env=None):
    doc = load()
    good = {"code": "52.71", "name": "Kota Mataram", "head_title": "Wali Kota", "tz": "WITA", "level": 2}
    tenant = {"$ref": "#/components/schemas/Tenant"}
    assert validate(doc, tenant, good) == []
    assert validate(doc, tenant, dict(good, level="2")), "a string where an integer belongs passed"
    assert validate(doc, tenant, dict(good, tz="UTC")), "a value out of the enum passed"
    assert validate(doc, tenant, dict(good, extra=1)), "an undocumented member passed"
    assert validate(doc, tenant, {k: v for k, v in good.items() if k != "name"}), "a missing required member passed"
    req = {"$ref": "#/components/schemas/Open311Request"}
    o = {"service_request_id": "1", "status": "open", "status_notes": None, "service_name": None, "service_code": None,
         "description": "x", "agency_responsible": None, "service_notice": "n", "requested_datetime": "2026-06-01T10:00:00+08:00",
         "updated_datetime": None, "expected_datetime": None, "address": None, "address_id": None, "zipcode": None,
         "lat": -8.5, "long": 116, "media_url": None}
    assert validate(doc, req, o) == []
    assert validate(doc, req, dict(o, description=None)), "null passed where the schema is not nullable"
    assert validate(doc, req, dict(o, requested_datetime="2026-06-01 10:00")), "a bad date-time passed"
    stat = {"$ref": "#/components/schemas/WorkingDayStat"}
    assert [validate(doc, stat, v) == [] for v in (3, None, ">120", "7", 2.5)] == [True, True, True, False, False]


def test_openapi_answers_match_schemas(env):
    from harness import TENANT
    from test_services import file_app, new_service
    doc = load()
    check = Checker(doc)
    t = "/api/v1/t/%s" % TENANT
    anon = env.client()
    # platform
    check(anon, "get", "/healthz", "/healthz")
    check(anon, "get", "/readyz", "/readyz")
    check(anon, "get", "/api/v1/openapi.json", "/api/v1/openapi.json")
    check(anon, "get", "/api/v1/tenants", "/api/v1/tenants")
    check(anon, "get", "/api/v1/regions", "/api/v1/regions?q=mataram&limit=5")
    check(anon, "get", "/api/v1/regions", "/api/v1/regions?limit=0", 400)
    check(anon, "get", "/api/v1/regions/{code}", "/api/v1/regions/52.71")
    check(anon, "get", "/api/v1/regions/{code}", "/api/v1/regions/xx", 400)
    check(anon, "get", "/api/v1/regions/{code}", "/api/v1/regions/52.99", 404)
    check(anon, "post", "/api/v1/nik/validate", "/api/v1/nik/validate", body={"nik": "5271014101900001"})
    check(anon, "post", "/api/v1/nik/validate", "/api/v1/nik/validate", 400, body={"nik": "527101"})
    check(anon, "get", "/api/v1/t/{tenant}/calendar/add", t + "/calendar/add?from=2026-03-16&days=5")
    check(anon, "get", "/api/v1/t/{tenant}/calendar/add", t + "/calendar/add?days=x", 400)
    check(anon, "get", "/api/v1/t/{tenant}/calendar/between", t + "/calendar/between?from=2026-03-16&to=2026-03-31")
    check(anon, "get", "/api/v1/t/{tenant}/me", t + "/me", 401)
    # services and applications: a service of the test's own, an application to it
    services = check(anon, "get", "/api/v1/t/{tenant}/services", t + "/services")["services"]
    for s in services[:3]:
        check(anon, "get", "/api/v1/t/{tenant}/services/{code}", t + "/services/" + s["code"])
    code, admin, _ = new_service(env)
    check(anon, "get", "/api/v1/t/{tenant}/services/{code}", t + "/services/" + code)
    warga, _, app_id = file_app(env, code)
    check(warga, "get", "/api/v1/t/{tenant}/me", t + "/me")
    check(warga, "get", "/api/v1/t/{tenant}/applications", t + "/applications")
    app = check(warga, "get", "/api/v1/t/{tenant}/applications/{id}", "%s/applications/%d" % (t, app_id))
    officer = env.client()
    officer.login(TENANT, "kepala_opd")
    check(officer, "get", "/api/v1/t/{tenant}/applications/{id}", "%s/applications/%d" % (t, app_id))
    check(officer, "get", "/api/v1/t/{tenant}/queue", t + "/queue?all=1")
    check(anon, "get", "/api/v1/t/{tenant}/track", t + "/track?number=" + urllib.parse.quote(app["number"]))
    check(anon, "get", "/api/v1/t/{tenant}/track", t + "/track?number=52.71/PMH/1999/999999", 404)
    check(anon, "get", "/api/v1/verify/{code}", "/api/v1/verify/" + app["verify_code"])
    check(anon, "get", "/api/v1/verify/{code}", "/api/v1/verify/" + "0" * 32, 404)
    # performance and open data
    catalog = check(anon, "get", "/api/v1/t/{tenant}/data-terbuka", t + "/data-terbuka")
    for ds in catalog["dataset"]:
        name = ds["identifier"].rsplit("/", 1)[1]
        for suffix in (".json", ".schema.json"):
            check(anon, "get", "/api/v1/t/{tenant}/data-terbuka/{file}", t + "/data-terbuka/" + name + suffix)
    check(anon, "get", "/api/v1/t/{tenant}/data-terbuka/{file}", t + "/data-terbuka/tidak-ada.json", 404)
    sekda = env.client()
    sekda.login(TENANT, "sekda")
    check(sekda, "get", "/api/v1/t/{tenant}/kinerja", t + "/kinerja")
    check(warga, "get", "/api/v1/t/{tenant}/kinerja", t + "/kinerja", 403)
    # governance
    decisions = check(anon, "get", "/api/v1/t/{tenant}/keputusan", t + "/keputusan")["decisions"]
    assert decisions, "the demo data has public decisions"
    for dec in decisions:
        check(anon, "get", "/api/v1/t/{tenant}/verifikasi/{token}", t + "/verifikasi/" + dec["token"])
    check(anon, "get", "/api/v1/t/{tenant}/verifikasi/{token}", t + "/verifikasi/" + "f" * 32, 404)
    proposals = check(sekda, "get", "/api/v1/t/{tenant}/usulan", t + "/usulan?all=1")["proposals"]
    check(sekda, "get", "/api/v1/t/{tenant}/usulan", t + "/usulan")
    assert proposals, "the demo data has proposals"
    for p in proposals:
        check(sekda, "get", "/api/v1/t/{tenant}/usulan/{id}", "%s/usulan/%d" % (t, p["id"]))
    # complaints and Open311
    check(anon, "get", "/t/{tenant}/pengaduan/serupa", "/t/%s/pengaduan/serupa?category=jalan&kelurahan=52.71.02.1011&text=%s"
          % (TENANT, urllib.parse.quote("aspal jalan berlubang")))
    j = "jurisdiction_id=" + TENANT
    check(anon, "get", "/open311/discovery.json", "/open311/discovery.json")
    for svc in check(anon, "get", "/open311/v2/services.json", "/open311/v2/services.json?" + j)[:3]:
        check(anon, "get", "/open311/v2/services/{service_code}.json", "/open311/v2/services/%s.json?%s" % (svc["service_code"], j))
    check(anon, "get", "/open311/v2/services.json", "/open311/v2/services.json", 400)
    check(anon, "get", "/open311/v2/services/{service_code}.json", "/open311/v2/services/tidak-ada.json?" + j, 404)
    reqs = check(anon, "get", "/open311/v2/requests.json", "/open311/v2/requests.json?" + j)
    assert reqs, "the demo data has complaints of the last 90 days"
    for o in reqs[:10]:
        rid = o["service_request_id"]
        check(anon, "get", "/open311/v2/requests/{service_request_id}.json", "/open311/v2/requests/%s.json?%s" % (rid, j))
        check(anon, "get", "/open311/v2/tokens/{token}.json", "/open311/v2/tokens/%s.json?%s" % (rid, j))
    check(anon, "get", "/open311/v2/requests.json", "/open311/v2/requests.json?status=maybe&" + j, 400)
    check(anon, "get", "/open311/v2/servicerequestupdates.json", "/open311/v2/servicerequestupdates.json?" + j)
    check(anon, "post", "/open311/v2/requests.json", "/open311/v2/requests.json", 403,
          body=[("jurisdiction_id", TENANT), ("service_code", "jalan"), ("description", "x"), ("address_string", "y")])
    missing = sorted("GET " + p for m, p in json_gets(doc) - check.seen)
    assert not missing, "documented JSON GETs this test did not call:\n  " + "\n  ".join(missing)


if __name__ == "__main__":
    failed = 0
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn) and name not in ("test_openapi_is_served", "test_openapi_answers_match_schemas"):
            try:
                fn()
                print("ok   %s" % name)
            except AssertionError as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
    sys.exit(1 if failed else 0)
