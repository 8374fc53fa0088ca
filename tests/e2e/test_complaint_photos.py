"""
test_complaint_photos.py: a complaint's photos reach the public only once the coordinator has looked
at them.

A citizen photographs a KTP or a KK for an adminduk complaint (a NIK, a face, an address), or a
spammer posts an offensive image: text is masked, photos cannot be. So until the coordinator has
verified the complaint with "Foto boleh ditampilkan ke publik" checked, the public page only says
that photos wait for the coordinator's check, the photo's address answers the public 404, and
Open311 has no media_url; the reporter (signed in, or with the reporter code on any browser), the
coordinator and the OPD holding it see them, from no shared cache (private, no-store). The
coordinator may keep them from the public at the verification and change that later
("Sembunyikan foto dari publik" / "Tampilkan foto ke publik", with the form's version). A session
of another Pemda is nobody here; other OPDs and the leaders see what the public sees.
"""
import re

from harness import TENANT, TENANT2
from test_admin import new_user
from test_complaint_return import act, count, page_path, row
from test_complaints import (J, file_web, filed_id, fixture, login, multipart, post, good, set_auto_route,
                             version_of)

T = "/t/" + TENANT
WAITING = "Foto akan tampil setelah diperiksa koordinator"
WITHHELD = "Foto laporan ini tidak ditampilkan ke publik"
JPEG = ("photo", "ktp.jpg", "image/jpeg", fixture("photo_exif.jpg"))
CLEAN = fixture("photo_clean.jpg")


def photo(cid, n=0):
    return "%s/pengaduan/%s/foto/%d" % (T, cid, n)


def shown(c, cid):
    """The photo as c gets it: 200 with its bytes and private, no-store when not public."""
    r = c.get(photo(cid))
    r.expect(200, ctype="image/jpeg")
    assert r.body == CLEAN
    return r.header("cache-control")


def refused(c, cid):
    """The public 404, like a photo that does not exist, and no shared cache keeps it."""
    r = c.get(photo(cid)).expect(404)
    assert "public" not in (r.header("cache-control") or ""), r.headers
    assert c.get(photo(cid, 2)).status == 404
    return r


def media_url(env, cid):
    got = []
    for fmt in ("json", "xml"):
        r = env.client().get("/open311/v2/requests/%s.%s?%s" % (cid, fmt, J)).expect(200)
        if fmt == "json":
            got.append(r.json()[0]["media_url"])
        else:
            m = re.search(r"<media_url>([^<]*)</media_url>", r.text)
            got.append(m.group(1) or None if m else "<no media_url element>")  # null is an empty element
    # the list carries the same
    lst = env.client().get("/open311/v2/requests.json?%s&service_request_id=%s" % (J, cid)).expect(200).json()
    got.append(lst[0]["media_url"])
    assert len(set(got)) == 1, got
    return got[0]


def filed_with_photo(c, identity, description):
    """A road complaint with one photo, filed on the web by c; its id."""
    return filed_id(file_web(c, [("kind", "pengaduan"), ("identity", identity), ("category", "jalan"),
                                 ("description", description), ("kelurahan", "52.71.02.1011")], [JPEG]))


def public_page(env, cid):
    return env.client().get(page_path(cid)).expect(200)


