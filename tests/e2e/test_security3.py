"""
test_security3.py: findings of the third security review, each reproduced
the way an attacker (or an unlucky citizen) would meet it:

- a page that shows a visitor what is theirs alone without a session (the
  reporter's own complaint page, held by the reporter code's cookie: the
  code itself right after filing, a confidential reporter's name, the reply
  forms; a page whose address holds a secret: the survey and the "stop
  following" link) went out "Cache-Control: no-cache", which lets a shared
  cache (an office's or an ISP's proxy, a CDN in front of the Pemda) store
  it. It is now "no-store", as a signed-in user's page; every other page
  "private, no-cache" (each carries the visitor's own form token).
"""
import re

from harness import TENANT
from test_security2 import file_complaint, post_complaint


def test_pages_of_a_visitor_are_kept_by_no_shared_cache(env):
    # a visitor without an account files a confidential report: the page
    # right after filing shows the reporter code and the reporter's name
    c = env.client()
    r = post_complaint(c, "rahasia", name="Baiq Rahasia Uji")
    r.expect(303)
    loc = r.header("location")
    cid = int(re.search(r"/pengaduan/(\d+)\?baru=1$", loc).group(1))
    page = c.get(loc).expect(200)
    assert "Kode pelapor Anda" in page.text and "Baiq Rahasia Uji" in page.text, page.text[:3000]
    assert page.header("cache-control") == "no-store", page.headers
    code = re.search(r'<p class="cpl-key"><strong>([0-9A-Z-]+)</strong>', page.text).group(1)
    # later visits of the reporter (the code's cookie) show the name and
    # the reply form: no-store too
    page = c.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    assert "Baiq Rahasia Uji" in page.text and 'value="balas"' in page.text, page.text[:3000]
    assert page.header("cache-control") == "no-store", page.headers
    # the code typed in another browser: that browser's page too
    phone = env.client()
    form = phone.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    phone.post_form("/t/%s/pengaduan/%d/kunci" % (TENANT, cid), {"_csrf": form.csrf(), "kunci": code}).expect(303)
    page = phone.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    assert "Baiq Rahasia Uji" in page.text and page.header("cache-control") == "no-store", page.headers
    # anyone else sees the public page, which no shared cache keeps either
    # (the page carries the visitor's own form token) but the browser may
    other = env.client()
    page = other.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200)
    assert "Baiq Rahasia Uji" not in page.text and "Dirahasiakan" in page.text
    assert page.header("cache-control") == "private, no-cache", page.headers
    for path in ("/", "/t/%s/" % TENANT, "/t/%s/masuk" % TENANT, "/t/%s/pengaduan" % TENANT,
                 "/t/%s/layanan" % TENANT):
        r = other.get(path).expect(200)
        assert r.header("cache-control") == "private, no-cache", (path, r.headers)
    # a signed-in user's pages as before
    w = env.client()
    w.login(TENANT, "warga")
    assert w.get("/t/%s/pengaduan/%d" % (TENANT, cid)).expect(200).header("cache-control") == "no-store"


def test_pages_with_a_secret_in_the_address_are_not_stored(env):
    # "berhenti mengikuti": the link e-mailed to a follower holds its token
    cid = file_complaint(env.client(), "anonim")
    r = env.client().get("/t/%s/pengaduan/%d/berhenti-ikuti?k=%s" % (TENANT, cid, "ab" * 16)).expect(200)
    assert r.header("cache-control") == "no-store", r.headers
    assert r.header("referrer-policy") == "no-referrer", r.headers
    # the satisfaction survey: its link is the citizen's alone
    token = env.shared_db.sql("SELECT note FROM complaints_events WHERE tenant = '%s' AND action = 'survei' "
                              "ORDER BY id LIMIT 1" % TENANT)
    assert token, "the demo has no survey link"
    r = env.client().get("/t/%s/survei/%s" % (TENANT, token[0][0]))
    assert r.status == 200, r.describe()
    assert r.header("cache-control") == "no-store", r.headers
    assert r.header("referrer-policy") == "no-referrer", r.headers
