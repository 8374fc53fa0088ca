"""
test_http.py: the HTTP layer of sigap seen from outside: health checks,
error pages and the JSON error shape, request limits (header block, body),
malformed input, static files, security headers, language choice, and a
burst of random and garbage requests that must never get a 5xx.
"""
import json
import re
import os
import random

from harness import TENANT, raw_request, raw_statuses


def test_healthz_and_readyz(env):
    c = env.client()
    r = c.get("/healthz").expect(200, ctype="application/json")
    assert r.json() == {"status": "ok"}, r.body
    r = c.get("/readyz").expect(200, ctype="application/json")
    assert r.json() == {"status": "ready"}, r.body
    # HEAD is answered like GET, without a body
    r = c.request("HEAD", "/healthz")
    assert r.status == 200 and r.body == b"", (r.status, r.body)


def test_unknown_route_is_404_page_in_indonesian(env):
    c = env.client()
    r = c.get("/tidak/ada/halaman-ini").expect(404, ctype="text/html")
    assert '<html lang="id">' in r.text, r.text[:200]
    assert "Tidak ditemukan" in r.text and "halaman atau data tidak ditemukan" in r.text, r.text
    # an unknown tenant is a 404 with its own message
    r = c.get("/t/99.99/").expect(404, contains="Pemda tidak ditemukan", ctype="text/html")


def test_unknown_api_route_is_404_json(env):
    c = env.client()
    for path in ("/api/v1/tidak-ada", "/api/", "/api/v2/regions"):
        e = c.get(path).expect_json_error(404, code="not_found")
        assert e["message"] == "halaman atau data tidak ditemukan", (path, e)
    # an unknown tenant in a tenant API route
    c.get("/api/v1/t/99.99/calendar/add?days=1").expect_json_error(404, code="not_found",
                                                                   message="Pemda tidak ditemukan")


def test_wrong_method_is_405_with_allow(env):
    c = env.client()
    r = c.request("DELETE", "/healthz").expect(405)
    assert r.header("allow") and "GET" in r.header("allow"), r.headers
    r = c.request("PUT", "/t/%s/masuk" % TENANT).expect(405)
    assert "GET" in r.header("allow") and "POST" in r.header("allow"), r.header("allow")
    e = c.request("DELETE", "/api/v1/regions").expect_json_error(405, code="method_not_allowed")
    assert e["message"] == "metode tidak diizinkan untuk alamat ini", e
    assert "GET" in c.request("PATCH", "/api/v1/regions").header("allow")
    # GET on a POST-only route
    e = c.get("/api/v1/nik/validate").expect_json_error(405, code="method_not_allowed")


def test_allow_lists_only_the_methods_of_the_path(env):
    c = env.client()
    allow = c.request("DELETE", "/healthz").expect(405).header("allow")
    assert "POST" not in allow, "DELETE /healthz -> Allow: %r, but /healthz has no POST route" % allow
    allow = c.request("DELETE", "/api/v1/nik/validate").expect(405).header("allow")
    assert "GET" not in allow.replace(" ", "").split(","), \
        "DELETE /api/v1/nik/validate -> Allow: %r, but it is POST only" % allow


def test_oversized_header_block_is_431(env):
    c = env.client()
    r = c.get("/healthz", headers={"X-Padding": "a" * (17 * 1024)})
    assert r.status == 431, r.describe()
    assert r.header("content-type").startswith("application/json"), r.headers
    assert r.body.startswith(b'{"error":{"code":"too_large","message":"header permintaan terlalu besar"}}'), r.body
    # just under the default 16 KiB limit is fine
    c.get("/healthz", headers={"X-Padding": "a" * (15 * 1024)}).expect(200)
    # many small headers add up
    many = {"X-H%d" % i: "v" * 200 for i in range(90)}
    assert c.get("/healthz", headers=many).status == 431


def test_431_body_is_exactly_the_json_error(env):
    r = env.client().get("/healthz", headers={"X-Padding": "a" * (17 * 1024)})
    assert r.status == 431, r.describe()
    assert r.json() == {"error": {"code": "too_large", "message": "header permintaan terlalu besar"}}, r.body