def test_photos_wait_for_the_coordinator(env):
    set_auto_route(env, False)
    try:
        # a visitor files anonymously, with a photo of a KTP: this browser keeps the reporter code
        rep = env.client()
        r = file_web(rep, [("kind", "pengaduan"), ("identity", "anonim"), ("category", "adminduk"),
                           ("title", "KTP-el rusak belum diganti"),
                           ("description", "KTP-el saya rusak dan belum diganti; foto KTP terlampir"),
                           ("kelurahan", "52.71.02.1011")], [JPEG])
        cid = filed_id(r)
        assert row(env, cid, "status, photos_public") == ("baru", "-1")
        key = re.search(r'<p class="cpl-key"><strong>([0-9A-Z-]+)</strong>', rep.get(r.header("location")).text).group(1)

        # the public: told there are photos to be checked, shown none
        pub = public_page(env, cid)
        assert WAITING in pub.text and "/foto/0" not in pub.text, pub.text[:3000]
        refused(env.client(), cid)
        assert media_url(env, cid) is None
        # the reporter by the code's cookie, and on another browser by the code typed in
        page = rep.get(page_path(cid)).expect(200)
        assert 'src="%s"' % photo(cid) in page.text and "belum tampil untuk publik" in page.text
        assert shown(rep, cid) == "private, no-store"
        other = env.client()
        refused(other, cid)
        other.post_form(page_path(cid) + "/kunci", {"_csrf": other.get(page_path(cid)).csrf(), "kunci": key.lower()}).expect(303)
        assert shown(other, cid) == "private, no-store"
        # the coordinator; no OPD holds it yet; another Pemda's coordinator is nobody here; the Sekda and
        # a citizen who is not its reporter see what the public sees
        k = login(env, "koordinator")
        assert shown(k, cid) == "private, no-store"
        refused(login(env, "petugas"), cid)
        stranger = env.client()
        stranger.login(TENANT2, new_user(env, role="koordinator", tenant=TENANT2), password="rahasia-panjang-1")
        refused(stranger, cid)
        refused(login(env, "sekda"), cid)
        w = login(env, "warga")
        refused(w, cid)
        assert WAITING in w.get(page_path(cid)).expect(200).text

        # the verification form asks, checked by default, with its hint
        page = k.get(page_path(cid)).expect(200, contains="Verifikasi koordinator")
        box = re.search(r'<input type="checkbox" id="v-photos" name="foto_publik" value="1"[^>]*>', page.text)
        assert box and " checked" in box.group(0), page.text
        assert "Foto boleh ditampilkan ke publik" in page.text and "KTP/KK, wajah" in page.text
        assert 'name="foto_pilihan" value="1"' in page.text
        assert 'id="cpl-photo-form"' not in page.text  # waiting: the verification decides
        # "show" before the verification: refused, nothing changed
        act(k, cid, page, "tampilkan_foto").expect(409, contains="setelah laporan diverifikasi")
        # the box unchecked (an unchecked box sends nothing but the form's marker)
        act(k, cid, page, "verifikasi", category="adminduk", foto_pilihan="1").expect(303)
        assert row(env, cid, "status, unit, photos_public") == ("disposisi", "DISDUKCAPIL", "0")
        summary = str(env.shared_db.sql("SELECT summary FROM audit_log WHERE action = 'complaints.verifikasi' AND "
                                        "object = 'complaint:%s'" % cid)[0][0])
        assert "1 foto disembunyikan dari publik" in summary, summary

        pub = public_page(env, cid)
        assert WITHHELD in pub.text and "/foto/0" not in pub.text and WAITING not in pub.text
        refused(env.client(), cid)
        assert media_url(env, cid) is None
        assert shown(rep, cid) == "private, no-store"
        # the OPD holding it sees them; another OPD does not
        p = login(env, "petugas")
        page = p.get(page_path(cid)).expect(200)
        assert 'src="%s"' % photo(cid) in page.text and "disembunyikan dari publik oleh koordinator" in page.text
        assert 'id="cpl-photo-form"' not in page.text  # the coordinator's choice
        assert shown(p, cid) == "private, no-store"
        dlh = env.client()
        dlh.login(TENANT, new_user(env, role="petugas", unit="DLH"), password="rahasia-panjang-1")
        refused(dlh, cid)
        # an officer cannot change it, nor can a visitor
        act(p, cid, page, "tampilkan_foto").expect(403, contains="koordinator")
        v = env.client()
        act(v, cid, v.get(page_path(cid)).expect(200), "tampilkan_foto", version=version_of(page)).expect(401)

        # the coordinator shows them later: a stale form is a 409, the fresh one works
        page = k.get(page_path(cid)).expect(200)
        assert 'id="cpl-photo-form"' in page.text and "Tampilkan foto ke publik" in page.text
        act(k, cid, page, "tampilkan_foto", version=str(int(version_of(page)) - 1)).expect(
            409, contains="data telah diubah orang lain")
        act(k, cid, page, "tampilkan_foto").expect(303)
        assert row(env, cid, "photos_public") == ("1",)
        pub = public_page(env, cid)
        assert 'src="%s"' % photo(cid) in pub.text and WAITING not in pub.text and WITHHELD not in pub.text
        assert shown(env.client(), cid) == "public, no-cache"
        assert media_url(env, cid).endswith(photo(cid))
        # the history says so to the officials, not to the public
        assert "Foto ditampilkan ke publik" in k.get(page_path(cid)).text
        assert "Foto ditampilkan ke publik" not in pub.text and "Foto disembunyikan dari publik" not in pub.text
        assert count(env, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.tampilkan_foto' AND "
                          "object = 'complaint:%s' AND actor = 'koordinator'" % cid) == 1

        # and hides them again: the same form sent twice changes nothing the second time
        page = k.get(page_path(cid)).expect(200, contains="Sembunyikan foto dari publik")
        act(k, cid, page, "sembunyikan_foto").expect(303)
        act(k, cid, k.get(page_path(cid)), "sembunyikan_foto").expect(409, contains="sudah disembunyikan")
        assert row(env, cid, "photos_public") == ("0",)
        refused(env.client(), cid)
        assert media_url(env, cid) is None
        assert WITHHELD in public_page(env, cid).text
        assert count(env, "SELECT COUNT(*) FROM audit_log WHERE action = 'complaints.sembunyikan_foto' AND "
                          "object = 'complaint:%s' AND summary LIKE '%%foto disembunyikan dari publik'" % cid) == 1
        # in English too
        r = act(k, cid, k.get(page_path(cid)), "sembunyikan_foto", headers={"Accept-Language": "en"})
        r.expect(409, contains="already hidden from the public")
    finally:
        set_auto_route(env, True)


