"""
test_openapi.py: validates docs/openapi.json, the OpenAPI 3 description of
sigap's JSON API, without third-party packages: the document's structure
(openapi 3.x, info, paths, every operation with responses, path parameters
declared), every $ref resolving inside the document, static/openapi.json
(what the server embeds and serves) being the same file, and every /api/v1
route in src/*/routes.c and src/web/routes.c being documented with its
method. The last test asks the running server for /api/v1/openapi.json.

Runs under tests/e2e/run.py (each test takes the env) and standalone:
    python3 tests/e2e/test_openapi.py
"""
import glob
import json
import os
import re
import sys

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


if __name__ == "__main__":
    failed = 0
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and callable(fn) and name != "test_openapi_is_served":
            try:
                fn()
                print("ok   %s" % name)
            except AssertionError as e:
                failed += 1
                print("FAIL %s: %s" % (name, e))
    sys.exit(1 if failed else 0)