def test_oversized_body_is_413(env):
    srv = env.start_server(args=["--max-body", "2048"])
    c = srv.client()
    big = json.dumps({"nik": "1" * 3000})
    r = c.post_json("/api/v1/nik/validate", big)
    assert r.status == 413, r.describe()
    r = c.post_form("/t/%s/masuk" % TENANT, "username=" + "a" * 5000)
    assert r.status == 413, r.describe()
    # a chunked body over the limit as well
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(big[i:i + 500]), big[i:i + 500].encode()) for i in range(0, len(big), 500))
    out = raw_request(srv.port, b"POST /api/v1/nik/validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    assert raw_statuses(out) == [413], out[:300]
    # under the limit the request goes through to the handler
    r = c.post_json("/api/v1/nik/validate", {"nik": "5271015508900001", "pad": "x" * 1500})
    r.expect(200)
    assert srv.alive
    srv.stop()


def test_oversized_body_under_api_uses_json_error_shape(env):
    srv = env.start_server(args=["--max-body", "2048"])
    r = srv.client().post_json("/api/v1/nik/validate", json.dumps({"nik": "1" * 3000}))
    try:
        r.expect_json_error(413)
        assert r.header("x-content-type-options") == "nosniff", r.headers
    finally:
        srv.stop()


def test_malformed_form_encoding_is_400(env):
    c = env.client()
    c.get("/t/%s/masuk" % TENANT).expect(200)
    r = c.post_form("/t/%s/masuk" % TENANT, "username=a%zz&password=b")
    r.expect(400, contains="permintaan tidak valid", ctype="text/html")
    # a bad escape in a query string, HTML and API
    c.get("/t/%s/masuk?next=%%zz" % TENANT).expect(400, contains="permintaan tidak valid")
    c.get("/api/v1/regions?q=%zz").expect_json_error(400, code="invalid")
    c.get("/api/v1/regions?q=abc%").expect_json_error(400, code="invalid")


def test_malformed_json_is_400(env):
    c = env.client()
    for body in ("{bad", "", "[1,2", '{"nik": "1", "nik": "2"}', "\xff\xfe"):
        e = c.post_json("/api/v1/nik/validate", body).expect_json_error(400, code="invalid")
        assert e["message"].startswith("JSON tidak valid"), (body, e)
    # valid JSON without the field
    c.post_json("/api/v1/nik/validate", {"x": 1}).expect_json_error(
        400, code="invalid", message="kolom 'nik' wajib diisi")
    c.post_json("/api/v1/nik/validate", {"nik": 5271015508900001}).expect_json_error(
        400, code="invalid", message="kolom 'nik' wajib diisi")


def test_wrong_content_type_is_415(env):
    c = env.client()
    for ct in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
        h = {"Content-Type": ct} if ct else {}
        r = c.request("POST", "/api/v1/nik/validate", body='{"nik":"5271015508900001"}', headers=h)
        e = r.expect_json_error(415, code="unsupported")
        assert e["message"] == "Content-Type harus application/json", (ct, e)
    # parameters after the media type are fine
    c.post_json("/api/v1/nik/validate", {"nik": "5271015508900001"},
                headers={"Content-Type": "application/json; charset=utf-8"}).expect(200)


def test_static_files_and_path_traversal(env):
    c = env.client()
    r = c.get("/static/style.css").expect(200, ctype="text/css")
    assert len(r.body) > 100 and "public" in (r.header("cache-control") or "")
    c.get("/static/nope.css").expect(404)
    for path in ("/static/../x", "/static/../src/main.c", "/static/%2e%2e/meson.build",
                 "/static/..%2fmeson.build", "/static/%2e%2e%2fsrc%2fmain.c", "/static/../../../../etc/passwd",
                 "/static/....//....//etc/passwd", "/static//etc/passwd", "/static/.%00./x",
                 "/static/..\\meson.build", "/static/%5c..%5cmeson.build"):
        r = c.get(path)
        assert 400 <= r.status < 500, r.describe()
        assert b"root:" not in r.body and b"project(" not in r.body and b"#include" not in r.body, r.describe()


def _check_security_headers(r):
    csp = r.header("content-security-policy")
    assert csp, "%s: no CSP" % r.describe()
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    assert "frame-ancestors 'none'" in csp, csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp, csp
    assert r.header("x-content-type-options") == "nosniff", r.headers
    assert r.header("referrer-policy") in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), \
        r.header("referrer-policy")
    assert r.header("x-frame-options") == "DENY", r.headers
    assert r.header("strict-transport-security") is None  # plain HTTP: no HSTS


