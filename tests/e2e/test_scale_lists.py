"""Two public lists at the scale of a real deployment. The portal (/) of a
ministry hosting every province and kabupaten/kota (552 Pemda, added by SQL):
its provinces only, each a link to its Pemda, with a search (?q=, name,
province or code, no JavaScript) that shows at most 100 under their province;
a small deployment still lists its Pemda under their province. The public
complaint list's kelurahan/desa filter: one select grouped by kecamatan for
Kota Mataram (50 villages), two steps (kecamatan, then its villages; GET
parameters) for Kabupaten Lombok Tengah (154) and the provinsi (over a
thousand), and ?kecamatan= filters by itself. Pages stay a few kilobytes."""

import html
import re

from harness import TENANT, TENANT2, check_sigap

PORTAL_BYTES = 8000   # the 552 Pemda's portal was 45.6 kB
LIST_BYTES = 6000     # Lombok Tengah's complaint list was 10.3 kB, the provinsi's 65.9 kB


def _all_pemda(db):
    """Every province and kabupaten/kota of the region list a Pemda."""
    db.sql("INSERT INTO tenants (code, name, level, head_title, tz_offset, tz_name, created_at) "
           "SELECT code, name, level, 'Bupati', 28800, 'WITA', 0 FROM regions "
           "WHERE level IN (1, 2) AND code NOT IN (SELECT code FROM tenants)")
    return int(db.sql("SELECT COUNT(*) FROM tenants")[0][0])


def _links(text):
    return re.findall(r'href="/t/([0-9.]+)/"', text)


def test_portal_small_deployment_lists_all_under_province(env):
    r = env.client().get("/").expect(200)
    assert _links(r.text) == ["52", "52.71"], _links(r.text)
    assert "<h2>Nusa Tenggara Barat</h2>" in r.text, r.text
    assert 'role="search"' not in r.text, r.text   # two Pemda need no search
    # a search still works when asked for
    r = env.client().get("/?q=mataram").expect(200)
    assert _links(r.text) == ["52.71"] and 'value="mataram"' in r.text, r.text


def test_portal_many_pemda_provinces_and_search(env):
    db = env.new_db()
    assert _all_pemda(db) == 552
    c = env.start_server(db).client()
    r = c.get("/").expect(200)
    assert len(r.body) < PORTAL_BYTES, len(r.body)
    assert not _links(r.text), _links(r.text)[:5]
    assert r.text.count('href="/?q=') == 38, r.text.count('href="/?q=')
    assert '<a href="/?q=52">Nusa Tenggara Barat</a>' in r.text, r.text
    assert 'role="search"' in r.text and 'name="q"' in r.text
    # a province's link: its Pemda, the provinsi first, nobody else's
    r = c.get("/?q=52").expect(200)
    links = _links(r.text)
    assert links[0] == "52" and "52.71" in links and "52.02" in links and len(links) == 11, links
    assert all(l == "52" or l.startswith("52.") for l in links), links
    # by name, case-insensitive, and by the province's name
    assert _links(c.get("/?q=LOMBOK").expect(200).text) == ["52.01", "52.02", "52.03", "52.08"]
    assert _links(c.get("/?q=%20kota%20mataram%20").expect(200).text) == ["52.71"]
    assert len(_links(c.get("/?q=nusa+tenggara+barat").expect(200).text)) == 11
    # wildcards match themselves; markup is escaped; nothing found is said
    for q in ("%25", "_", "%3Cscript%3E", "52.71%25"):
        r = c.get("/?q=" + q).expect(200)
        assert not _links(r.text) and "Tidak ada Pemda yang cocok" in r.text, (q, _links(r.text))
        assert "<script>" not in r.text
    # too many: the first 100 and a note
    r = c.get("/?q=kabupaten").expect(200)
    assert len(_links(r.text)) == 100 and "Hanya 100 Pemda pertama" in r.text, len(_links(r.text))
    assert len(r.body) < 2 * PORTAL_BYTES, len(r.body)
    # English
    r = c.get("/", headers={"Accept-Language": "en"}).expect(200)
    assert "<h2>Province</h2>" in r.text and "Search regional governments" in r.text, r.text[:2000]
    r = c.get("/?q=zzz", headers={"Accept-Language": "en"}).expect(200)
    assert "No regional government matches" in r.text


def _options(text, select_id):
    m = re.search(r'<select id="%s"[^>]*>(.*?)</select>' % select_id, text, re.S)
    return re.findall(r'<option value="([^"]*)"', m.group(1)) if m else None


def _kec_of(db, tenant):
    """A kabupaten/kota's kecamatan, in the select's order (by name)."""
    return [r[0] for r in db.sql("SELECT code FROM regions WHERE parent = '%s' ORDER BY name, code" % tenant)]