def test_signed_in_reporter_and_the_default_choice(env):
    set_auto_route(env, False)
    try:
        w = login(env, "warga")
        cid = filed_with_photo(w, "rahasia", "Jalan berlubang di depan sekolah, foto terlampir")
        # confidential, signed in, no code: the account sees its photos, the public does not
        assert shown(w, cid) == "private, no-store"
        refused(env.client(), cid)
        assert WAITING in public_page(env, cid).text
        # the coordinator verifies with the box as it comes (checked): public
        k = login(env, "koordinator")
        page = k.get(page_path(cid)).expect(200)
        act(k, cid, page, "verifikasi", category="jalan", foto_pilihan="1", foto_publik="1").expect(303)
        assert row(env, cid, "photos_public") == ("1",)
        assert shown(env.client(), cid) == "public, no-cache"
        assert shown(w, cid) == "public, no-cache"
        assert media_url(env, cid).endswith(photo(cid))
        assert "1 foto ditampilkan ke publik" in str(env.shared_db.sql(
            "SELECT summary FROM audit_log WHERE action = 'complaints.verifikasi' AND object = 'complaint:%s'"
            % cid)[0][0])
        # a complaint without photos: neither the box nor the form, and nothing to hide
        cid2 = filed_id(file_web(w, [("kind", "pengaduan"), ("identity", "terbuka"), ("category", "jalan"),
                                     ("description", "Jalan berlubang di gang kami, tanpa foto"),
                                     ("kelurahan", "52.71.02.1011")]))
        page = k.get(page_path(cid2)).expect(200)
        assert 'id="v-photos"' not in page.text and WAITING not in page.text
        act(k, cid2, page, "sembunyikan_foto").expect(409, contains="tidak memiliki foto")
        # a script that knows nothing of the choice: public, as the box is checked by default
        post(env, good(env, service_code="jalan", description="Jalan berlubang, foto terlampir"),
             files=[("media", "p.jpg", "image/jpeg", fixture("photo_exif.jpg"))]).expect(200)
        cid3 = str(env.shared_db.sql("SELECT MAX(id) FROM complaints")[0][0])
        assert media_url(env, cid3) is None
        page = k.get(page_path(cid3)).expect(200)
        act(k, cid3, page, "verifikasi", category="jalan").expect(303)
        assert media_url(env, cid3).endswith(photo(cid3))
    finally:
        set_auto_route(env, True)