def test_security_headers(env):
    c = env.client()
    pages = [c.get("/"), c.get("/t/%s/" % TENANT), c.get("/t/%s/masuk" % TENANT), c.get("/nope"),
             c.get("/api/v1/tenants"), c.get("/api/v1/nope"), c.get("/static/style.css")]
    for r in pages:
        assert r.status < 500, r.describe()
        _check_security_headers(r)
    # no inline script or style in the pages themselves (the CSP would block it)
    for r in pages[:4]:
        assert "<script>" not in r.text and "style=" not in r.text and " on" + "click=" not in r.text, r.describe()
    # anonymous pages set the pre-session CSRF cookie HttpOnly and SameSite
    pre = [l for l in c.set_cookie_lines if l.startswith("sigap_pre=")]
    assert pre and "HttpOnly" in pre[0] and "SameSite=Lax" in pre[0] and "Path=/" in pre[0], pre


def test_portal_and_tenant_home(env):
    c = env.client()
    r = c.get("/").expect(200, ctype="text/html")
    assert "Kota Mataram" in r.text and "Nusa Tenggara Barat" in r.text, r.text
    assert '/t/52.71/' in r.text
    r = c.get("/t/%s/" % TENANT).expect(200, contains="Kota Mataram")
    assert '/t/52.71/masuk' in r.text
    c.get("/t/%s" % TENANT).expect(200, contains="Kota Mataram")
    j = c.get("/api/v1/tenants").expect(200, ctype="application/json").json()
    codes = sorted(t["code"] for t in j["tenants"])
    assert codes == ["52", "52.71"], j
    t = [t for t in j["tenants"] if t["code"] == "52.71"][0]
    assert t["name"] == "Kota Mataram" and t["tz"] == "WITA" and t["level"] == 2, t


def test_accept_language_en_gives_english(env):
    c = env.client()
    r = c.get("/nope", headers={"Accept-Language": "en-US,en;q=0.9"}).expect(404)
    assert '<html lang="en">' in r.text, r.text[:200]
    assert "Not found" in r.text, r.text
    r = c.get("/t/%s/masuk" % TENANT, headers={"Accept-Language": "en"}).expect(200)
    assert '<html lang="en">' in r.text and 'hreflang="id"' in r.text
    # Indonesian preferred over English
    r = c.get("/nope", headers={"Accept-Language": "id, en;q=0.5"})
    assert '<html lang="id">' in r.text
    # unsupported languages fall back to Indonesian
    r = c.get("/nope", headers={"Accept-Language": "fr, de;q=0.5"})
    assert '<html lang="id">' in r.text
    # API messages follow the language too
    e = c.get("/api/v1/regions?level=9", headers={"Accept-Language": "en"}).expect_json_error(400)
    assert e["message"].startswith("level must be 1"), e


def test_language_switch_sets_cookie(env):
    c = env.client()
    r = c.get("/bahasa/en?next=/t/%s/" % TENANT).expect(303)
    assert r.header("location") == "/t/%s/" % TENANT, r.header("location")
    line = [l for l in r.header_all("set-cookie") if l.startswith("lang=")]
    assert line and line[0].startswith("lang=en;") and "Max-Age=" in line[0], r.header_all("set-cookie")
    assert c.cookies.get("lang") == "en"
    # the cookie wins over Accept-Language
    r = c.get("/t/%s/" % TENANT, headers={"Accept-Language": "id"}).expect(200)
    assert '<html lang="en">' in r.text
    r = c.get("/bahasa/id?next=/").expect(303)
    assert c.cookies.get("lang") == "id"
    assert '<html lang="id">' in c.get("/t/%s/" % TENANT, headers={"Accept-Language": "en"}).text
    # only known languages, and only local redirects
    c.get("/bahasa/fr").expect(404)
    for evil in ("//evil.example/", "https://evil.example/", "/\\evil.example", "\\\\evil"):
        r = c.get("/bahasa/en?next=" + evil.replace("\\", "%5C")).expect(303)
        assert r.header("location") == "/", (evil, r.header("location"))