def test_kelurahan_filter_small_is_one_grouped_select(env):
    c = env.client()
    r = c.get("/t/%s/pengaduan" % TENANT).expect(200)
    assert _options(r.text, "kecamatan") is None
    kel = _options(r.text, "kelurahan")
    assert len(kel) == 51 and all(k == "" or k.startswith(TENANT + ".") for k in kel), kel
    assert r.text.count("<optgroup") == 6, r.text.count("<optgroup")


def test_kelurahan_filter_large_is_two_steps(env):
    db = env.new_db()
    check_sigap(["tenant", "add", "52.02"], db=db)
    c = env.start_server(db).client()
    kecs = _kec_of(db, "52.02")
    r = c.get("/t/52.02/pengaduan").expect(200)
    assert len(r.body) < LIST_BYTES, len(r.body)
    assert _options(r.text, "kecamatan") == [""] + kecs, _options(r.text, "kecamatan")
    assert _options(r.text, "kelurahan") is None and 'id="kecamatan-help"' in r.text
    # the kecamatan chosen: its villages only
    k = kecs[0]
    vill = [r[0] for r in db.sql("SELECT code FROM regions WHERE parent = '%s' ORDER BY name, code" % k)]
    r = c.get("/t/52.02/pengaduan?kecamatan=" + k).expect(200)
    assert _options(r.text, "kelurahan") == [""] + vill, _options(r.text, "kelurahan")
    assert re.search(r'<option value="%s" selected>' % re.escape(k), r.text)
    # a link with only the village: its kecamatan chosen, the village too
    r = c.get("/t/52.02/pengaduan?kelurahan=" + vill[1]).expect(200)
    assert re.search(r'<option value="%s" selected>' % re.escape(k), r.text)
    assert re.search(r'<option value="%s" selected>' % re.escape(vill[1]), r.text)
    # another Pemda's kecamatan or junk: no choice, no villages of others
    for bad in ("52.71.01", "52.02.%25", "52.02", "x" * 300):
        r = c.get("/t/52.02/pengaduan?kecamatan=" + bad).expect(200)
        assert _options(r.text, "kelurahan") is None and "52.71.01." not in r.text, bad
    # the provinsi: two steps too, its kecamatan grouped by their kabupaten/kota
    r = c.get("/t/%s/pengaduan" % TENANT2).expect(200)
    assert len(r.body) < 2 * LIST_BYTES, len(r.body)
    assert len(_options(r.text, "kecamatan")) > 100 and '<optgroup label="Kota Mataram">' in r.text
    # English
    r = c.get("/t/52.02/pengaduan", headers={"Accept-Language": "en"}).expect(200)
    assert "Choose a district, then Show" in r.text, r.text[-3000:]


def _listed_villages(text):
    """The kelurahan name of each complaint listed (the item's small line)."""
    out = []
    for who in re.findall(r'<small class="who">([^<]*)</small>', text):
        parts = [html.unescape(p) for p in who.split(" · ")]
        out.append(parts[3] if len(parts) == 5 else None)
    return out


def test_kecamatan_filters_the_list(env):
    c = env.client()
    db = env.shared_db
    rows = db.sql("SELECT substr(kelurahan, 1, 8), COUNT(*) FROM complaints WHERE tenant = '%s' AND "
                  "kelurahan LIKE '52.71.%%' AND status NOT IN ('arsip', 'digabung') GROUP BY 1 ORDER BY 2 DESC"
                  % TENANT)
    assert rows, "the demo has complaints with a kelurahan"
    k = rows[0][0]
    names = {r[0] for r in db.sql("SELECT name FROM regions WHERE parent = '%s'" % k)}
    r = c.get("/t/%s/pengaduan?kecamatan=%s" % (TENANT, k)).expect(200)
    got = _listed_villages(r.text)
    assert got and all(n in names for n in got), (got, names)
    assert len(got) == min(int(rows[0][1]), 50), (len(got), rows[0])
    # a village left chosen from another kecamatan is dropped, not "none"
    other = db.sql("SELECT code FROM regions WHERE parent = '%s' ORDER BY code" % _kec_of(db, TENANT)[-1]
                   if _kec_of(db, TENANT)[-1] != k else
                   "SELECT code FROM regions WHERE parent = '%s' ORDER BY code" % _kec_of(db, TENANT)[0])[0][0]
    r2 = c.get("/t/%s/pengaduan?kecamatan=%s&kelurahan=%s" % (TENANT, k, other)).expect(200)
    assert _listed_villages(r2.text) == got
    # paging keeps the kecamatan
    if int(rows[0][1]) > 50:
        assert "kecamatan=%s" % k in r.text