def test_hidden_photos_are_gone_at_once_for_every_cache(env):
    """A public photo went out as `public, max-age=600`: once the coordinator hid it (a KTP noticed
    late), a shared cache (an office's proxy, a CDN) and browsers kept showing it for up to ten
    minutes. Now caches may keep it but ask each time (`public, no-cache`, ETag): unchanged and
    still public is a 304 without the bytes; hidden, the same question gets the public 404 at once;
    shown again, the old ETag is a 304 again."""
    set_auto_route(env, False)
    try:
        w = login(env, "warga")
        cid = filed_with_photo(w, "terbuka", "Jalan berlubang di depan puskesmas, foto terlampir")
        k = login(env, "koordinator")
        act(k, cid, k.get(page_path(cid)).expect(200), "verifikasi", category="jalan", foto_pilihan="1",
            foto_publik="1").expect(303)
        v = env.client()
        first = v.get(photo(cid)).expect(200, ctype="image/jpeg")
        assert first.body == CLEAN and first.header("cache-control") == "public, no-cache", first.headers
        etag = first.header("etag")
        assert etag and re.fullmatch(r'W/"[0-9a-f]{16,64}"', etag), etag
        # the cache asks again: unchanged, a 304 without the bytes, with the same validator and rule
        again = v.get(photo(cid), headers={"If-None-Match": etag}).expect(304)
        assert again.body == b"" and again.header("etag") == etag, again.headers
        assert again.header("cache-control") == "public, no-cache", again.headers
        env.client().get(photo(cid), headers={"If-None-Match": etag[2:]}).expect(304)       # the strong form
        env.client().get(photo(cid), headers={"If-None-Match": 'W/"0", ' + etag}).expect(304)  # in a list
        assert env.client().get(photo(cid), headers={"If-None-Match": 'W/"0000"'}).expect(200).body == CLEAN
        # each photo is its own: photo 1 does not exist, whatever the validator
        env.client().get(photo(cid, 1), headers={"If-None-Match": etag}).expect(404)

        # hidden: the same conditional question is the public 404 at once, not a 304
        act(k, cid, k.get(page_path(cid)).expect(200), "sembunyikan_foto").expect(303)
        for h in (etag, etag[2:], "*"):
            r = env.client().get(photo(cid), headers={"If-None-Match": h})
            assert r.status == 404, (h, r.status, r.headers)
            assert "public" not in (r.header("cache-control") or "") and not r.header("etag"), r.headers
        # the reporter still sees it, from no cache, and no validator tempts one to keep it
        r = w.get(photo(cid), headers={"If-None-Match": etag}).expect(200, ctype="image/jpeg")
        assert r.body == CLEAN and r.header("cache-control") == "private, no-store" and not r.header("etag")

        # shown again: the old validator is still good (the bytes never changed)
        act(k, cid, k.get(page_path(cid)).expect(200), "tampilkan_foto").expect(303)
        r = env.client().get(photo(cid), headers={"If-None-Match": etag}).expect(304)
        assert r.header("cache-control") == "public, no-cache" and r.header("etag") == etag, r.headers
    finally:
        set_auto_route(env, True)


def test_refused_verification_keeps_the_unchecked_box(env):
    """A verification refused (an unknown OPD: 400) comes back with the box as it was sent."""
    set_auto_route(env, False)
    try:
        cid = filed_id(file_web(env.client(), [("kind", "pengaduan"), ("identity", "anonim"), ("category", "jalan"),
                                               ("description", "Jalan berlubang di depan pasar, foto terlampir"),
                                               ("kelurahan", "52.71.02.1011")], [JPEG]))
        k = login(env, "koordinator")
        page = k.get(page_path(cid)).expect(200)
        r = act(k, cid, page, "verifikasi", category="jalan", unit="TIDAKADA", foto_pilihan="1")
        r.expect(400, contains="OPD tidak dikenal")
        box = re.search(r'<input type="checkbox" id="v-photos"[^>]*>', r.text).group(0)
        assert " checked" not in box, box
        assert row(env, cid, "status, photos_public") == ("baru", "-1")
    finally:
        set_auto_route(env, True)