METHODS = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "FOO", "GETT", "get"]
PATHS = ["/", "/healthz", "/readyz", "/t/52.71/", "/t/52.71/masuk", "/t/52.71/keluar", "/t/52.71/dasbor",
         "/t/52.71/akun/sandi", "/t/52.71/admin/pengguna", "/t/52.71/admin/audit", "/t/52/masuk",
         "/api/v1/tenants", "/api/v1/regions", "/api/v1/regions/52.71", "/api/v1/nik/validate",
         "/api/v1/t/52.71/calendar/add", "/api/v1/t/52.71/calendar/between", "/api/v1/t/52.71/me",
         "/static/style.css", "/bahasa/en", "/t/", "/t//masuk", "/api/v1/t//me", "/api/v1/regions/"]
JUNK = ["%", "%zz", "%00", "%ff%fe", "..", "//", "\u00e9", "\u202e", "'", '"', "<script>", "{}", "a" * 300,
        "?", "??", "&&", "=", "#", ";", "%2f", "\\", "~", "*", "$(x)", "99.99", "52.71.01", "-1", "1e9"]
CTYPES = ["application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
          "text/plain", "", "application/json; charset=zz", ";;;", "application/x-www-form-urlencoded; a"]


def _junk(rng, n):
    return "".join(rng.choice(JUNK) for _ in range(n))


def _random_request(rng):
    path = rng.choice(PATHS)
    k = rng.random()
    if k < 0.3:
        path += _junk(rng, rng.randint(1, 3))
    elif k < 0.5:
        path += "?" + "&".join("%s=%s" % (_junk(rng, 1), _junk(rng, 2)) for _ in range(rng.randint(1, 5)))
    elif k < 0.6:
        path = "/" + _junk(rng, rng.randint(1, 6))
    elif k < 0.7:
        path += "?from=%s&to=%s&days=%s&q=%s&level=%s&limit=%s" % (
            rng.choice(["2026-02-30", "0000-00-00", "9999-12-31", "2026-3-1", "x", ""]),
            rng.choice(["2026-13-01", "1900-01-01", "2026-12-31", "%zz"]),
            rng.choice(["-1", "3651", "1e3", "0x10", "99999999999999999999", "7"]),
            rng.choice(["mataram", "%25", "_", "a" * 150, ""]),
            rng.choice(["0", "5", "-3", "2", "x"]), rng.choice(["0", "1001", "-1", "5"]))
    path = path.encode("utf-8", "replace").decode("latin-1")
    path = "".join(ch for ch in path if ch not in " \r\n\t") or "/"
    method = rng.choice(METHODS)
    headers = {}
    if rng.random() < 0.5:
        headers["Content-Type"] = rng.choice(CTYPES)
    if rng.random() < 0.3:
        headers["Cookie"] = rng.choice(["sigap_session=" + "a" * 64, "sigap_session=;;;", "=;=;", "lang=xx",
                                        "sigap_pre=" + "0" * 64, "a" * 500 + "=b"])
    if rng.random() < 0.2:
        headers["Authorization"] = rng.choice(["Bearer sgp_", "Bearer " + "x" * 81, "Basic Zm9vOmJhcg==",
                                               "Bearer sgp_000000000000_" + "0" * 64])
    if rng.random() < 0.2:
        headers["Accept-Language"] = rng.choice(["en", "*", ";q=", "en;q=abc", "," * 50, "x" * 300])
    if rng.random() < 0.2:
        headers["X-CSRF-Token"] = rng.choice(["", "0" * 64, "\u00e9".encode().decode("latin-1")])
    body = None
    if method not in ("GET", "HEAD") or rng.random() < 0.1:
        body = rng.choice([b"", b"{}", b'{"nik":"5271015508900001"}', b'{"nik":' + b"9" * 400 + b"}",
                           b"_csrf=x&username=admin&password=" + b"p" * 100, b"%%%%", b"a=%zz",
                           bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300))),
                           b"&" * 300, b"a=" + b"b" * 1000, b'[' * 500, b'{"nik":null}',
                           b'{"nik":"\\u0000\\u0000"}'])
    return method, path, headers, body


