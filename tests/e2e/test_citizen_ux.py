"""
test_citizen_ux.py: what a citizen on a cheap phone meets when a form goes wrong.

A complaint or an application whose photos or files are larger than the
server takes in one request (max-body; the phone's script makes photos
smaller, but a phone without it sends them as they are) comes back as the
form with everything typed still in it, the files to be chosen again, and
the reason above the form and next to the photo field, in the citizen's
language, instead of a bare 413 page that loses a long complaint text.
A complaint refused for one field shows the message next to that field
(aria-invalid, aria-describedby) as well as above the form, with a link to
it, and keeps what was typed.
"""
import html
import re

from harness import TENANT
from test_complaints import multipart

NEW = "/t/%s/pengaduan/baru" % TENANT
LONG_TEXT = ("Jalan di depan SDN 3 Cakranegara berlubang dalam sejak musim hujan; "
             "sudah dua motor jatuh minggu ini & anak-anak berjalan di tepi selokan. ") * 12


def post_mp(c, path, fields, files=(), headers=None):
    body, ctype = multipart(fields, files)
    h = {"Content-Type": ctype}
    h.update(headers or {})
    return c.request("POST", path, body=body, headers=h)


def count(env, sql):
    return int(env.shared_db.sql(sql)[0][0])


def field_error(page, field):
    """The text of the error paragraph next to field, or None."""
    m = re.search(r'<p class="field-error" id="%s-error">([^<]*)</p>' % re.escape(field), page)
    return html.unescape(m.group(1)) if m else None


def test_complaint_photos_over_the_body_limit_keep_the_text(env):
    srv = env.start_server(args=["--max-body", "65536"])
    for lang, said in (("id", "terlalu besar"), ("en", "too large")):
        c = srv.client()
        hdr = {"Accept-Language": lang}
        form = c.get(NEW, headers=hdr).expect(200)
        before = count(env, "SELECT COUNT(*) FROM complaints")
        photo = b"\xff\xd8\xff\xe0" + b"\0" * 100000
        r = post_mp(c, NEW, [("_csrf", form.csrf()), ("kind", "pengaduan"), ("title", "Jalan berlubang"),
                             ("description", LONG_TEXT), ("address", "Jl. Pejanggik"), ("identity", "terbuka"),
                             ("name", "Baiq Rina"), ("email", "rina@contoh.id"), ("phone", "081234567890")],
                    [("photo", "jalan.jpg", "image/jpeg", photo)], headers=hdr)
        r.expect(413, ctype="text/html")
        page = r.text
        # the form again, with what was typed
        assert 'action="/t/%s/pengaduan/baru"' % TENANT in page, page[:1500]
        assert html.escape(LONG_TEXT, quote=False) in page, "the complaint text was lost"
        for v in ("Jalan berlubang", "Jl. Pejanggik", "Baiq Rina", "rina@contoh.id", "081234567890"):
            assert 'value="%s"' % v in page, v
        # the reason, in the citizen's language, above the form and at the photo
        alert = re.search(r'<p class="alert" role="alert">([^<]*)', page)
        assert alert and said in alert.group(1) and "64 KB" in alert.group(1), page[:3000]
        assert said in (field_error(page, "photo1") or ""), page
        assert count(env, "SELECT COUNT(*) FROM complaints") == before
    # a form without a valid token is still refused, text or not
    c = srv.client()
    c.get(NEW).expect(200)
    r = post_mp(c, NEW, [("_csrf", "0" * 128), ("description", LONG_TEXT)],
                [("photo", "jalan.jpg", "image/jpeg", b"\xff\xd8" + b"\0" * 100000)])
    r.expect(403)
    assert html.escape(LONG_TEXT, quote=False) not in r.text


def test_application_files_over_the_body_limit_keep_the_answers(env):
    srv = env.start_server(args=["--max-body", "65536"])
    w = srv.client()
    w.login(TENANT, "warga")
    path = "/t/%s/layanan/kia/ajukan" % TENANT
    form = w.get(path).expect(200, contains="Nama anak")
    nonce = re.search(r'name="_nonce" value="([0-9a-f]+)"', form.text).group(1)
    before = count(env, "SELECT COUNT(*) FROM services_apps")
    r = post_mp(w, path, [("_csrf", form.csrf()), ("_nonce", nonce), ("nik_pemohon", "5271014107900003"),
                          ("nama_anak", "Lalu Muhammad Zaini")],
                [("akta_anak", "akta.pdf", "application/pdf", b"%PDF-1.4\n" + b" " * 100000)])
    r.expect(413, ctype="text/html")
    assert 'value="Lalu Muhammad Zaini"' in r.text, r.text[:3000]
    assert 'value="5271014107900003"' in r.text
    assert 'name="_nonce" value="%s"' % nonce in r.text, "the form's one-time key changed"
    assert "terlalu besar" in r.text and "pilih lagi" in r.text
    assert count(env, "SELECT COUNT(*) FROM services_apps") == before


def test_complaint_error_is_next_to_its_field(env):
    c = env.client()
    form = c.get(NEW).expect(200)
    # the name is required unless anonymous: the label says so
    assert "Nama (wajib, kecuali anonim)" in form.text
    base = [("_csrf", form.csrf()), ("kind", "pengaduan"), ("description", LONG_TEXT), ("identity", "terbuka")]
    cases = [
        ("name", [("address", "Jl. Majapahit")], "nama pelapor wajib diisi"),
        ("email", [("address", "Jl. Majapahit"), ("name", "Budi"), ("email", "budi@contoh")], "alamat e-mail tidak sah"),
        ("phone", [("address", "Jl. Majapahit"), ("name", "Budi"), ("phone", "abc")], "nomor HP hanya berisi angka"),
        ("phone", [("address", "Jl. Majapahit"), ("name", "Budi"), ("email", "budi@contoh.id"), ("phone", "12345")],
         "nomor HP tidak sah"),
        ("lat", [("name", "Budi"), ("lat", "utara"), ("long", "116")], "lintang dan bujur"),
        ("location", [("name", "Budi")], "lokasi wajib diisi"),
    ]
    for field, extra, said in cases:
        r = post_mp(c, NEW, base + extra).expect(400)
        page = r.text
        assert said in (field_error(page, field) or ""), (field, page[:4000])
        # only that field is marked
        assert page.count('class="field-error"') == 1, field
        if field != "location":
            tag = re.search(r'<input id="%s"[^>]*>' % field, page).group(0)
            assert 'aria-invalid="true"' in tag and "%s-error" % field in tag, tag
        assert '<a href="#%s">' % field in page, field
        assert html.escape(LONG_TEXT, quote=False) in page
    # in English, the message next to the field is English too
    c.get("/bahasa/en?next=/").expect(303)
    form = c.get(NEW).expect(200)
    r = post_mp(c, NEW, [("_csrf", form.csrf()), ("kind", "pengaduan"), ("description", LONG_TEXT),
                         ("identity", "terbuka"), ("address", "Jl. Majapahit"), ("name", "Budi"),
                         ("phone", "abc")]).expect(400)
    err = field_error(r.text, "phone") or ""
    assert err and "nomor" not in err and "mobile number" in err, r.text[:4000]
    r = post_mp(c, NEW, [("_csrf", form.csrf()), ("kind", "pengaduan"), ("description", LONG_TEXT),
                         ("identity", "terbuka"), ("address", "Jl. Majapahit"), ("name", "Budi"),
                         ("email", "081234567890")]).expect(400)
    err = field_error(r.text, "email") or ""
    assert err and "tidak sah" not in err and "e-mail" in err, r.text[:4000]