def test_merged_and_forwarded_photos_wait_until_shown(env):
    """Merged or forwarded before any verification, the photos stay waiting: nobody chose to show
    them. The coordinator may show them from the page (the status allows it), or hide them."""
    set_auto_route(env, False)
    try:
        fields = [("kind", "pengaduan"), ("identity", "anonim"), ("category", "sampah"),
                  ("description", "Sampah menumpuk di TPS pasar Kekalik tiga hari"), ("kelurahan", "52.71.02.1011")]
        main = filed_id(file_web(env.client(), fields))
        dup = filed_id(file_web(env.client(), fields, [JPEG]))
        k = login(env, "koordinator")
        number = row(env, main, "number")[0]
        page = k.get(page_path(dup)).expect(200)
        act(k, dup, page, "gabung", merge_into=number, yakin="1").expect(303)
        assert row(env, dup, "status, photos_public") == ("digabung", "-1")
        refused(env.client(), dup)
        assert WAITING in public_page(env, dup).text
        page = k.get(page_path(dup)).expect(200, contains="Tampilkan foto ke publik")
        act(k, dup, page, "tampilkan_foto").expect(303)
        assert shown(env.client(), dup) == "public, no-cache"

        fwd = filed_id(file_web(env.client(), fields, [JPEG]))
        page = k.get(page_path(fwd)).expect(200)
        act(k, fwd, page, "bukan_wewenang", forward_to="Dinas LH Provinsi NTB", yakin="1").expect(303)
        refused(env.client(), fwd)
        # the coordinator finds it among the photos nobody has checked (not the one shown, nor one
        # still waiting for verification, whose form asks anyway), from the queue's link
        waiting_new = filed_id(file_web(env.client(), fields, [JPEG]))
        queue = k.get("/t/%s/pengaduan/kelola" % TENANT).expect(200)
        assert 'href="/t/%s/pengaduan/kelola?foto=menunggu"' % TENANT in queue.text
        listed = k.get("/t/%s/pengaduan/kelola?foto=menunggu" % TENANT).expect(200, contains="Foto yang belum diperiksa")
        ids = {i for i in re.findall(r'href="/t/%s/pengaduan/(\d+)"' % re.escape(TENANT), listed.text)}
        assert str(fwd) in ids and str(dup) not in ids and str(waiting_new) not in ids, (ids, fwd, dup)
        # the coordinator's list alone: an OPD or a citizen gets its usual queue
        opd = login(env, "petugas")
        assert "Foto yang belum diperiksa" not in opd.get("/t/%s/pengaduan/kelola?foto=menunggu" % TENANT).text
        # spam: nobody but the coordinator, and no form
        spam = filed_id(file_web(env.client(), fields, [JPEG]))
        page = k.get(page_path(spam)).expect(200)
        act(k, spam, page, "arsipkan", yakin="1").expect(303)
        assert shown(k, spam) == "private, no-store"
        assert 'id="cpl-photo-form"' not in k.get(page_path(spam)).text
        act(k, spam, k.get(page_path(spam)), "tampilkan_foto", version=row(env, spam, "version")[0]).expect(409)
        refused(env.client(), spam)
    finally:
        set_auto_route(env, True)


def test_migration_36_keeps_old_photos_public(env):
    """Complaints filed before migration 36 keep their photos public, as they were."""
    from harness import check_sigap
    db = env.new_db(init=False)
    check_sigap(["migrate", "--to", "35"], db=db)
    db.sql("INSERT INTO complaints (tenant, number, kind, title, description, status, identity, created_at, "
           "updated_at) VALUES ('%s', '%s/ADU/2025/000001', 'pengaduan', 'Jalan berlubang', 'Lubang makin lebar', "
           "'dijawab', 'anonim', 1735689600, 1735689600)" % (TENANT, TENANT))
    p = check_sigap(["migrate"], db=db)
    assert "now applied   36  complaints: " in p.stdout, p.stdout
    assert [str(r[0]) for r in db.sql("SELECT photos_public FROM complaints")] == ["1"]