def test_random_and_garbage_requests_never_5xx(env):
    srv = env.server
    c = srv.client()
    seed = int(os.environ.get("SIGAP_E2E_SEED") or random.randrange(1 << 30))
    rng = random.Random(seed)
    seen = {}
    for i in range(200):
        method, path, headers, body = _random_request(rng)
        try:
            r = c.request(method, path, body=body, headers=headers)
        except Exception as ex:  # http.client can refuse some inputs; the server must still be up
            assert srv.alive, "server died on request %d (seed %d): %s %r: %s" % (i, seed, method, path, ex)
            continue
        assert r.status < 500, "seed %d, request %d: %s %r %r body=%r -> %d %s" % (
            seed, i, method, path, headers, (body or b"")[:80], r.status, r.text[:300])
        seen[r.status] = seen.get(r.status, 0) + 1
        c.cookies.clear()
    # raw garbage on the socket: no 5xx, and the server stays up
    garbage = [b"\x00\x01\x02\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/1.1\r\n\r\n",
               b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
               b"POST /api/v1/nik/validate HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
               b"POST /t/52.71/masuk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
               b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
               b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X: y\r\n" * 2000 + b"\r\n",
               b"GET / HTTP/1.1\r\nHost: x\r\nX-Bad\r\n\r\n",
               b"GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n",
               b"\xff" * 1000 + b"\r\n\r\n",
               b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes(range(256)),
               b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\n"]
    for _ in range(12):
        garbage.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 400))))
    for g in garbage:
        out = raw_request(srv.port, g, timeout=5)
        bad = [s for s in raw_statuses(out) if s >= 500]
        assert not bad, "raw request %r -> %r" % (g[:60], out[:300])
    assert srv.alive, "the server died"
    c.get("/healthz").expect(200)
    assert sum(seen.values()) > 150, seen


GZ = {"Accept-Encoding": "gzip"}
CSRF_RE = r'name="_csrf" value="([0-9a-f]+)"'


def test_gzip_for_clients_that_accept_it(env):
    """Text answers of 1 KiB or more are gzipped for clients that ask (a cheap phone on a slow
    line gets a third of the bytes); the content is the same; small answers, binary types and
    clients that do not ask get it plain."""
    import gzip
    c = env.client()
    for path, ctype in [("/t/%s/layanan" % TENANT, "text/html"), ("/static/style.css", "text/css"),
                        ("/static/openapi.json", "application/json"),
                        ("/open311/v2/requests.json?jurisdiction_id=%s" % TENANT, "application/json"),
                        ("/open311/v2/requests.xml?jurisdiction_id=%s" % TENANT, "text/xml"),
                        ("/api/v1/openapi.json", "application/json")]:
        plain = c.get(path).expect(200, ctype=ctype)
        assert plain.header("content-encoding") is None, plain.describe()
        z = c.get(path, headers=GZ).expect(200)
        assert z.header("content-encoding") == "gzip", (z.describe(), z.headers)
        assert "accept-encoding" in (z.header("vary") or "").lower(), z.headers
        assert z.header("content-type") == plain.header("content-type"), z.headers
        body = gzip.decompress(z.body)
        assert len(z.body) < len(body), (path, len(z.body), len(body))
        # pages carry a freshly masked CSRF token each time; all else is identical
        a = re.sub(CSRF_RE, "TOKEN", plain.text)
        b = re.sub(CSRF_RE, "TOKEN", body.decode("utf-8"))
        if "/requests." not in path:  # the list is newest first and may grow between the two GETs
            assert a == b, path
        else:
            assert b.startswith(a[:40]), path
    # under the size floor: plain even when asked
    r = c.get("/healthz", headers=GZ).expect(200)
    assert r.header("content-encoding") is None and r.body == b'{"status":"ok"}'
    # errors are sent plain (only 200 answers are compressed)
    r = c.get("/t/%s/tidak-ada-halaman-ini" % TENANT, headers=GZ).expect(404)
    assert r.header("content-encoding") is None and "Tidak ditemukan" in r.text


def test_gzip_can_be_turned_off(env):
    srv = env.start_server(args=["--gzip", "0"])
    r = srv.client().get("/t/%s/layanan" % TENANT, headers=GZ).expect(200)
    assert r.header("content-encoding") is None and "<html" in r.text


def test_csrf_token_is_masked_afresh_on_every_page(env):
    """With compression on, a secret that repeats byte for byte across answers can be guessed
    through the compressed length (BREACH). The CSRF token in the pages is therefore masked
    with fresh random bytes on every page: two loads never show the same value, each of them
    works, and a value with one character changed does not."""
    login = "/t/%s/masuk" % TENANT
    c = env.client(ip="10.88.0.1")
    t1 = c.get(login).expect(200)
    t2 = c.get(login).expect(200)
    v1, v2 = t1.csrf(), t2.csrf()
    assert v1 != v2 and len(v1) == 128, (v1, v2)
    # neither contains the pre-session cookie's token itself
    assert c.cookies["sigap_pre"] not in v1 and c.cookies["sigap_pre"] not in v2
    # one character changed: refused
    bad = v1[:70] + ("0" if v1[70] != "0" else "1") + v1[71:]
    c.post_form(login, {"_csrf": bad, "username": "admin", "password": "x" * 12}).expect(403)
    # the other load's token works (wrong password: 401, past the CSRF check)
    c.post_form(login, {"_csrf": v2, "username": "admin", "password": "x" * 12}).expect(401)
    # signed in, the session's token is masked too, differently on each page, and each works
    c.login(TENANT, "admin")
    p1 = c.get("/t/%s/admin/pengguna" % TENANT).expect(200).csrf()
    p2 = c.get("/t/%s/akun/sandi" % TENANT).expect(200).csrf()
    assert p1 != p2
    for tok in (p1, p2):
        r = c.post_form("/t/%s/admin/pengguna" % TENANT, {"_csrf": tok, "username": "x"})
        assert r.status == 400, r.describe()  # past the CSRF check, refused for the bad username


def test_static_files_are_cached_by_version_and_revalidated_by_etag(env):
    """Pages link to /static/F?v=VERSION: that URL may be kept a year (a phone on a slow line
    never asks for it again); a change to any static file makes a new VERSION. Any other URL of
    the file is checked every time, and an unchanged file costs a 304 without a body."""
    c = env.client()
    page = c.get("/t/%s/pengaduan" % TENANT).expect(200)
    links = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text))
    assert links, page.text[:500]
    versions = {re.search(r"\?v=([0-9a-f]{10})$", l).group(1) for l in links}
    assert len(versions) == 1, links               # one version for all static files
    for link in links:
        r = c.get(link).expect(200)
        assert r.header("cache-control") == "public, max-age=31536000, immutable", r.headers
        etag = r.header("etag")
        # weak: the gzipped and the plain answer share it
        assert re.fullmatch(r'W/"[0-9a-f]{16}"', etag or ""), r.headers
        plain = c.get(link.split("?")[0]).expect(200)
        assert plain.header("cache-control") == "public, no-cache" and plain.header("etag") == etag
        assert plain.body == r.body
        # revalidation: 304, no body, no Content-Length
        nm = c.get(link, headers={"If-None-Match": etag}).expect(304)
        assert nm.body == b"" and nm.header("content-length") is None and nm.header("etag") == etag
        c.get(link.split("?")[0], headers={"If-None-Match": 'W/"x", ' + etag}).expect(304)
        c.get(link.split("?")[0], headers={"If-None-Match": etag[2:]}).expect(304)   # the strong form too
        c.get(link, headers={"If-None-Match": '"0000000000000000"'}).expect(200)
    # an old or made-up version is served, but not for keeps
    r = c.get("/static/style.css?v=0123456789").expect(200)
    assert r.header("cache-control") == "public, no-cache", r.headers
    # different files have different ETags
    a = c.get("/static/style.css").header("etag")
    b = c.get("/static/complaints.css").header("etag")
    assert a and b and a != b
